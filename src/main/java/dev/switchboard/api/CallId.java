package dev.switchboard.api;

import dev.switchboard.bus.Ids;
import io.vertx.ext.web.RoutingContext;

/** The request's {@code x-litellm-call-id}: the client's own when it sent a sane one, as LiteLLM keeps it. */
final class CallId {

  static final String HEADER = "x-litellm-call-id";

  private CallId() {
  }

  static String of(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    return given != null && !given.isBlank() && given.length() <= 128 ? given : Ids.randomUuid();
  }
}
