package dev.switchboard.api;

import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The model listing and info routes, and LiteLLM's master-key rules. */
@ExtendWith(VertxExtension.class)
class ModelsAndAuthTest {

  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: qwen3-235b
            litellm_params:
              model: openai/qwen3-235b
              api_base: http://127.0.0.1:9/v1
              api_key: sk-secret-backend-key
            model_info: {max_input_tokens: 131072, max_output_tokens: 16384, supports_function_calling: true}
          - model_name: kimi-linear
            litellm_params: {model: hosted_vllm/kimi-linear, api_base: http://127.0.0.1:9/v1}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """);
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  @Test
  void modelListHasLiteLlmShape() {
    for (String path : new String[] {"/v1/models", "/models"}) {
      HttpResponse<String> resp = sb.get(path);
      assertThat(resp.statusCode()).isEqualTo(200);
      JsonObject body = new JsonObject(resp.body());
      assertThat(body.getString("object")).isEqualTo("list");
      JsonArray data = body.getJsonArray("data");
      assertThat(data).hasSize(2);
      // As LiteLLM 1.106: the model_info's token limits (and mode) when the config gives them.
      assertThat(data.getJsonObject(0)).isEqualTo(new JsonObject().put("id", "qwen3-235b").put("object", "model")
          .put("created", 1677610602).put("owned_by", "openai").put("max_input_tokens", 131072)
          .put("max_output_tokens", 16384));
      assertThat(data.getJsonObject(1)).isEqualTo(new JsonObject().put("id", "kimi-linear").put("object", "model")
          .put("created", 1677610602).put("owned_by", "openai"));
    }
  }

  @Test
  void oneModelOrOpenAiShaped404() {
    assertThat(new JsonObject(sb.get("/v1/models/kimi-linear").body()).getString("id")).isEqualTo("kimi-linear");
    HttpResponse<String> missing = sb.get("/v1/models/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    JsonObject error = new JsonObject(missing.body()).getJsonObject("error");
    assertThat(error.getString("message")).contains("not found");
    assertThat(error.getString("code")).isEqualTo("404");
  }

  @Test
  void modelInfoCarriesUserModelInfoAndNoSecrets() {
    HttpResponse<String> resp = sb.get("/v1/model/info");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).doesNotContain("sk-secret-backend-key");
    JsonObject row = new JsonObject(resp.body()).getJsonArray("data").getJsonObject(0);
    assertThat(row.getString("model_name")).isEqualTo("qwen3-235b");
    assertThat(row.getJsonObject("litellm_params").getString("model")).isEqualTo("openai/qwen3-235b");
    JsonObject info = row.getJsonObject("model_info");
    assertThat(info.getInteger("max_input_tokens")).isEqualTo(131072);
    assertThat(info.getInteger("max_output_tokens")).isEqualTo(16384);
    assertThat(info.getBoolean("supports_function_calling")).isTrue();
    assertThat(sb.get("/model/info").statusCode()).isEqualTo(200);
  }

  @Test
  void missingKeyIs401WithLiteLlmsExactBodyAndNoRetry() {
    HttpResponse<String> resp = sb.getWithHeaders("/v1/models");
    assertThat(resp.statusCode()).isEqualTo(401);
    // LiteLLM 1.106's body, byte for byte (compat/run.sh compares it with the real proxy's).
    assertThat(new JsonObject(resp.body())).isEqualTo(new JsonObject().put("error", new JsonObject()
        .put("message", "Authentication Error, No api key passed in.").put("type", "auth_error")
        .put("param", "None").put("code", "401")));
    // Retrying cannot help: Stainless SDKs (OpenAI's, Anthropic's, Claude Code) stop at once.
    assertThat(resp.headers().firstValue("x-should-retry")).hasValue("false");
  }

  @Test
  void unknownModelSaysRetryingCannotHelp() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        "Authorization", "Bearer " + TestNode.KEY);
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(resp.headers().firstValue("x-should-retry")).hasValue("false");
  }

  @Test
  void wrongKeyIs401AndTheKeyIsNotEchoed() {
    HttpResponse<String> resp = sb.getWithHeaders("/v1/models", "Authorization", "Bearer sk-wrong-key-123");
    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(resp.body()).doesNotContain("sk-wrong-key-123").doesNotContain(TestNode.KEY);
  }

  @Test
  void otherLiteLlmKeyHeadersAreAccepted() {
    assertThat(sb.getWithHeaders("/v1/models", "x-api-key", TestNode.KEY).statusCode()).isEqualTo(200);
    assertThat(sb.getWithHeaders("/v1/models", "api-key", TestNode.KEY).statusCode()).isEqualTo(200);
    assertThat(sb.getWithHeaders("/v1/models", "x-litellm-api-key", TestNode.KEY).statusCode()).isEqualTo(200);
    // LiteLLM strips the scheme from these headers too.
    assertThat(sb.getWithHeaders("/v1/models", "x-litellm-api-key", "Bearer " + TestNode.KEY).statusCode())
        .isEqualTo(200);
    assertThat(sb.getWithHeaders("/v1/models", "x-api-key", "Bearer " + TestNode.KEY).statusCode()).isEqualTo(200);
  }

  @Test
  void healthProbesNeedNoKey() {
    HttpResponse<String> live = sb.getWithHeaders("/health/liveliness");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(live.body()).isEqualTo("\"I'm alive!\"");
    assertThat(sb.getWithHeaders("/health/liveness").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = sb.getWithHeaders("/health/readiness");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(ready.body());
    assertThat(body.getString("status")).isEqualTo("healthy");
    assertThat(body.getString("db")).isEqualTo("Not connected");
    assertThat(body.getJsonObject("config").getInteger("models")).isEqualTo(2);
  }

  @Test
  void healthProbesAnswerOptionsAndHeadWithoutAKey() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String path : new String[] {"/health/liveliness", "/health/liveness", "/health/readiness"}) {
      HttpResponse<Void> options = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(sb.baseUrl() + path)).method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.discarding());
      assertThat(options.statusCode()).as("OPTIONS " + path).isEqualTo(200);
      assertThat(options.headers().firstValue("allow")).as(path).hasValue("GET, HEAD, OPTIONS");
      HttpResponse<Void> head = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sb.baseUrl() + path))
          .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
      assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
    }
  }

  @Test
  void noMasterKeyMeansOpen(Vertx vertx) {
    try (TestNode open = TestNode.start(vertx, """
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, mock_response: hi}
        """)) {
      assertThat(open.getWithHeaders("/v1/models").statusCode()).isEqualTo(200);
    }
  }
}
