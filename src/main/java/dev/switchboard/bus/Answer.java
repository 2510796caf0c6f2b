package dev.switchboard.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.streams.ReadStream;

/**
 * A call's answer on the API side, once its head arrived: status and response metadata, and the bytes
 * for the client as a {@code ReadStream}, so that it is piped to the client with Vert.x's own
 * backpressure. Credit goes back to the backend, in bytes, only for what was handed on: a paused
 * answer stops the backend (within the window) instead of filling the heap. Bytes wait until a handler
 * is set (or the answer is piped), and so does the end. Use on the API verticle's event loop only.
 */
public interface Answer extends ReadStream<Buffer> {

  /** The HTTP status the backend answered with. */
  int status();

  /** Response metadata from the head: {@code content_type}, {@code model_id}, {@code api_base}, ... */
  JsonObject meta();

  /** The node whose backend answers (for logs and metrics). */
  String node();

  /**
   * Completes with the call's accounting (docs/event-bus.md, END) once every byte was handed on; fails
   * with a {@link CallFailure} when the answer ends with an error instead (the backend's, or a lost peer).
   */
  Future<JsonObject> ended();

  @Override
  Answer handler(Handler<Buffer> handler);

  @Override
  Answer exceptionHandler(Handler<Throwable> handler);

  @Override
  Answer endHandler(Handler<Void> endHandler);

  @Override
  Answer pause();

  @Override
  Answer resume();

  @Override
  Answer fetch(long amount);
}
