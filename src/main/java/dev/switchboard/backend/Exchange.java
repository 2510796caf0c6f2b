package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;

/**
 * One call being answered by a BackendVerticle: started once; it stops itself when its answer stream
 * is cancelled, and is cancelled with an error for the client at most once (the drain's grace ran out).
 */
interface Exchange {

  /** Starts the call; completes (never fails) with how it ended, once its answer went out or it stopped. */
  Future<ExchangeOutcome> start();

  /** Ends the call with {@code error} for the client and cancels the upstream request. */
  void cancel(OpenAiError error);

  /** When the backend last sent this call anything (headers or body), epoch ms; 0 if nothing yet. */
  default long lastHeardAt() {
    return 0;
  }
}
