package dev.switchboard.bus;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The backend side's hold on one accepted call: where its answer goes. Use on the BackendVerticle's
 * event loop only. After {@link #end} or {@link #error}, or once cancelled, every method is a no-op.
 */
public interface StreamSink {

  /** Sends the status and response metadata; must come before any data. */
  void head(int status, JsonObject meta);

  /** Sends bytes for the client; returns false when the credit window is used up (pause the source). */
  boolean data(Buffer data);

  /** Frames the backend may still send before it must wait for credit. */
  int window();

  /** Runs {@code onWritable} once when the window reopens after reaching zero. */
  void whenWritable(Runnable onWritable);

  void end(JsonObject meta);

  void error(OpenAiError error, JsonObject meta);

  /** Runs {@code onCancel} if the API side cancels the call or is lost; the reason is for logs. */
  void onCancel(java.util.function.Consumer<String> onCancel);

  /** True once ended, failed or cancelled. */
  boolean closed();

  Call call();
}
