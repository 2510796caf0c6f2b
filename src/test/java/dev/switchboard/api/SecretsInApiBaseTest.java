package dev.switchboard.api;

import dev.switchboard.testkit.FakeOpenAiBackend;
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

/**
 * An api_base may carry a password ({@code http://user:pass@host}) or a token ({@code ?key=}), and
 * extra_headers a bearer token: they reach the backend, and nothing that a client or a log sees.
 */
@ExtendWith(VertxExtension.class)
class SecretsInApiBaseTest {

  static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  FakeOpenAiBackend backend;
  TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    String withSecrets = backend.apiBase().replace("http://", "http://user:s3cret@") + "?key=t0ken";
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: up
            litellm_params:
              model: openai/qwen
              api_base: "%s"
              extra_headers: {Authorization: "Bearer hdr-s3cret"}
          - model_name: down
            litellm_params:
              model: openai/qwen
              api_base: "http://user:s3cret@127.0.0.1:1/v1?key=t0ken"
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(withSecrets));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void noAnswerHeaderErrorOrModelInfoShowsThem() {
    HttpResponse<String> ok = sb.post("/v1/chat/completions", CHAT.formatted("up"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(backend.last().headers().get("Authorization")).isEqualTo("Bearer hdr-s3cret");
    assertThat(ok.headers().firstValue("x-litellm-model-api-base")).hasValue(backend.apiBase());

    HttpResponse<String> down = sb.post("/v1/chat/completions", CHAT.formatted("down"));
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(down.body()).contains("http://127.0.0.1:1/v1");

    HttpResponse<String> info = sb.get("/model/info");
    HttpResponse<String> health = sb.get("/health");
    for (String shown : new String[] {ok.headers().map().toString(), down.body(), info.body(), health.body()}) {
      assertThat(shown).doesNotContain("s3cret").doesNotContain("t0ken");
    }
    JsonObject upRow = new JsonObject(info.body()).getJsonArray("data").getJsonObject(0);
    assertThat(upRow.getJsonObject("litellm_params").getJsonObject("extra_headers").getString("Authorization"))
        .isEqualTo("***");
  }
}
