package dev.switchboard.metrics;

import dev.switchboard.config.ModelDeployment;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Histogram;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * This node's per-model request meters, folded from the same metrics events the bus carries. Names
 * mirror LiteLLM's Prometheus metrics where one exists (docs/metrics.md has the mapping). Counters and
 * gauges are Micrometer's; the latency histograms are the Prometheus client's own, because a Micrometer
 * Timer would rename them ({@code _seconds}) and a DistributionSummary rounds each value up to a whole
 * number before bucketing (no sub-second buckets). Called
 * from every API event loop at once: meters are thread-safe, and per-model state sits in concurrent
 * maps.
 */
final class RequestMeters {

  /** Seconds: a cached answer at the bottom, a long reasoning stream at the top. */
  static final double[] LATENCY_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600};
  /** LiteLLM's labels of its deployment series. */
  static final String[] DEPLOYMENT_LABELS = {"litellm_model_name", "model_id", "api_base", "api_provider"};
  /** The label of requests for a model name this node does not know (keeps the label set bounded). */
  static final String OTHER = "other";

  private final PrometheusMeterRegistry registry;
  private final Histogram latency;
  private final Histogram upstream;
  private final Histogram ttft;
  /** Seconds per output token: a fast GPU at the bottom, a big model on a CPU at the top. */
  static final double[] PER_TOKEN_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  private final Histogram perOutputToken;
  private final Predicate<String> knownModel;
  private final Function<String, ModelDeployment> deployment;
  private final Map<String, ModelMeters> byModel = new ConcurrentHashMap<>();
  private final Map<String, DeploymentMeters> byDeployment = new ConcurrentHashMap<>();

  /**
   * Throws IllegalArgumentException when {@code registry} has these histograms already (one per registry).
   * {@code deployment}: this node's deployment with an id, or null (keeps the deployment labels bounded).
   */
  RequestMeters(PrometheusMeterRegistry registry, Predicate<String> knownModel,
                Function<String, ModelDeployment> deployment) {
    this.registry = registry;
    this.knownModel = knownModel;
    this.deployment = deployment;
    perOutputToken = Histogram.builder().name("litellm_deployment_latency_per_output_token")
        .help("Time in the backend call per completion token, in seconds, per deployment")
        .labelNames(DEPLOYMENT_LABELS).classicOnly().withoutExemplars().classicUpperBounds(PER_TOKEN_BUCKETS)
        .register(registry.getPrometheusRegistry());
    latency = seconds("litellm_request_total_latency_metric", "Whole request, as the client saw it, in seconds");
    upstream = seconds("litellm_llm_api_latency_metric", "Time spent in the backend call, in seconds");
    ttft = seconds("litellm_llm_api_time_to_first_token_metric",
        "Streams: time from the request to the first byte of the answer, in seconds");
  }

  private Histogram seconds(String name, String help) {
    // No exemplars: they need the Prometheus tracer initializer, which is not on the classpath.
    return Histogram.builder().name(name).help(help).labelNames("model").classicOnly().withoutExemplars()
        .classicUpperBounds(LATENCY_BUCKETS).register(registry.getPrometheusRegistry());
  }

  /** Counts one finished request from its metrics event. */
  void record(JsonObject event) {
    String model = event.getString("model");
    String label = model != null && knownModel.test(model) ? model : OTHER;
    String status = String.valueOf(event.getInteger("status"));
    String outcome = event.getString("outcome");
    ModelMeters m = byModel.computeIfAbsent(label, ModelMeters::new);
    // Counters looked up once per label set, not built and registered again per request (a
    // registry lookup with fresh Tags each time; it showed in the request path's profile).
    m.requests.computeIfAbsent(status + ' ' + outcome, k -> Counter.builder("litellm_proxy_total_requests_metric")
        .description("Requests finished, by model, HTTP status and outcome")
        .tags("requested_model", label, "status_code", status, "outcome", outcome)
        .register(registry)).increment();
    if (!outcome.equals("ok")) {
      String type = event.getString("error_type");
      String exceptionClass = type == null ? "" : type;
      m.failures.computeIfAbsent(status + ' ' + exceptionClass, k -> Counter.builder("litellm_proxy_failed_requests_metric")
          .description("Requests that did not end well, by model, HTTP status and error type")
          .tags("requested_model", label, "exception_status", status, "exception_class", exceptionClass)
          .register(registry)).increment();
    }
    m.latency.observe(event.getLong("latency_ms") / 1000.0);
    Long upstreamMs = event.getLong("upstream_ms");
    if (upstreamMs != null) {
      m.upstream.observe(upstreamMs / 1000.0);
    }
    Long ttftMs = event.getLong("ttft_ms");
    if (ttftMs != null && event.getBoolean("stream")) {
      m.ttft.observe(ttftMs / 1000.0);
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
    recordDeployment(event, outcome, upstreamMs, completion);
  }

  /** LiteLLM's per-deployment series, for a deployment of this node's config (a request no backend saw has none). */
  private void recordDeployment(JsonObject event, String outcome, Long upstreamMs, Long completion) {
    String id = event.getString("model_id");
    if (id == null) {
      return;
    }
    DeploymentMeters d = byDeployment.get(id);
    if (d == null) {
      ModelDeployment known = deployment.apply(id);
      if (known == null) {
        return;
      }
      d = byDeployment.computeIfAbsent(id, k -> new DeploymentMeters(known));
    }
    d.total.increment();
    (outcome.equals("ok") ? d.success : d.failure).increment();
    if (outcome.equals("ok") && upstreamMs != null && completion != null && completion > 0) {
      d.perToken.observe(upstreamMs / 1000.0 / completion);
    }
  }

  /** The meters of one deployment, built once. */
  private final class DeploymentMeters {
    final Counter total;
    final Counter success;
    final Counter failure;
    final DistributionDataPoint perToken;

    DeploymentMeters(ModelDeployment d) {
      String apiBase = d.shownApiBase() == null ? "" : d.shownApiBase();
      Tags tags = Tags.of(DEPLOYMENT_LABELS[0], d.modelName(), DEPLOYMENT_LABELS[1], d.id(),
          DEPLOYMENT_LABELS[2], apiBase, DEPLOYMENT_LABELS[3], d.provider());
      total = Counter.builder("litellm_deployment_total_requests").description("Requests sent to a deployment")
          .tags(tags).register(registry);
      success = Counter.builder("litellm_deployment_success_responses")
          .description("Requests a deployment answered well").tags(tags).register(registry);
      failure = Counter.builder("litellm_deployment_failure_responses")
          .description("Requests that failed on a deployment").tags(tags).register(registry);
      perToken = perOutputToken.labelValues(d.modelName(), d.id(), apiBase, d.provider());
    }
  }

  /** The meters of one model label, built once. */
  private final class ModelMeters {
    final DistributionDataPoint latency;
    final DistributionDataPoint upstream;
    final DistributionDataPoint ttft;
    final Counter input;
    final Counter output;
    final Counter total;
    /** By "status outcome" and "status error_type": a handful each, bounded like the labels. */
    final Map<String, Counter> requests = new ConcurrentHashMap<>();
    final Map<String, Counter> failures = new ConcurrentHashMap<>();

    ModelMeters(String model) {
      latency = RequestMeters.this.latency.labelValues(model);
      upstream = RequestMeters.this.upstream.labelValues(model);
      ttft = RequestMeters.this.ttft.labelValues(model);
      input = tokens("litellm_input_tokens", "Prompt tokens, as the backend reported them", model);
      output = tokens("litellm_output_tokens", "Completion tokens, as the backend reported them", model);
      total = tokens("litellm_total_tokens", "Prompt and completion tokens", model);
    }

    private Counter tokens(String name, String description, String model) {
      return Counter.builder(name).description(description).tag("model", model).register(registry);
    }
  }
}
