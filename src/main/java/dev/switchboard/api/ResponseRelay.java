package dev.switchboard.api;

import dev.switchboard.bus.Answer;
import dev.switchboard.bus.CallFailure;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.node.Version;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes one hop's answer to the client, in the shape its API asks for. A stream is piped from the
 * {@link Answer} to the client's socket through the shape, so a slow reader pauses the answer, whose
 * credit then stops flowing back, and the backend stops reading its upstream: Vert.x's backpressure end
 * to end. A non-streamed answer is written whole, with its length. Every way a hop ends is a
 * {@link Finished}: what the request log and the metrics record.
 */
final class ResponseRelay {

  /** How the client's answer ended: the status it got, and the accounting for the log and metrics. */
  record Finished(int status, JsonObject accounting) {
  }

  private final RoutingContext ctx;
  private final HttpServerResponse resp;
  private final boolean stream;
  private final String requestId;
  private final long startedAt;
  private final AnswerShape shape;
  private JsonObject head;
  private long firstDataAt;

  ResponseRelay(RoutingContext ctx, boolean stream, String requestId, long startedAt, AnswerShape shape) {
    this.ctx = ctx;
    this.resp = ctx.response();
    this.stream = stream;
    this.requestId = requestId;
    this.startedAt = startedAt;
    this.shape = shape;
  }

  /**
   * Writes {@code answer} to the client: its head now, its bytes as they come, its end or its error.
   * Completes once the client's response ended; never fails (a client gone mid-way leaves it pending:
   * the request ended as cancelled already).
   */
  Future<Finished> relay(Answer answer) {
    head = answer.meta();
    writeHead(answer.status());
    if (!stream) {
      Buffer body = Buffer.buffer();
      answer.handler(data -> {
        noteData();
        body.appendBuffer(data);
      });
      return answer.ended().transform(ended -> Future.succeededFuture(ended.succeeded()
          ? endBody(body, ended.result()) : failed(ended.cause())));
    }
    return answer.pipe().endOnComplete(false).to(new ShapedWrites())
        .transform(piped -> answer.ended())
        .transform(ended -> Future.succeededFuture(ended.succeeded() ? endStream(ended.result())
            : failed(ended.cause())));
  }

  /**
   * Writes {@code error}: a JSON answer with its status before anything went out, else the stream's last
   * event. {@code replaced}: the route's error stands for this hop's (several deployments were tried).
   */
  Finished error(OpenAiError error, JsonObject accounting, boolean replaced) {
    if (!resp.closed()) {
      if (!resp.headWritten()) {
        resp.putHeader(CallId.HEADER, requestId);
        if (head != null) {
          litellmHeaders(head);
        }
        // A stream that had not written a byte yet still gets a plain JSON error with its status.
        resp.setChunked(false);
        resp.headers().remove("cache-control");
      }
      shape.error(ctx, error);
    }
    return new Finished(error.status(), withReason(accounting, error, replaced));
  }

  /** The client went away before the answer was complete (the caller cancels the call). */
  Finished clientGone() {
    return new Finished(499, localAccounting("cancelled").put("reason", "the client disconnected"));
  }

  /** Ends the answer from this side (the shutdown grace ran out; the caller cancels the call). */
  Finished cancel(OpenAiError error) {
    return error(error, localAccounting("error").put("error_type", error.type()), false);
  }

  /**
   * The backend's accounting never comes for a call ended on this side: what this side saw of it
   * stands in (who was answering, from the head; when the first byte came).
   */
  private JsonObject localAccounting(String outcome) {
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

  private void writeHead(int status) {
    if (resp.headWritten()) {
      shape.head(status, stream); // a front door started the stream already (pings through a long silence)
      return;
    }
    resp.setStatusCode(status);
    litellmHeaders(head);
    String type = shape.head(status, stream);
    if (stream) {
      resp.setChunked(true)
          .putHeader("content-type", type != null ? type : head.getString("content_type", "text/event-stream"))
          .putHeader("cache-control", "no-cache")
          .putHeader("x-accel-buffering", "no");
    } else {
      resp.putHeader("content-type", type != null ? type : head.getString("content_type", "application/json"));
    }
  }

  private Finished endStream(JsonObject accounting) {
    if (!resp.closed()) {
      Buffer last = shape.streamEnd();
      if (last.length() > 0) {
        resp.end(last);
      } else {
        resp.end();
      }
    }
    return new Finished(resp.getStatusCode(), accounting);
  }

  private Finished endBody(Buffer body, JsonObject accounting) {
    if (!resp.closed()) {
      long total = System.currentTimeMillis() - startedAt;
      resp.putHeader("x-litellm-response-duration-ms", String.valueOf(total));
      long upstream = accounting.getLong("upstream_ms", 0L);
      resp.putHeader("x-litellm-overhead-duration-ms", String.valueOf(Math.max(0, total - upstream)));
      resp.end(shape.body(resp.getStatusCode(), body));
    }
    return new Finished(resp.getStatusCode(), accounting);
  }

  private Finished failed(Throwable cause) {
    CallFailure f = CallFailure.of(cause);
    return error(f.error(), f.accounting(), false);
  }

  /**
   * The accounting for the log and metrics, with why the request failed. A backend's own ERROR frame
   * says it in {@code reason}; every other error here is in Switchboard's words (refused, a lost peer,
   * the shutdown, every deployment of a group tried), so its message is the reason. Frames are shared:
   * the accounting is copied, not changed.
   */
  private static JsonObject withReason(JsonObject accounting, OpenAiError error, boolean replaced) {
    JsonObject m = accounting == null ? new JsonObject() : accounting.copy();
    if (replaced || m.getString("reason") == null) {
      m.put("reason", error.message());
    }
    return m;
  }

  private void litellmHeaders(JsonObject meta) {
    resp.putHeader(CallId.HEADER, requestId)
        .putHeader("x-litellm-version", Version.VERSION)
        .putHeader("x-litellm-response-duration-ms", String.valueOf(System.currentTimeMillis() - startedAt));
    if (meta.getString("model_id") != null) {
      resp.putHeader("x-litellm-model-id", meta.getString("model_id"));
    }
    if (meta.getString("api_base") != null) {
      resp.putHeader("x-litellm-model-api-base", meta.getString("api_base"));
    }
  }

  private void noteData() {
    if (firstDataAt == 0) {
      firstDataAt = System.currentTimeMillis();
    }
  }

  /** The client's response as the end of the pipe: each piece of the answer reshaped on its way. */
  private final class ShapedWrites implements WriteStream<Buffer> {
    @Override
    public Future<Void> write(Buffer data) {
      noteData();
      Buffer out = shape.streamData(data);
      return out.length() > 0 ? resp.write(out) : Future.succeededFuture();
    }

    @Override
    public Future<Void> end() {
      return Future.succeededFuture(); // the relay ends the response, with the shape's last bytes
    }

    @Override
    public boolean writeQueueFull() {
      return resp.writeQueueFull();
    }

    @Override
    public ShapedWrites drainHandler(Handler<Void> handler) {
      resp.drainHandler(handler);
      return this;
    }

    @Override
    public ShapedWrites exceptionHandler(Handler<Throwable> handler) {
      return this; // a closed client is the request's end handler's to see
    }

    @Override
    public ShapedWrites setWriteQueueMaxSize(int maxSize) {
      return this;
    }
  }
}
