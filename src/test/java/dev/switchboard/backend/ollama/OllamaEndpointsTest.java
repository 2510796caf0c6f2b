package dev.switchboard.backend.ollama;

import dev.switchboard.testkit.FakeOllamaBackend;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

import static dev.switchboard.backend.ollama.OllamaChatStreamTest.events;
import static org.assertj.core.api.Assertions.assertThat;

/** Embeddings (/api/embed), legacy completions (/api/generate) and Ollama's errors, through the whole path. */
@ExtendWith(VertxExtension.class)
class OllamaEndpointsTest {

  private FakeOllamaBackend ollama;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    ollama = FakeOllamaBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: embedder
            litellm_params:
              model: ollama/nomic-embed-text
              api_base: %1$s
          - model_name: writer
            litellm_params:
              model: ollama/qwen2.5-coder:7b
              api_base: %1$s
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
  void embeddingsListAndBase64() {
    HttpResponse<String> resp = sb.post("/v1/embeddings",
        "{\"model\":\"embedder\",\"input\":[\"a\",\"b\"],\"dimensions\":3}");

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(ollama.last().path()).isEqualTo("/api/embed");
    assertThat(ollama.last().body()).isEqualTo(new JsonObject().put("model", "nomic-embed-text")
        .put("input", new JsonArray().add("a").add("b")).put("dimensions", 3));
    JsonObject answer = new JsonObject(resp.body());
    assertThat(answer.getString("object")).isEqualTo("list");
    assertThat(answer.getString("model")).isEqualTo("embedder");
    assertThat(answer.getJsonArray("data")).hasSize(2);
    assertThat(answer.getJsonArray("data").getJsonObject(1)).isEqualTo(new JsonObject().put("object", "embedding")
        .put("index", 1).put("embedding", new JsonArray().add(1.5).add(-0.25).add(0.125)));
    assertThat(answer.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 16).put("total_tokens", 16));

    HttpResponse<String> b64 = sb.post("/embeddings",
        "{\"model\":\"embedder\",\"input\":\"a\",\"encoding_format\":\"base64\"}");

    assertThat(ollama.last().body().getString("input")).isEqualTo("a");
    String encoded = new JsonObject(b64.body()).getJsonArray("data").getJsonObject(0).getString("embedding");
    ByteBuffer floats = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(floats.remaining()).isEqualTo(12);
    assertThat(List.of(floats.getFloat(), floats.getFloat(), floats.getFloat())).containsExactly(0.5f, -0.25f, 0.125f);
  }

  @Test
  void legacyCompletionsUseGenerate() {
    HttpResponse<String> resp = sb.post("/v1/completions",
        "{\"model\":\"writer\",\"prompt\":[\"def fib(n):\"],\"max_tokens\":64,\"suffix\":\"\\n\"}");

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(ollama.last().path()).isEqualTo("/api/generate");
    assertThat(ollama.last().body()).isEqualTo(new JsonObject().put("model", "qwen2.5-coder:7b")
        .put("prompt", "def fib(n):").put("stream", false).put("suffix", "\n")
        .put("options", new JsonObject().put("num_predict", 64)));
    JsonObject answer = new JsonObject(resp.body());
    assertThat(answer.getString("object")).isEqualTo("text_completion");
    assertThat(answer.getString("model")).isEqualTo("writer");
    assertThat(answer.getJsonArray("choices").getJsonObject(0)).isEqualTo(new JsonObject().put("index", 0)
        .put("text", "Once upon").putNull("logprobs").put("finish_reason", "stop"));
    assertThat(answer.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(7);
  }

  @Test
  void legacyCompletionsStreamAsTextCompletionChunks() {
    HttpResponse<String> resp = sb.post("/v1/completions",
        "{\"model\":\"writer\",\"prompt\":\"x\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

    assertThat(ollama.last().body().getValue("stream")).isEqualTo(true);
    List<JsonObject> events = events(resp.body());
    assertThat(events).hasSize(4);
    assertThat(events.get(0).getJsonArray("choices").getJsonObject(0).getString("text")).isEqualTo("Once");
    assertThat(events.get(1).getJsonArray("choices").getJsonObject(0).getString("text")).isEqualTo(" upon");
    assertThat(events.get(2).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    assertThat(events.get(3).getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(5);
    assertThat(events).allSatisfy(e -> assertThat(e.getString("object")).isEqualTo("text_completion"));
    assertThat(resp.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void severalPromptsAreRefusedWithAReason() {
    HttpResponse<String> resp = sb.post("/v1/completions", "{\"model\":\"writer\",\"prompt\":[\"a\",\"b\"]}");

    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(resp.body()).contains("one prompt string");
    assertThat(ollama.received()).isEmpty();
  }

  @Test
  void modelNotPulledSaysPullItFirst() {
    ollama.behave(FakeOllamaBackend.error(404, "model 'qwen2.5-coder:7b' not found"));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"writer\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    HttpResponse<String> streamed = sb.post("/v1/chat/completions",
        "{\"model\":\"writer\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    for (HttpResponse<String> r : List.of(resp, streamed)) {
      assertThat(r.statusCode()).isEqualTo(404);
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertThat(error.getString("message")).startsWith("litellm.NotFoundError: OllamaException - model 'qwen2.5-coder:7b' not found")
          .contains("pull it first: ollama pull qwen2.5-coder:7b");
      assertThat(error.getString("type")).isEqualTo("not_found_error");
      assertThat(error.getString("code")).isEqualTo("404");
    }
  }

  @Test
  void otherOllamaErrorsKeepTheirStatusAndMessage() {
    ollama.behave(FakeOllamaBackend.error(400, "registry.ollama.ai/library/gemma:2b does not support tools"));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"writer\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("message"))
        .contains("gemma:2b does not support tools").contains("tool-capable model");
  }

  @Test
  void errorObjectInAWholeAnswerFailsTheCallWithOllamasMessage() {
    ollama.behave(FakeOllamaBackend.json(new JsonObject().put("error", "llama runner process has terminated: exit status 2")));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"writer\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.statusCode()).isEqualTo(500);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("message"))
        .isEqualTo("litellm.InternalServerError: OllamaException - llama runner process has terminated: exit status 2");
  }
}
