package dev.switchboard.bus;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/** What the API side does with the frames of one call. Called on the API verticle's event loop. */
public interface FrameListener {

  /** The backend answered: status and metadata (content type, model id, api_base, ...). */
  void onHead(int status, JsonObject meta);

  /** Bytes ready to write to the client. */
  void onData(Buffer data);

  /** The call finished normally; {@code meta} holds its accounting (usage, timings). */
  void onEnd(JsonObject meta);

  /** The call failed, before or after HEAD; {@code meta} may hold accounting. */
  void onError(OpenAiError error, JsonObject meta);
}
