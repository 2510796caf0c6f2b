package dev.switchboard.metrics;

import dev.switchboard.bus.Endpoint;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The {@code switchboard.metrics} event for one finished request (schema: docs/event-bus.md, "Metrics
 * events"). Every key is always present, null when unknown, so consumers can rely on the shape. A
 * pure function of the finished request: safe on any thread.
 */
public final class MetricsEvent {

  /** Bumped when a key changes meaning or goes away; new keys may appear within a version. */
  public static final int VERSION = 1;

  static final Set<String> OUTCOMES = Set.of("ok", "error", "timeout", "cancelled", "rejected");

  private MetricsEvent() {
  }

  public static JsonObject of(FinishedRequest r, String node, long ts) {
    JsonObject m = r.meta() == null ? new JsonObject() : r.meta();
    String outcome = outcome(r.status(), m.getString("outcome"));
    Long latency = r.latencyMs();
    Long ttft = number(m, "ttft_ms");
    Long queue = number(m, "queue_ms");
    Long completion = number(m, "completion_tokens");
    return new JsonObject()
        .put("version", VERSION)
        .put("ts", ts)
        .put("request_id", r.requestId())
        .put("node", node)
        .put("model", r.model())
        .put("model_id", m.getString("model_id"))
        .put("provider", m.getString("provider"))
        .put("backend_model", m.getString("backend_model"))
        // Already without user info or query: the backend puts ModelDeployment.shownApiBase() there.
        .put("api_base", m.getString("api_base"))
        .put("endpoint", endpoint(r))
        .put("stream", r.stream())
        .put("status", r.status())
        .put("outcome", outcome)
        .put("error_type", errorType(outcome, m))
        .put("latency_ms", latency)
        .put("ttft_ms", ttft)
        .put("queue_ms", queue)
        .put("upstream_ms", number(m, "upstream_ms"))
        .put("prompt_tokens", number(m, "prompt_tokens"))
        .put("completion_tokens", completion)
        .put("tokens_per_s", tokensPerSecond(outcome, r.stream(), completion, latency, ttft, queue));
  }

  /** The status says more than the backend's word when the API ended the request itself. */
  static String outcome(int status, String reported) {
    return switch (status) {
      case 408 -> "timeout";
      case 429 -> "rejected";
      case 499 -> "cancelled";
      default -> {
        if (reported != null && OUTCOMES.contains(reported) && !(reported.equals("ok") && status >= 400)) {
          yield reported;
        }
        yield status >= 400 ? "error" : "ok";
      }
    };
  }

  private static String errorType(String outcome, JsonObject m) {
    String type = m.getString("error_type");
    if (type == null && m.getValue("error") instanceof JsonObject err) {
      type = err.getString("type");
    }
    if (type == null && outcome.equals("timeout")) {
      type = "timeout_error";
    }
    return type;
  }

  /**
   * Generation speed: for a stream, completion tokens over the time after the first token; otherwise
   * over the time the backend worked (latency less queueing).
   */
  static Double tokensPerSecond(String outcome, boolean stream, Long completion, long latency, Long ttft,
                                Long queue) {
    if (!outcome.equals("ok") || completion == null || completion <= 0) {
      return null;
    }
    long ms = stream && ttft != null && latency > ttft ? latency - ttft : latency - (queue == null ? 0 : queue);
    if (ms <= 0) {
      return null;
    }
    return Math.round(completion * 100_000.0 / ms) / 100.0;
  }

  /** The OpenAI endpoint; never the raw path, which may carry a model name (Azure-style routes). */
  private static String endpoint(FinishedRequest r) {
    if (r.endpoint() != null) {
      return r.endpoint().path();
    }
    for (Endpoint e : Endpoint.values()) {
      if (r.path() != null && r.path().endsWith(e.path())) {
        return e.path();
      }
    }
    return null;
  }

  private static Long number(JsonObject m, String key) {
    return m.getValue(key) instanceof Number n ? n.longValue() : null;
  }
}
