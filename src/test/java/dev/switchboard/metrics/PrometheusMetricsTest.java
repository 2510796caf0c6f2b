package dev.switchboard.metrics;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import dev.switchboard.testkit.WatchedNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /metrics in Prometheus text format: LiteLLM's names, per model, moving as requests are made. */
@ExtendWith(VertxExtension.class)
class PrometheusMetricsTest {

  private static final String CHAT = "{\"model\":\"%s\",\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private FakeOpenAiBackend backend;
  private TestNode sb;

  private void start(Vertx vertx, String extra) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params:
              model: openai/qwen3-coder-30b
              api_base: %s
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        %s
        """.formatted(backend.apiBase(), extra));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void countersAndHistogramsMoveWithRequests(Vertx vertx) {
    start(vertx, "");
    sb.post("/v1/chat/completions", CHAT.formatted("coder", false));
    sb.post("/v1/chat/completions", CHAT.formatted("coder", false));
    backend.behave(backend.streaming("qwen3-coder-30b", 10, "a", "b"));
    sb.post("/v1/chat/completions", CHAT.formatted("coder", true));
    sb.post("/v1/chat/completions", CHAT.formatted("nope", false));
    sb.post("/v1/chat/completions", CHAT.formatted("coder", false), "Authorization", "Bearer sk-wrong");

    String text = scrape();

    assertThat(value(text, "litellm_proxy_total_requests_metric_total", "outcome=\"ok\"",
        "requested_model=\"coder\"", "status_code=\"200\"")).hasValue(3.0);
    assertThat(value(text, "litellm_proxy_total_requests_metric_total", "outcome=\"rejected\"",
        "requested_model=\"other\"", "status_code=\"400\"")).hasValue(1.0);
    assertThat(value(text, "litellm_proxy_failed_requests_metric_total", "requested_model=\"other\"",
        "exception_status=\"400\"")).hasValue(1.0);
    assertThat(value(text, "litellm_proxy_failed_requests_metric_total", "requested_model=\"other\"",
        "exception_status=\"401\"", "exception_class=\"auth_error\"")).hasValue(1.0);
    assertThat(value(text, "litellm_request_total_latency_metric_count", "model=\"coder\"")).hasValue(3.0);
    assertThat(value(text, "litellm_request_total_latency_metric_bucket", "model=\"coder\"", "le=\"600.0\""))
        .hasValue(3.0);
    // Sub-second buckets exist (LiteLLM's): these answers take milliseconds, or more on a loaded machine.
    assertThat(value(text, "litellm_request_total_latency_metric_bucket", "model=\"coder\"", "le=\"0.5\""))
        .hasValueSatisfying(v -> assertThat(v).isBetween(0.0, 3.0));
    assertThat(value(text, "litellm_llm_api_time_to_first_token_metric_count", "model=\"coder\"")).hasValue(1.0);
    assertThat(value(text, "litellm_input_tokens_total", "model=\"coder\"")).hasValue(7.0 + 7 + 3);
    assertThat(value(text, "litellm_output_tokens_total", "model=\"coder\"")).hasValue(5.0 + 5 + 2);
    assertThat(value(text, "switchboard_requests_in_flight", "model=\"coder\"")).hasValue(0.0);
  }

  @Test
  void inFlightCountsRequestsStillRunning(Vertx vertx) throws Exception {
    start(vertx, "");
    backend.behave(backend.streaming("qwen3-coder-30b", 300, "a", "b", "c", "d", "e"));
    Thread t = new Thread(() -> sb.post("/v1/chat/completions", CHAT.formatted("coder", true)));
    t.start();
    awaitBackendInFlight(1);

    assertThat(value(scrape(), "switchboard_requests_in_flight", "model=\"coder\"")).hasValue(1.0);
    t.join(10_000);
    assertThat(value(scrape(), "switchboard_requests_in_flight", "model=\"coder\"")).hasValue(0.0);
  }

  @Test
  void deploymentStateFollowsTheBackendsLiveness(Vertx vertx) throws Exception {
    int downPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      downPort = socket.getLocalPort();
    }
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/qwen3-coder-30b, api_base: %s}
          - model_name: down
            litellm_params: {model: openai/down-model, api_base: http://127.0.0.1:%d/v1}
        """.formatted(backend.apiBase(), downPort));
    sb.post("/v1/chat/completions", CHAT.formatted("coder", false));
    sb.post("/v1/chat/completions", CHAT.formatted("down", false));
    Await.until(Duration.ofSeconds(5), "litellm_deployment_state of down = 2",
        () -> value(scrape(), "litellm_deployment_state", "litellm_model_name=\"down\"").orElse(-1.0) == 2.0);

    String text = scrape();
    assertThat(value(text, "litellm_deployment_state", "litellm_model_name=\"coder\"")).hasValue(0.0);
  }

  @Test
  void queueDepthAndInFlightComeFromTheBackendVerticle(Vertx vertx) throws Exception {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params:
              model: openai/qwen3-coder-30b
              api_base: %s
              max_parallel_requests: 1
        """.formatted(backend.apiBase()));
    backend.behave(backend.streaming("qwen3-coder-30b", 300, "a", "b", "c", "d"));
    Thread first = new Thread(() -> sb.post("/v1/chat/completions", CHAT.formatted("coder", true)));
    Thread second = new Thread(() -> sb.post("/v1/chat/completions", CHAT.formatted("coder", true)));
    first.start();
    awaitBackendInFlight(1);
    second.start();
    Await.until(Duration.ofSeconds(5), "the second request queued (switchboard_queue_depth = 1)",
        () -> value(scrape(), "switchboard_queue_depth", "model=\"coder\"").orElse(0.0) == 1.0);

    String text = scrape();
    assertThat(value(text, "switchboard_requests_in_flight", "model=\"coder\"")).hasValue(1.0);
    first.join(10_000);
    second.join(10_000);
    assertThat(value(scrape(), "switchboard_queue_depth", "model=\"coder\"")).hasValue(0.0);
  }

  @Test
  void aModelRemovedByAReloadLeavesNoGaugeBehind(Vertx vertx, @TempDir Path dir) {
    backend = FakeOpenAiBackend.start(vertx);
    String both = """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/qwen3-coder-30b, api_base: %s}
          - model_name: gone
            litellm_params: {model: openai/gone-model, api_base: %s}
        """.formatted(backend.apiBase(), backend.apiBase());
    WatchedNode w = WatchedNode.start(vertx, dir.resolve("config.yaml"), both, null);
    sb = w.http();
    Await.until(Duration.ofSeconds(5), "both models' state gauges", () ->
        value(scrape(), "litellm_deployment_state", "litellm_model_name=\"gone\"").isPresent()
            && value(scrape(), "switchboard_requests_in_flight", "model=\"gone\"").isPresent());

    w.write(both.substring(0, both.indexOf("  - model_name: gone")));
    sb.node().reload().await();

    String text = scrape();
    assertThat(value(text, "litellm_deployment_state", "litellm_model_name=\"gone\"")).isEmpty();
    assertThat(value(text, "switchboard_requests_in_flight", "model=\"gone\"")).isEmpty();
    assertThat(value(text, "switchboard_queue_depth", "model=\"gone\"")).isEmpty();
    assertThat(value(text, "litellm_deployment_state", "litellm_model_name=\"coder\"")).isPresent();
  }

  @Test
  void metricsAreOpenByDefaultEvenWithAMasterKey(Vertx vertx) {
    start(vertx, "");
    assertThat(sb.getWithHeaders("/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void requireAuthPutsMetricsBehindTheMasterKey(Vertx vertx) {
    start(vertx, "switchboard_settings:\n  metrics:\n    require_auth: true");
    assertThat(sb.getWithHeaders("/metrics").statusCode()).isEqualTo(401);
    HttpResponse<String> withKey = sb.get("/metrics");
    assertThat(withKey.statusCode()).isEqualTo(200);
    assertThat(withKey.headers().firstValue("content-type")).hasValueSatisfying(ct ->
        assertThat(ct).startsWith("text/plain"));
  }

  private void awaitBackendInFlight(int n) {
    Await.until(Duration.ofSeconds(5), n + " request(s) in flight at the fake backend", () -> backend.inFlight() >= n);
  }

  private String scrape() {
    HttpResponse<String> resp = sb.getWithHeaders("/metrics");
    assertThat(resp.statusCode()).isEqualTo(200);
    return resp.body();
  }

  /** The value of the sample named {@code name} whose labels include all of {@code labels}. */
  static Optional<Double> value(String text, String name, String... labels) {
    return Arrays.stream(text.split("\n"))
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .filter(l -> Arrays.stream(labels).allMatch(l::contains))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst();
  }
}
