package dev.switchboard.backend;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** max_parallel_requests, the bounded queue, and fallbacks only where the config asks for them. */
@ExtendWith(VertxExtension.class)
class ConcurrencyAndFallbackTest {

  private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]%s}";

  private FakeOpenAiBackend gpu;
  private FakeOpenAiBackend spare;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    gpu = FakeOpenAiBackend.start(vertx);
    spare = FakeOpenAiBackend.start(vertx);
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: two-slots
            litellm_params: {model: openai/gpu, api_base: %s, max_parallel_requests: 2}
          - model_name: one-slot
            litellm_params: {model: openai/gpu, api_base: %s, max_parallel_requests: 1}
          - model_name: spare
            litellm_params: {model: openai/spare, api_base: %s}
          - model_name: down-with-fallback
            litellm_params: {model: openai/x, api_base: http://127.0.0.1:%d/v1}
          - model_name: down-alone
            litellm_params: {model: openai/y, api_base: http://127.0.0.1:%d/v1}
        router_settings:
          fallbacks: [{down-with-fallback: [spare]}]
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        switchboard_settings:
          queue_size: 1
        """.formatted(gpu.apiBase(), gpu.apiBase(), spare.apiBase(), dead, dead));
  }

  @AfterEach
  void stop() {
    sb.close();
    gpu.close();
    spare.close();
  }

  private CompletableFuture<HttpResponse<String>> async(String model) {
    return CompletableFuture.supplyAsync(() -> sb.post("/v1/chat/completions", CHAT.formatted(model, "")));
  }

  @Test
  void backendNeverSeesMoreThanMaxParallelRequests(Vertx vertx) throws Exception {
    gpu.behave((req, body) -> vertx.setTimer(150, id -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("gpu", "ok").encode())));
    // queue_size is 1, so send in waves the queue can hold: 2 running + 1 waiting.
    List<Integer> statuses = new ArrayList<>();
    for (int wave = 0; wave < 4; wave++) {
      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 3 && statuses.size() + inFlight.size() < 10; i++) {
        inFlight.add(async("two-slots"));
      }
      for (CompletableFuture<HttpResponse<String>> f : inFlight) {
        statuses.add(f.get(10, TimeUnit.SECONDS).statusCode());
      }
    }
    assertThat(statuses).hasSize(10).containsOnly(200);
    assertThat(gpu.maxInFlight()).isLessThanOrEqualTo(2);
    assertThat(gpu.received()).hasSize(10);
  }

  @Test
  void fullQueueAnswers429WithRetryAfter(Vertx vertx) throws Exception {
    gpu.behave(FakeOpenAiBackend.hang());
    async("one-slot");
    async("one-slot");
    // Wait, on the model's public state address, until one runs and one waits.
    long deadline = System.currentTimeMillis() + 5_000;
    JsonObject state = new JsonObject();
    while (System.currentTimeMillis() < deadline && state.getInteger("queued", 0) < 1) {
      state = vertx.eventBus().<JsonObject>request(sb.stateAddress("one-slot"), new JsonObject()).await().body();
    }
    assertThat(state.getInteger("in_flight")).isEqualTo(1);
    assertThat(state.getInteger("queued")).isEqualTo(1);
    HttpResponse<String> third = sb.post("/v1/chat/completions", CHAT.formatted("one-slot", ""));
    assertThat(third.statusCode()).isEqualTo(429);
    assertThat(third.headers().firstValue("retry-after")).isPresent();
    assertThat(new JsonObject(third.body()).getJsonObject("error").getString("message"))
        .contains("max_parallel_requests");
    assertThat(gpu.maxInFlight()).isLessThanOrEqualTo(1);
  }

  @Test
  void explicitFallbackAnswersAndSaysSo() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("down-with-fallback", ""));
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(resp.body()).getString("model")).isEqualTo("spare");
    assertThat(resp.headers().firstValue("x-litellm-attempted-fallbacks")).hasValue("1");
    assertThat(spare.received()).hasSize(1);
  }

  @Test
  void requestLevelFallbacksAreHonoured() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        CHAT.formatted("down-alone", ",\"fallbacks\":[\"spare\"]"));
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(spare.last().body().containsKey("fallbacks")).as("proxy-only key not forwarded").isFalse();
  }

  @Test
  void noImplicitFallbackEver() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("down-alone", ""));
    assertThat(resp.statusCode()).isEqualTo(503);
    assertThat(spare.received()).isEmpty();
    assertThat(gpu.received()).isEmpty();
  }

  @Test
  void aFallbackThatIsNoModelLeavesTheRealErrorStanding() {
    // As LiteLLM: when the fallbacks fail too, the client learns why its own model failed.
    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        CHAT.formatted("down-alone", ",\"fallbacks\":[\"no-such-model\"]"));
    assertThat(resp.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("message")).contains("model=down-alone");

    HttpResponse<String> next = sb.post("/v1/chat/completions",
        CHAT.formatted("down-alone", ",\"fallbacks\":[\"no-such-model\", \"spare\"]"));
    assertThat(next.statusCode()).as("the next fallback is still tried").isEqualTo(200);
    assertThat(new JsonObject(next.body()).getString("model")).isEqualTo("spare");
  }
}
