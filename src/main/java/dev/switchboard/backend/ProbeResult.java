package dev.switchboard.backend;

/**
 * What one liveness probe found. {@code noAnswer}: the backend took the probe but did not answer in time
 * (busy or frozen: the verticle weighs it against the traffic it is answering meanwhile).
 */
public record ProbeResult(boolean healthy, String reason, boolean noAnswer) {

  public ProbeResult(boolean healthy, String reason) {
    this(healthy, reason, false);
  }
}
