package dev.switchboard.api;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers and OpenAI-shaped errors: the one edge where failures become responses. */
final class Responses {

  private Responses() {
  }

  static void json(RoutingContext ctx, int status, Object body) {
    HttpServerResponse resp = ctx.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    String text = body instanceof JsonObject j ? j.encode() : Json.encode(body);
    resp.setStatusCode(status).putHeader("content-type", "application/json").end(text);
  }

  static void error(RoutingContext ctx, OpenAiError error) {
    HttpServerResponse resp = ctx.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    if (resp.headWritten()) {
      // Streaming already started: the status is gone, so the error travels as the last event.
      resp.end("data: " + error.toBody().encode() + "\n\n");
      return;
    }
    if (error.retryAfterSeconds() != null) {
      resp.putHeader("retry-after", String.valueOf(error.retryAfterSeconds()));
    }
    if (error.retryCannotHelp()) {
      resp.putHeader("x-should-retry", "false");
    }
    json(ctx, error.status(), error.toBody());
  }

  /** The error carried by a failed future, or an internal error naming what broke. */
  static OpenAiError of(Throwable t) {
    if (t instanceof OpenAiError.Failure f) {
      return f.error();
    }
    return OpenAiError.internal("Internal error: " + t);
  }
}
