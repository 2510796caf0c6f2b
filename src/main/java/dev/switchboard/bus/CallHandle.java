package dev.switchboard.bus;

/** The API side's hold on an accepted call. Use on the API verticle's event loop only. */
public interface CallHandle {

  /** Tells the backend that {@code n} more DATA frames may be sent (the client consumed that many). */
  void credit(int n);

  /** Stops the call: the backend aborts the upstream request. No frame reaches the listener after this. */
  void cancel(String reason);

  /** The node that accepted the call (for logs and metrics). */
  String node();
}
