package dev.switchboard.api;

import dev.switchboard.bus.CallHandle;
import dev.switchboard.bus.FrameListener;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.node.Version;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * Writes one call's frames to the client. Streams are written event by event as frames arrive and
 * credit flows back to the backend only while the client's socket keeps up, so a slow reader pauses
 * the backend instead of filling our heap. A non-streamed answer is written whole, with its length.
 */
final class ResponseRelay implements FrameListener {

  private final RoutingContext ctx;
  private final HttpServerResponse resp;
  private final boolean stream;
  private final int window;
  private final String requestId;
  private final long startedAt;
  private final BiConsumer<Integer, JsonObject> onFinished;
  private final AnswerShape shape;
  /** Asked, for an error before any byte went out, whether another hop answers instead (it then returns true). */
  private final BiPredicate<OpenAiError, JsonObject> nextHop;
  /** What the client hears instead of this hop's own error, when the route has a better one (set during nextHop). */
  private OpenAiError replacement;
  private CallHandle handle;
  private int consumed;
  private boolean waitingForDrain;
  private JsonObject head;
  private Buffer body;
  private long firstDataAt;
  private boolean finished;

  ResponseRelay(RoutingContext ctx, boolean stream, int window, String requestId, long startedAt, AnswerShape shape,
                BiConsumer<Integer, JsonObject> onFinished, BiPredicate<OpenAiError, JsonObject> nextHop) {
    this.nextHop = nextHop;
    this.shape = shape;
    this.ctx = ctx;
    this.resp = ctx.response();
    this.stream = stream;
    this.window = window;
    this.requestId = requestId;
    this.startedAt = startedAt;
    this.onFinished = onFinished;
  }

  /** The call was accepted: credits can flow now; a client already gone cancels it. */
  void accepted(CallHandle h) {
    this.handle = h;
    if (resp.closed() && !finished) {
      h.cancel("client disconnected");
      return;
    }
    grant();
  }

  /** The client went away before the answer was complete: stop the backend's work. */
  void clientGone() {
    if (finished) {
      return;
    }
    finished = true;
    if (handle != null) {
      handle.cancel("client disconnected");
    }
    onFinished.accept(499, seen("cancelled").put("reason", "the client disconnected"));
  }

  /** Ends the call from this side (the shutdown grace ran out): the backend stops, the client gets {@code error}. */
  void cut(OpenAiError error) {
    if (finished) {
      return;
    }
    if (handle != null) {
      handle.cancel("shutdown grace ran out");
    }
    end(error, seen("error").put("error_type", error.type()), false);
  }

  /**
   * The backend's accounting never comes for a call ended on this side: what this side saw of it
   * stands in (who was answering, from HEAD; when the first byte came).
   */
  private JsonObject seen(String outcome) {
    JsonObject meta = new JsonObject().put("outcome", outcome);
    if (head != null) {
      for (String key : new String[] {"provider", "backend_model", "api_base", "model_id"}) {
        meta.put(key, head.getValue(key));
      }
    }
    if (firstDataAt > 0) {
      meta.put("ttft_ms", firstDataAt - startedAt);
    }
    return meta;
  }

  @Override
  public void onHead(int status, JsonObject meta) {
    head = meta;
    if (resp.headWritten()) {
      shape.head(status, stream); // a front door started the stream already (pings through a long silence)
      if (!stream) {
        body = Buffer.buffer();
      }
      return;
    }
    resp.setStatusCode(status);
    litellmHeaders(meta);
    String type = shape.head(status, stream);
    if (stream) {
      resp.setChunked(true)
          .putHeader("content-type", type != null ? type : meta.getString("content_type", "text/event-stream"))
          .putHeader("cache-control", "no-cache")
          .putHeader("x-accel-buffering", "no");
    } else {
      resp.putHeader("content-type", type != null ? type : meta.getString("content_type", "application/json"));
      body = Buffer.buffer();
    }
  }

  @Override
  public void onData(Buffer data) {
    if (finished || resp.closed()) {
      return;
    }
    if (firstDataAt == 0) {
      firstDataAt = System.currentTimeMillis();
    }
    consumed += data.length();
    if (!stream) {
      // Credit only as the window runs low, like a stream: a JSON answer is mostly one DATA frame,
      // and a credit per frame would cost a bus message (and a wake-up of the backend's event loop)
      // per request for nothing.
      body.appendBuffer(data);
      if (consumed >= Math.max(1, window / 2)) {
        grant();
      }
      return;
    }
    Buffer out = shape.streamData(data);
    if (out.length() > 0) {
      resp.write(out);
    }
    if (resp.writeQueueFull()) {
      if (!waitingForDrain) {
        waitingForDrain = true;
        resp.drainHandler(v -> {
          waitingForDrain = false;
          grant();
        });
      }
    } else if (consumed >= Math.max(1, window / 2)) {
      grant();
    }
  }

  @Override
  public void onEnd(JsonObject meta) {
    if (finished) {
      return;
    }
    finished = true;
    if (!resp.closed()) {
      long total = System.currentTimeMillis() - startedAt;
      if (stream) {
        Buffer last = shape.streamEnd();
        if (last.length() > 0) {
          resp.end(last);
        } else {
          resp.end();
        }
      } else {
        resp.putHeader("x-litellm-response-duration-ms", String.valueOf(total));
        long upstream = meta == null ? 0 : meta.getLong("upstream_ms", 0L);
        resp.putHeader("x-litellm-overhead-duration-ms", String.valueOf(Math.max(0, total - upstream)));
        resp.end(shape.body(resp.getStatusCode(), body == null ? Buffer.buffer() : body));
      }
    }
    onFinished.accept(resp.getStatusCode(), meta);
  }

  @Override
  public void onError(OpenAiError error, JsonObject meta) {
    end(error, meta, true);
  }

  /** The route's answer replaces this hop's error (several deployments were tried: one error names them all). */
  void replaceError(OpenAiError error) {
    replacement = error;
  }

  private void end(OpenAiError hopError, JsonObject hopMeta, boolean mayTryAnother) {
    if (finished) {
      return;
    }
    finished = true;
    JsonObject meta = hopMeta == null ? new JsonObject() : hopMeta;
    OpenAiError error = hopError;
    if (mayTryAnother && head == null && !resp.headWritten()) {
      if (nextHop.test(hopError, meta)) {
        return; // another deployment or an explicit fallback answers; this hop leaves no trace on the response
      }
      if (replacement != null) {
        error = replacement;
      }
    }
    if (!resp.closed()) {
      if (!resp.headWritten()) {
        resp.putHeader("x-litellm-call-id", requestId);
        if (head != null) {
          litellmHeaders(head);
        }
        // A stream that had not written a byte yet still gets a plain JSON error with its status.
        resp.setChunked(false);
        resp.headers().remove("cache-control");
      }
      shape.error(ctx, error);
    }
    onFinished.accept(error.status(), withReason(meta, error, error != hopError));
  }

  /**
   * The accounting for the log and metrics, with why the request failed. A backend's own ERROR frame
   * says it in {@code reason}; every other error here is in Switchboard's words (refused, a lost peer,
   * the shutdown, every deployment of a group tried), so its message is the reason. Frames are shared:
   * the meta is copied, not changed.
   */
  private static JsonObject withReason(JsonObject meta, OpenAiError error, boolean replaced) {
    JsonObject m = meta == null ? new JsonObject() : meta.copy();
    if (replaced || m.getString("reason") == null) {
      m.put("reason", error.message());
    }
    return m;
  }

  private void litellmHeaders(JsonObject meta) {
    resp.putHeader("x-litellm-call-id", requestId)
        .putHeader("x-litellm-version", Version.VERSION)
        .putHeader("x-litellm-response-duration-ms", String.valueOf(System.currentTimeMillis() - startedAt));
    if (meta.getString("model_id") != null) {
      resp.putHeader("x-litellm-model-id", meta.getString("model_id"));
    }
    if (meta.getString("api_base") != null) {
      resp.putHeader("x-litellm-model-api-base", meta.getString("api_base"));
    }
  }

  private void grant() {
    if (handle != null && consumed > 0) {
      handle.credit(consumed);
      consumed = 0;
    }
  }
}
