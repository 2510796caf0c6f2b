package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;

/** One call being answered by a BackendVerticle: started once, cancelled at most once. */
interface Exchange {

  void start();

  /** Stops the call (client gone, timeout, shutdown): aborts the upstream request if there is one. */
  void cancel(String reason);

  /** Ends the call with {@code error} for the client (the drain's grace ran out) and aborts the upstream request. */
  void cut(OpenAiError error);

  /** When the backend last sent this call anything (headers or body), epoch ms; 0 if nothing yet. */
  default long lastHeardAt() {
    return 0;
  }
}
