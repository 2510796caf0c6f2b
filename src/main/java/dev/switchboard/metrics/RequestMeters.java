package dev.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * This node's per-model request meters, folded from the same metrics events the bus carries. Names
 * mirror LiteLLM's Prometheus metrics where one exists (docs/metrics.md has the mapping). Called
 * from every API event loop at once: meters are thread-safe, and per-model state sits in concurrent
 * maps.
 */
final class RequestMeters {

  /** Seconds: a cached answer at the bottom, a long reasoning stream at the top. */
  static final double[] LATENCY_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600};
  /** The label of requests for a model name this node does not know (keeps the label set bounded). */
  static final String OTHER = "other";

  private final MeterRegistry registry;
  private final Predicate<String> knownModel;
  private final Map<String, ModelMeters> byModel = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> inFlight = new ConcurrentHashMap<>();

  RequestMeters(MeterRegistry registry, Predicate<String> knownModel) {
    this.registry = registry;
    this.knownModel = knownModel;
  }

  /** A call was handed to {@code model}'s backend. */
  void started(String model) {
    inFlight.computeIfAbsent(model, this::inFlightGauge).incrementAndGet();
  }

  /** The call started for {@code model} finished. */
  void ended(String model) {
    AtomicLong n = inFlight.get(model);
    if (n != null) {
      n.decrementAndGet();
    }
  }

  /** Counts one finished request from its metrics event. */
  void record(JsonObject event) {
    String model = event.getString("model");
    String label = model != null && knownModel.test(model) ? model : OTHER;
    String status = String.valueOf(event.getInteger("status"));
    String outcome = event.getString("outcome");
    Counter.builder("litellm_proxy_total_requests_metric")
        .description("Requests finished, by model, HTTP status and outcome")
        .tags("requested_model", label, "status_code", status, "outcome", outcome)
        .register(registry).increment();
    if (!outcome.equals("ok")) {
      String type = event.getString("error_type");
      Counter.builder("litellm_proxy_failed_requests_metric")
          .description("Requests that did not end well, by model, HTTP status and error type")
          .tags("requested_model", label, "exception_status", status, "exception_class", type == null ? "" : type)
          .register(registry).increment();
    }
    ModelMeters m = byModel.computeIfAbsent(label, ModelMeters::new);
    m.latency.record(event.getLong("latency_ms") / 1000.0);
    Long upstream = event.getLong("upstream_ms");
    if (upstream != null) {
      m.upstream.record(upstream / 1000.0);
    }
    Long ttft = event.getLong("ttft_ms");
    if (ttft != null && event.getBoolean("stream")) {
      m.ttft.record(ttft / 1000.0);
    }
    Long prompt = event.getLong("prompt_tokens");
    Long completion = event.getLong("completion_tokens");
    if (prompt != null) {
      m.input.increment(prompt);
      m.total.increment(prompt);
    }
    if (completion != null) {
      m.output.increment(completion);
      m.total.increment(completion);
    }
  }

  private AtomicLong inFlightGauge(String model) {
    AtomicLong n = new AtomicLong();
    Gauge.builder("switchboard_requests_in_flight", n, AtomicLong::get)
        .description("Requests handed to the model's backend and not finished yet (this node's API)")
        .tag("model", model).strongReference(true).register(registry);
    return n;
  }

  /** The meters of one model label, built once. */
  private final class ModelMeters {
    final DistributionSummary latency;
    final DistributionSummary upstream;
    final DistributionSummary ttft;
    final Counter input;
    final Counter output;
    final Counter total;

    ModelMeters(String model) {
      latency = seconds("litellm_request_total_latency_metric",
          "Whole request, as the client saw it, in seconds", model);
      upstream = seconds("litellm_llm_api_latency_metric", "Time spent in the backend call, in seconds", model);
      ttft = seconds("litellm_llm_api_time_to_first_token_metric",
          "Streams: time from the request to the first byte of the answer, in seconds", model);
      input = tokens("litellm_input_tokens", "Prompt tokens, as the backend reported them", model);
      output = tokens("litellm_output_tokens", "Completion tokens, as the backend reported them", model);
      total = tokens("litellm_total_tokens", "Prompt and completion tokens", model);
    }

    private DistributionSummary seconds(String name, String description, String model) {
      // A summary in seconds rather than a Timer: Micrometer would append _seconds to the name, and
      // these keep LiteLLM's names so its dashboards port unchanged.
      return DistributionSummary.builder(name).description(description).tag("model", model)
          .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    private Counter tokens(String name, String description, String model) {
      return Counter.builder(name).description(description).tag("model", model).register(registry);
    }
  }
}
