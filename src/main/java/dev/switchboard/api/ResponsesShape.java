package dev.switchboard.api;

import dev.switchboard.error.OpenAiError;
import dev.switchboard.responses.ResponsesAnswer;
import dev.switchboard.responses.ResponsesRequest;
import dev.switchboard.responses.ResponsesStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Consumer;

/**
 * One Responses API request's answer: the chat completion (JSON, or SSE in pieces of any size) reshaped
 * into a Response object or the Responses event stream, which always ends with {@code response.completed}
 * or {@code response.failed}. A finished response goes to {@code finished} (to be stored).
 */
final class ResponsesShape implements AnswerShape {

  private final String id;
  private final String model;
  private final ResponsesRequest request;
  private final ResponsesStream stream;
  private final Consumer<JsonObject> finished;
  /** The backend answered an error status: its body is passed on, not read as a completion. */
  private boolean backendError;
  private int backendStatus;
  /** The error body of a backend that failed after a keep-alive started the stream: it ends as response.failed. */
  private Buffer errorBody;
  private long lastDataAt = System.currentTimeMillis();

  ResponsesShape(String id, String model, ResponsesRequest request, boolean stream, Consumer<JsonObject> finished) {
    this.id = id;
    this.model = model;
    this.request = request;
    this.stream = stream ? new ResponsesStream(id, model, request) : null;
    this.finished = finished;
  }

  @Override
  public String head(int status, boolean streamed) {
    backendError = status >= 400;
    backendStatus = status;
    if (backendError && stream != null && stream.isStarted()) {
      errorBody = Buffer.buffer();
    }
    return streamed && !backendError ? "text/event-stream" : "application/json";
  }

  /** An error status's body is already in OpenAI's error shape, which is the Responses API's too: as it is. */
  @Override
  public Buffer streamData(Buffer data) {
    lastDataAt = System.currentTimeMillis();
    if (errorBody != null) {
      errorBody.appendBuffer(data);
      return Buffer.buffer();
    }
    return backendError ? data : stream.data(data);
  }

  @Override
  public Buffer streamEnd() {
    if (errorBody != null) {
      return stream.fail(backendStatus, messageOf(errorBody));
    }
    if (backendError) {
      return Buffer.buffer();
    }
    Buffer last = stream.end();
    JsonObject response = stream.finished();
    if (response != null && !"failed".equals(response.getString("status"))) {
      finished.accept(response);
    }
    return last;
  }

  /** Milliseconds since the backend last sent something, or a keep-alive went out (or since the request came). */
  long silentFor() {
    return System.currentTimeMillis() - lastDataAt;
  }

  /**
   * What keeps a silent stream alive now (its start, or another in_progress; empty: nothing may go now,
   * as once the backend's error status came: its body is on its way).
   */
  Buffer keepAlive() {
    lastDataAt = System.currentTimeMillis();
    return backendError ? Buffer.buffer() : stream.keepAlive();
  }

  /** The message of a backend's error body ({@code {"error": {"message"}}}), or its first 200 characters. */
  private static String messageOf(Buffer body) {
    try {
      Object error = body.toJsonObject().getValue("error");
      if (error instanceof JsonObject e && e.getValue("message") instanceof String m) {
        return m;
      }
      if (error instanceof String m) {
        return m;
      }
    } catch (RuntimeException notJson) {
      // its text, below
    }
    String text = body.toString();
    return text.substring(0, Math.min(200, text.length()));
  }

  @Override
  public Buffer body(int status, Buffer body) {
    if (status >= 400) {
      return body;
    }
    JsonObject completion;
    try {
      completion = body.toJsonObject();
    } catch (RuntimeException notJson) {
      return OpenAiError.internal("The backend's answer is not JSON").toBody().toBuffer();
    }
    JsonObject response = ResponsesAnswer.translate(completion, id, model, request);
    finished.accept(response);
    return response.toBuffer();
  }

  /**
   * The shape of an answer from a deployment that speaks Responses itself: its bytes pass through (its
   * translator re-stamped the model); a failure after the stream started is still a {@code response.failed}.
   */
  static AnswerShape passThrough(String model, ResponsesRequest request) {
    return new AnswerShape() {
      @Override
      public void error(RoutingContext ctx, OpenAiError error) {
        if (ctx.response().headWritten() && !ctx.response().ended() && !ctx.response().closed()) {
          ResponsesStream failed = new ResponsesStream("resp_failed", model, request);
          failed.data(Buffer.buffer()); // its created events are the backend's: only the failure goes out
          ctx.response().end(failed.fail(error.status(), error.message()));
          return;
        }
        Responses.error(ctx, error);
      }
    };
  }

  @Override
  public void error(RoutingContext ctx, OpenAiError error) {
    OpenAiError e = error;
    if (stream != null && ctx.response().headWritten() && !ctx.response().ended() && !ctx.response().closed()) {
      ctx.response().end(stream.fail(e.status(), e.message()));
      return;
    }
    Responses.error(ctx, e);
  }
}
