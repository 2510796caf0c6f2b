package dev.switchboard.backend.ollama;

import dev.switchboard.testkit.FakeOllamaBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** Ollama up but the model not pulled: the probe says so, and so does the error a client gets. */
@ExtendWith(VertxExtension.class)
class OllamaLivenessTest {

  private FakeOllamaBackend ollama;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    ollama = FakeOllamaBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: pulled
            litellm_params: {model: ollama_chat/qwen3-coder:30b, api_base: %1$s}
          - model_name: not-pulled
            litellm_params: {model: ollama_chat/never-pulled:7b, api_base: %1$s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(ollama.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    ollama.close();
  }

  @Test
  void modelNotPulledIsUnhealthyWithThePullCommandAsReason() {
    JsonObject health = new JsonObject(sb.get("/health").body());
    assertThat(health.getInteger("healthy_count")).isEqualTo(1);
    JsonObject bad = health.getJsonArray("unhealthy_endpoints").getJsonObject(0);
    assertThat(bad.getString("model_name")).isEqualTo("not-pulled");
    assertThat(bad.getString("error")).contains("not pulled").contains("ollama pull never-pulled:7b");

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"not-pulled\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(resp.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("message")).contains("ollama pull");
  }
}
