package dev.switchboard.routing;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** LiteLLM's model groups: several deployments under one model_name, and how one is chosen. */
@ExtendWith(VertxExtension.class)
class ModelGroupsTest {

  private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private final List<AutoCloseable> closers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = closers.size() - 1; i >= 0; i--) {
      closers.get(i).close();
    }
  }

  private TestNode node(Vertx vertx, String yaml) {
    TestNode sb = TestNode.start(vertx, yaml);
    closers.add(sb);
    return sb;
  }

  private FakeOpenAiBackend backend(Vertx vertx) {
    FakeOpenAiBackend b = FakeOpenAiBackend.start(vertx);
    closers.add(b::close);
    return b;
  }

  private static int deadPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static String modelId(HttpResponse<String> resp) {
    return resp.headers().firstValue("x-litellm-model-id").orElse("?");
  }

  @Test
  void twoEntriesUnderOneNameAreOneGroupListedOnceWithARowPerDeployment(Vertx vertx) {
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/a, mock_response: "from a"}
            model_info: {id: coder-a}
          - model_name: coder
            litellm_params: {model: openai/b, mock_response: "from b"}
            model_info: {id: coder-b}
        """);
    JsonArray models = new JsonObject(sb.get("/v1/models").body()).getJsonArray("data");
    assertThat(models.stream().map(m -> ((JsonObject) m).getString("id")).toList()).containsExactly("coder");
    JsonArray info = new JsonObject(sb.get("/model/info").body()).getJsonArray("data");
    assertThat(info.stream().map(m -> ((JsonObject) m).getJsonObject("model_info").getString("id")).toList())
        .containsExactly("coder-a", "coder-b");
    JsonObject health = new JsonObject(sb.get("/health").body());
    assertThat(health.getJsonArray("healthy_endpoints").stream()
        .map(e -> ((JsonObject) e).getString("model_id")).toList()).containsExactlyInAnyOrder("coder-a", "coder-b");

    String answeredBy = modelId(sb.post("/v1/chat/completions", CHAT.formatted("coder")));
    assertThat(answeredBy).isIn("coder-a", "coder-b");
    String metrics = sb.get("/metrics").body();
    assertThat(metrics).contains("litellm_deployment_state{api_base=\"\",api_provider=\"openai\","
        + "litellm_model_name=\"coder\",model_id=\"coder-a\"}", "model_id=\"coder-b\"}");
    assertThat(metrics).containsPattern("litellm_deployment_success_responses_total\\{[^}]*model_id=\""
        + answeredBy + "\"[^}]*} 1.0");
  }

  @Test
  void weightThreeToOneSendsThreeQuartersToTheHeavierDeployment(Vertx vertx) {
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/a, mock_response: "a", weight: 3}
            model_info: {id: heavy}
          - model_name: coder
            litellm_params: {model: openai/b, mock_response: "b", weight: 1}
            model_info: {id: light}
        """);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
      assertThat(resp.statusCode()).isEqualTo(200);
      counts.merge(modelId(resp), 1, Integer::sum);
    }
    assertThat(counts.keySet()).containsExactlyInAnyOrder("heavy", "light");
    assertThat(counts.get("heavy") / 2000.0).isBetween(0.70, 0.80);
  }

  @Test
  void leastBusySendsANewRequestToTheIdleDeployment(Vertx vertx) throws Exception {
    FakeOpenAiBackend slow = backend(vertx);
    FakeOpenAiBackend idle = backend(vertx);
    slow.behave(FakeOpenAiBackend.hang());
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
            model_info: {id: slow}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
            model_info: {id: idle}
        router_settings:
          routing_strategy: least-busy
        """.formatted(slow.apiBase(), idle.apiBase()));
    // Hold requests until one is stuck on the slow deployment; those that reached the idle one return.
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    while (slow.received().isEmpty()) {
      CompletableFuture<HttpResponse<String>> f = CompletableFuture.supplyAsync(
          () -> sb.post("/v1/chat/completions", CHAT.formatted("coder")));
      held.add(f);
      Await.until(Duration.ofSeconds(5), "the request reached one of the deployments",
          () -> slow.received().size() + idle.received().size() == held.size());
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
      assertThat(modelId(resp)).as("request %d while the slow one is busy", i).isEqualTo("idle");
    }
    assertThat(slow.received()).hasSize(1);
  }

  @Test
  void latencyBasedRoutingMovesTrafficOffADeploymentMadeSlower(Vertx vertx) {
    FakeOpenAiBackend fast = backend(vertx);
    FakeOpenAiBackend slow = backend(vertx);
    slow.behave((req, body) -> vertx.setTimer(200, id -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("m", "late").encode())));
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
            model_info: {id: fast}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
            model_info: {id: slow}
        router_settings:
          routing_strategy: latency-based-routing
        """.formatted(fast.apiBase(), slow.apiBase()));
    // Both are tried while they have no samples (a deployment without one scores 0); then the slow one is left alone.
    for (int i = 0; i < 20 && (slow.received().isEmpty() || fast.received().isEmpty()); i++) {
      sb.post("/v1/chat/completions", CHAT.formatted("coder"));
    }
    int slowBefore = slow.received().size();
    assertThat(slowBefore).as("each got a first sample").isGreaterThanOrEqualTo(1);
    for (int i = 0; i < 20; i++) {
      assertThat(modelId(sb.post("/v1/chat/completions", CHAT.formatted("coder")))).isEqualTo("fast");
    }
    assertThat(slow.received()).hasSize(slowBefore);
  }

  @Test
  void lowerOrderServesAndAHigherOrderOnlyWhileItIsDown(Vertx vertx) throws Exception {
    FakeOpenAiBackend first = backend(vertx);
    int firstPort = first.port();
    FakeOpenAiBackend second = backend(vertx);
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: http://127.0.0.1:%d/v1, order: 1}
            model_info: {id: gpu}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s, order: 2}
            model_info: {id: cpu}
        """.formatted(firstPort, second.apiBase()));
    for (int i = 0; i < 5; i++) {
      assertThat(modelId(sb.post("/v1/chat/completions", CHAT.formatted("coder")))).isEqualTo("gpu");
    }
    first.close();
    HttpResponse<String> whileDown = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
    assertThat(whileDown.statusCode()).isEqualTo(200);
    assertThat(modelId(whileDown)).isEqualTo("cpu");
    assertThat(whileDown.headers().firstValue("x-litellm-attempted-retries")).as("gpu was tried first").hasValue("1");
    assertThat(modelId(sb.post("/v1/chat/completions", CHAT.formatted("coder")))).isEqualTo("cpu");

    FakeOpenAiBackend back = FakeOpenAiBackend.start(vertx, firstPort);
    closers.add(back::close);
    Await.until(Duration.ofSeconds(10), "order 1 serves again once its backend is back",
        () -> "gpu".equals(modelId(sb.post("/v1/chat/completions", CHAT.formatted("coder")))));
  }

  @Test
  void rpmLimitMovesToTheOtherDeploymentThenAnswers429(Vertx vertx) {
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/a, mock_response: "a", rpm: 2}
            model_info: {id: a}
          - model_name: coder
            litellm_params: {model: openai/b, mock_response: "b", rpm: 3}
            model_info: {id: b}
        """);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
      assertThat(resp.statusCode()).as("request %d of 5 fits in 2 + 3 rpm", i).isEqualTo(200);
      counts.merge(modelId(resp), 1, Integer::sum);
    }
    assertThat(counts).containsEntry("a", 2).containsEntry("b", 3);
    HttpResponse<String> over = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
    if (counts.size() == 2 && over.statusCode() == 200) {
      return; // the minute turned between the requests: both limits were reset
    }
    assertThat(over.statusCode()).isEqualTo(429);
    assertThat(over.headers().firstValue("retry-after")).isPresent();
    assertThat(new JsonObject(over.body()).getJsonObject("error").getString("message"))
        .contains("deployment a", "deployment b", "rpm limit");
  }

  @Test
  void everyDeploymentDownIsOne503NamingEach(Vertx vertx) throws Exception {
    int dead1 = deadPort();
    int dead2 = deadPort();
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: http://127.0.0.1:%d/v1}
            model_info: {id: first}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: http://127.0.0.1:%d/v1}
            model_info: {id: second}
          - model_name: other
            litellm_params: {model: openai/o, mock_response: "never"}
        """.formatted(dead1, dead2));
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
    assertThat(resp.statusCode()).isEqualTo(503);
    String message = new JsonObject(resp.body()).getJsonObject("error").getString("message");
    assertThat(message).contains("model group 'coder'", "deployment first", "deployment second",
        String.valueOf(dead1), String.valueOf(dead2));
    assertThat(message).doesNotContain("model=other");
  }

  @Test
  void aDownDeploymentIsSkippedWhileTheOtherServes(Vertx vertx) throws Exception {
    FakeOpenAiBackend up = backend(vertx);
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: http://127.0.0.1:%d/v1}
            model_info: {id: down}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
            model_info: {id: up}
        """.formatted(deadPort(), up.apiBase()));
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("coder"));
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(modelId(resp)).isEqualTo("up");
      assertThat(resp.headers().firstValue("x-litellm-model-group")).hasValue("coder");
    }
  }

  @Test
  void wildcardsAliasesAndExplicitNamesFirst(Vertx vertx) {
    FakeOpenAiBackend ollamaLike = backend(vertx);
    FakeOpenAiBackend catchAll = backend(vertx);
    TestNode sb = node(vertx, """
        model_list:
          - model_name: "team-a/*"
            litellm_params: {model: "openai/*", api_base: %s}
          - model_name: "*"
            litellm_params: {model: "openai/*", api_base: %s}
          - model_name: team-a/special
            litellm_params: {model: openai/special, mock_response: "explicit"}
          - model_name: coder
            litellm_params: {model: openai/coder, mock_response: "coder answers"}
        router_settings:
          model_group_alias:
            gpt-4o: coder
            secret-name: {model: coder, hidden: true}
        """.formatted(ollamaLike.apiBase(), catchAll.apiBase()));
    HttpResponse<String> viaPattern = sb.post("/v1/chat/completions", CHAT.formatted("team-a/qwen3"));
    assertThat(viaPattern.statusCode()).isEqualTo(200);
    assertThat(ollamaLike.last().body().getString("model")).as("the star's part is the backend model")
        .isEqualTo("qwen3");
    assertThat(new JsonObject(viaPattern.body()).getString("model")).isEqualTo("team-a/qwen3");

    sb.post("/v1/chat/completions", CHAT.formatted("llama3"));
    assertThat(catchAll.last().body().getString("model")).isEqualTo("llama3");

    HttpResponse<String> explicit = sb.post("/v1/chat/completions", CHAT.formatted("team-a/special"));
    assertThat(new JsonObject(explicit.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content")).isEqualTo("explicit");

    for (String alias : new String[] {"gpt-4o", "secret-name"}) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted(alias));
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(resp.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
          .getString("content")).isEqualTo("coder answers");
    }
    List<Object> listed = new JsonObject(sb.get("/v1/models").body()).getJsonArray("data").stream()
        .map(m -> ((JsonObject) m).getString("id")).map(Object.class::cast).toList();
    assertThat(listed).contains("team-a/*", "*", "coder", "gpt-4o").doesNotContain("secret-name");
    assertThat(sb.get("/v1/models/gpt-4o").statusCode()).isEqualTo(200);
  }

  @Test
  void aGroupAnswersWhileItsDeploymentsAreSlow(Vertx vertx) throws Exception {
    // Both deployments answer; a burst of concurrent requests spreads over both and none fails.
    FakeOpenAiBackend a = backend(vertx);
    FakeOpenAiBackend b = backend(vertx);
    for (FakeOpenAiBackend x : List.of(a, b)) {
      x.behave((req, body) -> vertx.setTimer(50, id -> req.response().putHeader("content-type", "application/json")
          .end(FakeOpenAiBackend.chatCompletion("m", "ok").encode())));
    }
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s}
        """.formatted(a.apiBase(), b.apiBase()));
    List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(CompletableFuture.supplyAsync(() -> sb.post("/v1/chat/completions", CHAT.formatted("coder"))));
    }
    for (CompletableFuture<HttpResponse<String>> f : all) {
      assertThat(f.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(a.received()).isNotEmpty();
    assertThat(b.received()).isNotEmpty();
    assertThat(a.received().size() + b.received().size()).isEqualTo(40);
  }

  @Test
  void aRequestThatReachedABackendIsRetriedOnlyAsRetryPolicySays(Vertx vertx) {
    FakeOpenAiBackend broken = backend(vertx);
    FakeOpenAiBackend fine = backend(vertx);
    broken.behave(FakeOpenAiBackend.error(500, "CUDA out of memory"));
    String group = """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s, order: 1}
            model_info: {id: broken}
          - model_name: coder
            litellm_params: {model: openai/m, api_base: %s, order: 2}
            model_info: {id: fine}
        """.formatted(broken.apiBase(), fine.apiBase());
    TestNode noPolicy = node(vertx, group);
    HttpResponse<String> notReplayed = noPolicy.post("/v1/chat/completions", CHAT.formatted("coder"));
    assertThat(notReplayed.statusCode()).as("the backend's own error, not replayed").isEqualTo(500);
    assertThat(fine.received()).isEmpty();

    TestNode withPolicy = node(vertx, group + """
        router_settings:
          retry_policy: {InternalServerErrorRetries: 1}
        """);
    HttpResponse<String> retried = withPolicy.post("/v1/chat/completions", CHAT.formatted("coder"));
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(modelId(retried)).isEqualTo("fine");
    assertThat(retried.headers().firstValue("x-litellm-attempted-retries")).hasValue("1");
  }

  @Test
  void usageBasedRoutingSendsTrafficToTheDeploymentWithFewestTokensThisMinute(Vertx vertx) {
    TestNode sb = node(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/a, mock_response: "a few words of answer here"}
            model_info: {id: a}
          - model_name: coder
            litellm_params: {model: openai/b, mock_response: "a few words of answer here"}
            model_info: {id: b}
        router_settings:
          routing_strategy: usage-based-routing-v2
        """);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      counts.merge(modelId(sb.post("/v1/chat/completions", CHAT.formatted("coder"))), 1, Integer::sum);
    }
    // Equal answers: each request goes to the one that used fewer tokens so far, so they alternate
    // (a minute turning during the test resets both counts: one more on either side at most).
    assertThat(counts.get("a")).isBetween(9, 11);
    assertThat(counts.get("b")).isBetween(9, 11);
  }
}
