package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;

/**
 * Turns one successful backend response body into what the client gets, chunk by chunk. One instance
 * per call; called on the BackendVerticle's event loop in order.
 */
public interface ResponseTranslator {

  /** A piece of the backend's body, as it came off the socket (events may be split or merged). */
  void onData(Buffer chunk, TranslationSink out);

  /** The backend's body ended. */
  void onEnd(TranslationSink out);
}
