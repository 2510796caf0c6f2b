package dev.switchboard.api;

import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The request's {@code x-litellm-call-id}: the client's own when it sent a sane one, as LiteLLM keeps it. */
final class CallId {

  static final String HEADER = "x-litellm-call-id";

  private CallId() {
  }

  static String of(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    return given != null && !given.isBlank() && given.length() <= 128 ? given : randomUuid();
  }

  /**
   * A version-4 UUID from {@link ThreadLocalRandom}, the shape of LiteLLM's call ids. {@link UUID#randomUUID()}
   * draws on {@code SecureRandom} (a lock, a SHA-1 mix, reads of {@code /dev/urandom}) for ids that protect
   * nothing: these need to be unique, not unguessable.
   */
  static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;              // version 4
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
