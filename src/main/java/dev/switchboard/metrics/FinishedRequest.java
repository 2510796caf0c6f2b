package dev.switchboard.metrics;

import dev.switchboard.bus.Endpoint;
import io.vertx.core.json.JsonObject;

/**
 * A finished request, as the request log reports it and the metrics count it. {@code endpoint} is null
 * for a request refused before its body was read; {@code meta} is the call's accounting (outcome, usage,
 * timings, who answered).
 */
public record FinishedRequest(String requestId, String method, String path, String model, Endpoint endpoint,
                              boolean stream, int status, long latencyMs, JsonObject meta) {

  /** Receives every finished request (register with {@code Switchboard.onRequestFinished}). */
  public interface Listener {
    void finished(FinishedRequest request);
  }
}
