package dev.switchboard.api;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * How one request's answer is written in the API its client speaks. Every deployment answers in OpenAI's
 * chat-completions shape (JSON, or SSE chunks); a front door for another API (Anthropic's Messages,
 * OpenAI's Responses) reshapes that answer here, per request, as it streams. {@link #OPENAI} leaves it
 * as it is.
 */
public interface AnswerShape {

  /** Chat completions as they are: the backend's bytes, OpenAI-shaped errors. */
  AnswerShape OPENAI = new AnswerShape() {
  };

  /**
   * The answer's head arrived: its status (a backend's error keeps its own) and whether it streams.
   * Returns the content type to answer with; null keeps the backend's.
   */
  default String head(int status, boolean stream) {
    return null;
  }

  /** Streamed bytes as they arrive (chat-completion SSE events, in pieces of any size) → the client's. */
  default Buffer streamData(Buffer data) {
    return data;
  }

  /** What ends a stream that ended well, after its last data (empty: nothing). */
  default Buffer streamEnd() {
    return Buffer.buffer();
  }

  /** A whole non-streamed answer (a chat completion, or the backend's error with {@code status}) → the client's. */
  default Buffer body(int status, Buffer body) {
    return body;
  }

  /** Writes {@code error}: a JSON answer before anything went out, else the stream's last event. */
  default void error(RoutingContext ctx, OpenAiError error) {
    Responses.error(ctx, error);
  }

  /**
   * A token count asked of a native deployment (Messages' count_tokens, Responses' input_tokens): its
   * answer, or {@code estimate} when it fails or cannot count (an older server: 404), since a count is
   * a hint and an estimate beats an error.
   */
  static AnswerShape countOr(JsonObject estimate) {
    return new AnswerShape() {
      @Override
      public Buffer body(int status, Buffer body) {
        return status < 400 ? body : estimate.toBuffer();
      }

      @Override
      public void error(RoutingContext ctx, OpenAiError error) {
        Responses.json(ctx, 200, estimate);
      }
    };
  }
}
