package dev.switchboard.bus;

import io.vertx.core.Future;

/**
 * The API side's hold on one call, from the moment it is sent: its answer to come, and the one way to
 * stop it. Use on the API verticle's event loop only.
 */
public interface CallHandle {

  /**
   * Completes when the answer's head arrives; fails with a {@link CallFailure} when no backend took the
   * call, or the backend failed it before its head (then another deployment may answer instead).
   */
  Future<Answer> answer();

  /**
   * Cancels the call, at any point: the backend cancels its upstream request (the backend stops
   * generating). Nothing more of the answer is delivered after this.
   */
  void cancel(String reason);
}
