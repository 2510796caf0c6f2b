package dev.switchboard.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Closes client connections that have had no request in flight for {@code switchboard_settings.client_idle_timeout}:
 * kept-alive connections a client abandoned, and connections that never complete a request (a slowloris
 * sending its headers a byte at a time). A request in flight is never cut, however silent its stream:
 * an HTTP server idle timeout would end a long generation whose backend is still thinking.
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
      ctx.addEndHandler(ar -> {
        w.inFlight--;
        w.idleSince = System.nanoTime();
      });
    }
    ctx.next();
  }

  /** Connections open now (for tests and diagnostics). */
  int size() {
    return open.size();
  }

  private void sweep() {
    Duration t = timeout.get();
    if (t.isZero() || open.isEmpty()) {
      return;
    }
    long now = System.nanoTime();
    long limit = t.toNanos();
    java.util.List<HttpConnection> idle = new java.util.ArrayList<>();
    open.forEach((connection, w) -> {
      if (w.inFlight == 0 && now - w.idleSince >= limit) {
        idle.add(connection);
      }
    });
    idle.forEach(connection -> {
      open.remove(connection); // now: the close handler may run later
      connection.close();
    });
  }

  private static final class Watched {
    int inFlight;
    long idleSince = System.nanoTime();
  }
}
