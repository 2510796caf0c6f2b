package dev.switchboard.api;

import dev.switchboard.error.OpenAiError;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Requests the HTTP decoder could not read (a request line or headers over Vert.x's limits, a broken
 * request line): the statuses Vert.x gives them (414, 431, 400), with an error body in OpenAI's shape
 * instead of an empty one, and the connection closed after it, since nothing after such a request can
 * be trusted to start where the next request does.
 */
final class InvalidRequests implements Handler<HttpServerRequest> {

  private static final int MAX_CAUSE = 200;

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    OpenAiError error;
    if (cause instanceof TooLongHttpLineException) {
      error = new OpenAiError(414, "Request line longer than " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
          + " bytes", "invalid_request_error", null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new OpenAiError(431, "Request headers larger than " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
          + " bytes", "invalid_request_error", null);
    } else {
      String why = cause == null || cause.getMessage() == null || cause instanceof TooLongFrameException
          ? "" : ": " + truncate(cause.getMessage());
      error = OpenAiError.badRequest("Malformed HTTP request" + why, null);
    }
    request.response().setStatusCode(error.status()).putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(error.toBody().encode())
        .onComplete(v -> request.connection().close());
  }

  private static String truncate(String s) {
    return s.length() <= MAX_CAUSE ? s : s.substring(0, MAX_CAUSE) + "...";
  }
}
