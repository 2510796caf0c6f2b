package dev.switchboard.backend;

/** One call being answered by a BackendVerticle: started once, cancelled at most once. */
interface Exchange {

  void start();

  /** Stops the call (client gone, timeout, shutdown): aborts the upstream request if there is one. */
  void cancel(String reason);
}
