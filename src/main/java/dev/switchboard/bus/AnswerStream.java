package dev.switchboard.bus;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.WriteStream;

/**
 * The backend side of one accepted call: where its answer goes, as a {@code WriteStream} of the bytes
 * for the client, so that a backend's body is piped into it with Vert.x's own backpressure. Its window
 * is the API side's credit, in bytes: what a write brings beyond it is held here, never sent, and
 * {@link #writeQueueFull()} says so until the API side's credit covers it again (then the drain
 * handler runs). Use on the BackendVerticle's event loop only.
 *
 * <p>Status and response metadata go first ({@link #head}); the answer ends with {@link #end(JsonObject)}
 * (its accounting) or {@link #fail} (an error, before or after the head), which go out after every byte
 * held. Once ended, failed or cancelled, writes fail and nothing more is sent.
 */
public interface AnswerStream extends WriteStream<Buffer> {

  /** The call this answers. */
  Call call();

  /** Sends the status and response metadata, once (later calls do nothing); must come before any data. */
  void head(int status, JsonObject meta);

  /**
   * Ends the answer well; {@code accounting} goes with it (docs/event-bus.md, END). Completes once
   * everything, the end included, went out; fails if the call was cancelled first.
   */
  Future<Void> end(JsonObject accounting);

  /** Ends the answer with {@code error}, after what was written before; {@code accounting} may be null. */
  void fail(OpenAiError error, JsonObject accounting);

  /** Completes, with the reason for the logs, when the API side cancels the call or is lost. */
  Future<String> cancelled();

  /** True once ended, failed or cancelled. */
  boolean closed();

  /** Ends the answer with no accounting. */
  @Override
  default Future<Void> end() {
    return end(new JsonObject());
  }
}
