package dev.switchboard.api;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Closes client connections that have had no request in flight for {@code switchboard_settings.client_idle_timeout}:
 * kept-alive connections a client abandoned, and connections that never complete a request (a slowloris
 * sending its headers a byte at a time). A request whose body has not all arrived that long after its
 * headers gets a 408 and its connection closed (nginx's client_body_timeout; a slowloris on the body).
 * A request that has been read is never cut, however silent its stream: an HTTP server idle timeout
 * would end a long generation whose backend is still thinking.
 *
 * <p>One per API verticle instance, confined to its event loop. The request path only counts; a sweep a
 * few times a second does the closing, so that no timer is set and cancelled per request.
 */
final class IdleClientConnections {

  private static final long SWEEP_MS = 250;

  private final Vertx vertx;
  private final Supplier<Duration> timeout;
  private final Map<HttpConnection, Watched> open = new HashMap<>();
  private long sweepTimer = -1;

  /** {@code timeout}: read at each sweep (the running switchboard_settings; they change at a restart). */
  IdleClientConnections(Vertx vertx, Supplier<Duration> timeout) {
    this.vertx = vertx;
    this.timeout = timeout;
  }

  void start() {
    sweepTimer = vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
  }

  /** The server's connection handler. */
  void opened(HttpConnection connection) {
    Watched w = new Watched();
    open.put(connection, w);
    connection.closeHandler(v -> open.remove(connection));
  }

  /** The router's first handler: a request is in flight on its connection until its response ended. */
  void requestBegins(RoutingContext ctx) {
    Watched w = open.get(ctx.request().connection());
    if (w != null) {
      w.inFlight++;
      w.reading = ctx;
      w.readingSince = System.nanoTime();
      ctx.addEndHandler(ar -> {
        w.inFlight--;
        if (w.reading == ctx) {
          w.reading = null;
        }
        w.idleSince = System.nanoTime();
      });
    }
    ctx.next();
  }

  private void sweep() {
    Duration t = timeout.get();
    if (t.isZero() || open.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    long limit = t.toNanos();
    List<HttpConnection> idle = new ArrayList<>();
    List<RoutingContext> slowBodies = new ArrayList<>();
    open.forEach((connection, w) -> {
      if (w.inFlight == 0 && now - w.idleSince >= limit) {
        idle.add(connection);
      } else if (w.reading != null && now - w.readingSince >= limit) {
        if (!w.reading.request().isEnded()) {
          slowBodies.add(w.reading);
        }
        w.reading = null; // answered 408 below, or read whole: its answer may then take as long as it takes
      }
    });
    slowBodies.forEach(ctx -> {
      if (!ctx.response().headWritten()) {
        ctx.response().putHeader("connection", "close");
        Responses.error(ctx, OpenAiError.timeout("Request body not received within "
            + "switchboard_settings.client_idle_timeout (" + t.toMillis() / 1000.0 + " s)"));
      }
      ctx.request().connection().close();
    });
    idle.forEach(connection -> {
      open.remove(connection); // now: the close handler may run later
      connection.close();
    });
  }

  private static final class Watched {
    int inFlight;
    long idleSince = System.nanoTime();
    /** The request whose body may still be arriving, and since when. */
    RoutingContext reading;
    long readingSince;
  }
}
