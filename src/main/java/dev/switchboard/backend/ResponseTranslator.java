package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;

/**
 * Turns one successful backend response body into what the client gets, piece by piece: a function
 * of the bytes, run by {@link Translation} as a stage of the pipe from the backend's body to the
 * answer stream. One instance per call; called on the BackendVerticle's event loop, in order.
 */
public interface ResponseTranslator {

  /**
   * The client's bytes for a piece of the backend's body, as it came off the socket (events may be
   * split or merged); empty while nothing is complete.
   */
  Buffer translate(Buffer chunk);

  /** What the client still gets once the backend's body ended. */
  Buffer end();

  /**
   * Set once the backend's answer turned out broken or an error (e.g. a malformed line, an error
   * event): the call ends with it, after the bytes returned until then. Null while all is well.
   */
  default OpenAiError failure() {
    return null;
  }

  /** Token counts the backend reported, or null when it reported none (yet). */
  default Usage usage() {
    return null;
  }

  /** Token counts as the backend reported them. */
  record Usage(long promptTokens, long completionTokens) {
  }
}
