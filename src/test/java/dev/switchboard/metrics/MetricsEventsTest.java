package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every finished request is exactly one event on switchboard.metrics, whatever way it ended. */
@ExtendWith(VertxExtension.class)
class MetricsEventsTest {

  private static final String CHAT = "{\"model\":\"%s\",\"stream\":%s,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private final List<JsonObject> events = new CopyOnWriteArrayList<>();
  private MessageConsumer<JsonObject> consumer;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params:
              model: openai/qwen3-coder-30b
              api_base: %s
          - model_name: slow
            litellm_params:
              model: openai/slow-model
              api_base: %s
              timeout: 1
          - model_name: one-slot
            litellm_params:
              model: openai/one-slot-model
              api_base: %s
              max_parallel_requests: 1
          - model_name: down
            litellm_params:
              model: openai/down-model
              api_base: http://127.0.0.1:%d/v1
          - model_name: marker
            litellm_params: {model: openai/marker, mock_response: "ok"}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        switchboard_settings:
          queue_size: 1
        """.formatted(backend.apiBase(), backend.apiBase(), backend.apiBase(), closedPort()));
    consumer = vertx.eventBus().consumer(Addresses.METRICS, msg -> events.add(msg.body()));
    consumer.completion().await();
  }

  @AfterEach
  void stop() {
    consumer.unregister().await();
    sb.close();
    backend.close();
  }

  @Test
  void nonStreamRequestIsOneEventWithTokensAndBackend() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder", false));

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(e.getInteger("version")).isEqualTo(1);
    assertThat(e.getString("request_id")).isEqualTo(resp.headers().firstValue("x-litellm-call-id").orElseThrow());
    assertThat(e.getString("node")).isEqualTo(sb.node().nodeId());
    assertThat(e.getString("model")).isEqualTo("coder");
    assertThat(e.getString("provider")).isEqualTo("openai");
    assertThat(e.getString("backend_model")).isEqualTo("qwen3-coder-30b");
    assertThat(e.getString("api_base")).isEqualTo(backend.apiBase());
    assertThat(e.getString("endpoint")).isEqualTo("/chat/completions");
    assertThat(e.getBoolean("stream")).isFalse();
    assertThat(e.getInteger("status")).isEqualTo(200);
    assertThat(e.getString("outcome")).isEqualTo("ok");
    assertThat(e.getValue("error_type")).isNull();
    assertThat(e.getLong("prompt_tokens")).isEqualTo(7);
    assertThat(e.getLong("completion_tokens")).isEqualTo(5);
    assertThat(e.getLong("latency_ms")).isGreaterThanOrEqualTo(0);
    assertThat(e.getLong("queue_ms")).isNotNull();
    assertThat(e.getLong("ts")).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));
    assertThat(e.fieldNames()).contains("ttft_ms", "tokens_per_s");
  }

  @Test
  void streamEventCarriesTimeToFirstTokenAndUsageFromTheStream() {
    backend.behave(backend.streaming("qwen3-coder-30b", 30, "a", "b", "c", "d"));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder", true));

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(e.getBoolean("stream")).isTrue();
    assertThat(e.getString("outcome")).isEqualTo("ok");
    assertThat(e.getLong("ttft_ms")).isNotNull().isLessThan(e.getLong("latency_ms"));
    assertThat(e.getLong("prompt_tokens")).isEqualTo(3);
    assertThat(e.getLong("completion_tokens")).isEqualTo(4);
    assertThat(e.getDouble("tokens_per_s")).isPositive();
  }

  @Test
  void backendErrorIsAnErrorEventWithItsStatusAndType() {
    backend.behave(FakeOpenAiBackend.error(500, "boom"));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder", false));

    JsonObject e = onlyEvent();
    assertThat(e.getInteger("status")).isEqualTo(resp.statusCode()).isGreaterThanOrEqualTo(500);
    assertThat(e.getString("outcome")).isEqualTo("error");
    assertThat(e.getString("error_type")).isNotBlank();
    assertThat(e.getValue("tokens_per_s")).isNull();
  }

  @Test
  void hangingBackendIsATimeoutEvent() {
    backend.behave(FakeOpenAiBackend.hang());

    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("slow", false));

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(408);
    assertThat(e.getString("model")).isEqualTo("slow");
    assertThat(e.getInteger("status")).isEqualTo(408);
    assertThat(e.getString("outcome")).isEqualTo("timeout");
    assertThat(e.getLong("latency_ms")).isGreaterThanOrEqualTo(900);
  }

  @Test
  void clientClosingMidStreamIsACancelledEvent(Vertx vertx) throws Exception {
    backend.behave(backend.streaming("qwen3-coder-30b", 200, "a", "b", "c", "d", "e", "f", "g", "h"));
    HttpClient client = vertx.createHttpClient();
    CompletableFuture<Void> gotFirstChunk = new CompletableFuture<>();

    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(sb.node().port())
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json")
            .putHeader("authorization", "Bearer " + TestNode.KEY))
        .compose(req -> req.send(CHAT.formatted("coder", true)))
        .onSuccess((HttpClientResponse resp) -> resp.handler(chunk -> {
          if (gotFirstChunk.complete(null)) {
            resp.request().connection().close();
          }
        }));
    gotFirstChunk.get(10, TimeUnit.SECONDS);

    JsonObject e = onlyEvent();
    assertThat(e.getInteger("status")).isEqualTo(499);
    assertThat(e.getString("outcome")).isEqualTo("cancelled");
    assertThat(e.getBoolean("stream")).isTrue();
    // The stream had started: the event still says which backend it was, and when the first token came.
    assertThat(e.getString("provider")).isEqualTo("openai");
    assertThat(e.getString("backend_model")).isEqualTo("qwen3-coder-30b");
    assertThat(e.getString("api_base")).isEqualTo(backend.apiBase());
    assertThat(e.getString("model_id")).isNotBlank();
    assertThat(e.getLong("ttft_ms")).isNotNull().isLessThanOrEqualTo(e.getLong("latency_ms"));
    backend.clientClosed().get(5, TimeUnit.SECONDS);
  }

  @Test
  void requestRejectedBeforeAnyBackendIsARejectedEvent() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("no-such-model", false));

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(e.getString("outcome")).isEqualTo("rejected");
    assertThat(e.getString("endpoint")).isEqualTo("/chat/completions");
    assertThat(e.getValue("provider")).isNull();
  }

  @Test
  void refusedKeyIsARejectedEventWithoutAModel() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder", true),
        "Authorization", "Bearer sk-not-the-key");

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(e.getInteger("status")).isEqualTo(401);
    assertThat(e.getString("outcome")).isEqualTo("rejected");
    assertThat(e.getString("error_type")).isEqualTo("auth_error");
    assertThat(e.getString("endpoint")).isEqualTo("/chat/completions");
    assertThat(e.getString("request_id")).isEqualTo(resp.headers().firstValue("x-litellm-call-id").orElseThrow());
    // The body was never read: which model and whether a stream are unknown.
    assertThat(e.containsKey("model")).isTrue();
    assertThat(e.getValue("model")).isNull();
    assertThat(e.getBoolean("stream")).isFalse();
  }

  // A consumer on another clustered node sees each event once: ClusterBalancingTest (JVMs of their own).

  @Test
  void rejectedStreamRequestIsStillAStreamEvent() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("no-such-model", true));

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(e.getString("outcome")).isEqualTo("rejected");
    assertThat(e.getBoolean("stream")).isTrue();
  }

  @Test
  void queuedRequestReportsItsWaitAndAFullQueueIsARateLimitEvent(Vertx vertx) throws Exception {
    backend.behave(backend.streaming("one-slot-model", 100, "a", "b", "c", "d", "e", "f"));
    CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(
        () -> sb.post("/v1/chat/completions", CHAT.formatted("one-slot", true)));
    backend.firstRequest().get(10, TimeUnit.SECONDS);
    CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(
        () -> sb.post("/v1/chat/completions", CHAT.formatted("one-slot", false)));
    Await.until(Duration.ofSeconds(5), "one call waits for the slot", () -> vertx.eventBus()
        .<JsonObject>request(sb.stateAddress("one-slot"), new JsonObject()).await().body().getInteger("queued") == 1);

    HttpResponse<String> full = sb.post("/v1/chat/completions", CHAT.formatted("one-slot", true));
    assertThat(full.statusCode()).isEqualTo(429);
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(queued.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);

    List<JsonObject> all = events(3);
    JsonObject rejected = byStatus(all, 429);
    assertThat(rejected.getString("outcome")).isEqualTo("rejected");
    assertThat(rejected.getString("error_type")).isEqualTo("rate_limit_error");
    assertThat(rejected.getBoolean("stream")).isTrue();
    assertThat(rejected.getString("provider")).isEqualTo("openai");
    JsonObject waited = all.stream().filter(e -> !e.getBoolean("stream")).findFirst().orElseThrow();
    // It waited for the first stream (six chunks 100 ms apart) to give the slot back.
    assertThat(waited.getLong("queue_ms")).isGreaterThanOrEqualTo(200);
    assertThat(waited.getLong("latency_ms")).isGreaterThanOrEqualTo(waited.getLong("queue_ms"));
  }

  @Test
  void modelKnownToBeDownIsAnErrorEventNamingTheBackend(Vertx vertx) {
    Await.until(Duration.ofSeconds(10), "the model is known to be down", () -> "unhealthy".equals(vertx.eventBus()
        .<JsonObject>request(sb.stateAddress("down"), new JsonObject()).await().body().getString("state")));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("down", false));

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(503);
    assertThat(e.getInteger("status")).isEqualTo(503);
    assertThat(e.getString("outcome")).isEqualTo("error");
    assertThat(e.getString("error_type")).isEqualTo("service_unavailable_error");
    assertThat(e.getString("provider")).isEqualTo("openai");
    assertThat(e.getString("model_id")).isNotBlank();
    assertThat(e.getString("api_base")).startsWith("http://127.0.0.1:");
  }

  @Test
  void fallbackAnswerIsOneEventUnderTheModelTheClientAskedFor() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"down\",\"fallbacks\":[\"coder\"],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    JsonObject e = onlyEvent();
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(e.getString("model")).isEqualTo("down");
    assertThat(e.getString("backend_model")).isEqualTo("qwen3-coder-30b");
    assertThat(e.getString("outcome")).isEqualTo("ok");
  }

  /**
   * The one event of the request just made. A duplicate would be published when the request finished,
   * before its response reached us: a marker request made now (to a mock_response model, whatever the
   * fake backend is doing), once its own event is in, leaves no time for one still to come.
   */
  private JsonObject onlyEvent() {
    Await.until(Duration.ofSeconds(10), "the request's metrics event", () -> !events.isEmpty());
    sb.post("/v1/chat/completions", CHAT.formatted("marker", false), "x-litellm-call-id", "marker",
        "Authorization", "Bearer " + TestNode.KEY);
    Await.until(Duration.ofSeconds(10), "the marker request's metrics event",
        () -> events.stream().anyMatch(e -> "marker".equals(e.getString("request_id"))));
    List<JsonObject> before = events.stream().filter(e -> !"marker".equals(e.getString("request_id"))).toList();
    assertThat(before).hasSize(1);
    return before.get(0);
  }

  /** Waits for at least {@code n} events, then returns them all. */
  private List<JsonObject> events(int n) {
    Await.until(Duration.ofSeconds(10), n + " metrics events", () -> events.size() >= n);
    return List.copyOf(events);
  }

  private static JsonObject byStatus(List<JsonObject> all, int status) {
    return all.stream().filter(e -> e.getInteger("status") == status).findFirst().orElseThrow();
  }

  private static int closedPort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
