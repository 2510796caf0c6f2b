package dev.switchboard.api;

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

/** A web page on another origin can call Switchboard, as it can call LiteLLM's proxy. */
@ExtendWith(VertxExtension.class)
class CorsTest {

  private static final String PAGE = "http://localhost:3000";
  private static final String CHAT = "{\"model\":\"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/coder, mock_response: hello}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """);
  }

  @AfterEach
  void stop() {
    sb.close();
  }

  @Test
  void aPreflightIsAnsweredWithoutTheKey() {
    HttpResponse<String> r = sb.options("/v1/chat/completions", "Origin", PAGE,
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization,content-type");

    assertThat(r.statusCode()).isBetween(200, 204);
    // As LiteLLM 1.106: any origin, no credentials (compat/run.sh compares them).
    assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
    assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
    assertThat(r.headers().firstValue("access-control-allow-methods").orElse("")).contains("POST");
    assertThat(r.headers().firstValue("access-control-allow-headers")).hasValue("authorization,content-type");
  }

  @Test
  void theAnswerAndARefusalCarryTheOrigin() {
    HttpResponse<String> ok = sb.post("/v1/chat/completions", CHAT, "Origin", PAGE,
        "Authorization", "Bearer " + TestNode.KEY);
    HttpResponse<String> refused = sb.post("/v1/chat/completions", CHAT, "Origin", PAGE,
        "Authorization", "Bearer sk-wrong");

    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.headers().firstValue("access-control-allow-origin")).hasValue("*");
    // A page must be able to read why it was refused, not just see a CORS failure.
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("access-control-allow-origin")).hasValue("*");
  }

  @Test
  void aRequestWithoutAnOriginGetsNoCorsHeaders() {
    HttpResponse<String> r = sb.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + TestNode.KEY);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void aMalformedOriginIsRefusedInOpenAisShape() {
    HttpResponse<String> r = sb.post("/v1/chat/completions", CHAT, "Origin", "not an origin",
        "Authorization", "Bearer " + TestNode.KEY);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(new JsonObject(r.body()).getJsonObject("error").getString("message")).contains("Origin");
  }
}
