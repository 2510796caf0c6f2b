package dev.switchboard.backend;

import dev.switchboard.testkit.FakeOllamaBackend;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request whose fields have the wrong JSON types is the client's mistake: a 400 that names the
 * field, at once. It never hangs the client and never keeps a max_parallel_requests slot.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WrongTypesTest {

  private FakeOllamaBackend ollama;
  private FakeOpenAiBackend llama;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    ollama = FakeOllamaBackend.start(vertx);
    llama = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: ollama_chat/qwen3-coder:30b, api_base: %s, max_parallel_requests: 1}
          - model_name: llama
            litellm_params: {model: openai/llama, api_base: %s}
          - model_name: demo
            litellm_params: {model: openai/demo, mock_response: "hi there"}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        switchboard_settings:
          queue_size: 1
        """.formatted(ollama.apiBase(), llama.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    ollama.close();
    llama.close();
  }

  @Test
  void ollamaRequestWithWronglyTypedFieldsIs400AndFreesItsSlot() {
    String user = "{\"role\":\"user\",\"content\":\"x\"}";
    List<String> bodies = List.of(
        "\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[5]}]",
        "\"messages\":[{\"role\":\"assistant\",\"tool_calls\":[{\"function\":\"f\"}]}]",
        "\"messages\":[" + user + "],\"tools\":\"f\"",
        "\"messages\":[" + user + "],\"tools\":[{\"type\":\"function\",\"function\":\"f\"}],"
            + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}",
        "\"messages\":[" + user + "],\"response_format\":{\"type\":\"json_schema\",\"json_schema\":\"s\"}");
    for (String fields : bodies) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", "{\"model\":\"coder\"," + fields + "}");
      assertThat(resp.statusCode()).as(fields).isEqualTo(400);
      JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
      assertThat(error.getString("type")).as(fields).isEqualTo("invalid_request_error");
      assertThat(error.getString("code")).isEqualTo("400");
    }
    assertThat(ollama.received()).as("nothing reached Ollama").isEmpty();
    HttpResponse<String> ok = sb.post("/v1/chat/completions", "{\"model\":\"coder\",\"messages\":[" + user + "]}");
    assertThat(ok.statusCode()).as("the one slot is free again").isEqualTo(200);
  }

  @Test
  void streamOptionsOfTheWrongTypeDoNotBreakAStream() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", "{\"model\":\"demo\",\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":\"yes\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).contains("hi").endsWith("data: [DONE]\n\n");
  }

  @Test
  void oddlyTypedUsageFromABackendNeverBreaksItsAnswer() {
    llama.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("llama", "fine")
            .put("usage", new JsonObject().put("prompt_tokens", "7").put("completion_tokens", "n/a")).encode()));
    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"llama\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).contains("fine").contains("\"model\":\"llama\"");

    ollama.behave(FakeOllamaBackend.json(FakeOllamaBackend.chatDone("qwen3-coder:30b",
        FakeOllamaBackend.text("fine"), "stop", 1, 1).put("prompt_eval_count", "seven")));
    HttpResponse<String> fromOllama = sb.post("/v1/chat/completions",
        "{\"model\":\"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(fromOllama.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(fromOllama.body()).getJsonObject("usage").getLong("prompt_tokens")).isZero();
  }
}
