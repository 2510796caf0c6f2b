package dev.switchboard.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One message of the stream protocol between an API verticle and a BackendVerticle
 * (docs/event-bus.md, "Stream protocol"). Immutable; locally handed over without a copy.
 *
 * <p>Backend to API: {@code HEAD} (status and response metadata), {@code DATA} (bytes ready for the
 * client), then exactly one of {@code END} or {@code ERROR}; {@code KEEPALIVE} for open streams.
 * API to backend: {@code CREDIT} (may send {@code n} more bytes of DATA), {@code CANCEL}, {@code KEEPALIVE}.
 *
 * @param kind     what this frame is
 * @param streamId the call it belongs to; null for KEEPALIVE
 * @param n        HEAD/ERROR: HTTP status; CREDIT: bytes granted; otherwise 0
 * @param meta     HEAD: response metadata; END/ERROR: outcome and accounting; CANCEL: reason;
 *                 KEEPALIVE: {@code {"streams":[ids]}}; else null
 * @param data     DATA: the bytes; otherwise null
 */
public record Frame(Kind kind, String streamId, int n, JsonObject meta, Buffer data) {

  /** Frame kinds; the ordinal is part of the wire format, so only append. */
  public enum Kind { HEAD, DATA, END, ERROR, CREDIT, CANCEL, KEEPALIVE }

  public static Frame head(String streamId, int status, JsonObject meta) {
    return new Frame(Kind.HEAD, streamId, status, meta, null);
  }

  public static Frame data(String streamId, Buffer data) {
    return new Frame(Kind.DATA, streamId, 0, null, data);
  }

  public static Frame end(String streamId, JsonObject meta) {
    return new Frame(Kind.END, streamId, 0, meta, null);
  }

  /** {@code meta.error} holds the OpenAI error object; the rest is accounting as in END. */
  public static Frame error(String streamId, int status, JsonObject meta) {
    return new Frame(Kind.ERROR, streamId, status, meta, null);
  }

  public static Frame credit(String streamId, int n) {
    return new Frame(Kind.CREDIT, streamId, n, null, null);
  }

  public static Frame cancel(String streamId, String reason) {
    return new Frame(Kind.CANCEL, streamId, 0, new JsonObject().put("reason", reason), null);
  }

  public static Frame keepalive(JsonArray streamIds) {
    return new Frame(Kind.KEEPALIVE, null, 0, new JsonObject().put("streams", streamIds), null);
  }
}
