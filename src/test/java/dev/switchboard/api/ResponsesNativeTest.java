package dev.switchboard.api;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.inputtokens.InputTokenCountParams;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A deployment whose server speaks Responses itself ({@code model_info.native_responses: true}) gets a
 * stateless request as it came, and its answer passes through with the client's model name; a request
 * that needs the store is translated to chat completions, so that its answer can be stored.
 */
@ExtendWith(VertxExtension.class)
class ResponsesNativeTest {

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private OpenAIClient client;

  /** A Response as a native server writes it (llama-server, vLLM), under its own model name. */
  private static JsonObject nativeResponse(String status) {
    return new JsonObject().put("id", "resp_native1").put("object", "response").put("created_at", 1700000000)
        .put("status", status).put("model", "qwen3-coder-30b").putNull("error").putNull("incomplete_details")
        .putNull("instructions").put("metadata", new JsonObject()).put("parallel_tool_calls", true)
        .put("temperature", 1.0).put("top_p", 1.0).put("tool_choice", "auto").put("tools", new JsonArray())
        .put("output", "completed".equals(status) ? new JsonArray().add(new JsonObject().put("id", "msg_n1")
            .put("type", "message").put("status", "completed").put("role", "assistant")
            .put("content", new JsonArray().add(new JsonObject().put("type", "output_text")
                .put("text", "native hello").put("annotations", new JsonArray())))) : new JsonArray())
        .put("usage", "completed".equals(status) ? new JsonObject().put("input_tokens", 11).put("output_tokens", 2)
            .put("total_tokens", 13).put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
            .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 0)) : null);
  }

  private static String event(String type, int seq, JsonObject fields) {
    JsonObject data = new JsonObject().put("type", type).put("sequence_number", seq).mergeIn(fields);
    return "event: " + type + "\ndata: " + data.encode() + "\n\n";
  }

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    backend.behave((req, body) -> {
      if (req.path().endsWith("/responses/input_tokens")) {
        req.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("object", "response.input_tokens").put("input_tokens", 42).encode());
        return;
      }
      if (!req.path().endsWith("/responses")) {
        req.response().putHeader("content-type", "application/json")
            .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "translated hello").encode());
        return;
      }
      if (!body.getBoolean("stream", false)) {
        req.response().putHeader("content-type", "application/json").end(nativeResponse("completed").encode());
        return;
      }
      String all = event("response.created", 0, new JsonObject().put("response", nativeResponse("in_progress")))
          + event("response.output_text.delta", 1, new JsonObject().put("item_id", "msg_n1").put("output_index", 0)
              .put("content_index", 0).put("delta", "native hello").put("logprobs", new JsonArray()))
          + event("response.completed", 2, new JsonObject().put("response", nativeResponse("completed")));
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      // Cut every 7 bytes: events split across writes must come out whole.
      for (int i = 0; i < all.length(); i += 7) {
        req.response().write(all.substring(i, Math.min(all.length(), i + 7)));
      }
      req.response().end();
    });
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: qwen3-coder
            litellm_params: {model: openai/qwen3-coder-30b, api_base: %s}
            model_info: {native_responses: true}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
    client = sb.openAiClient();
  }

  @AfterEach
  void stop() {
    client.close();
    sb.close();
    backend.close();
  }

  @Test
  void inputTokensOfAStatelessRequestAreTheNativeServersCount() {
    long count = client.responses().inputTokens().count(InputTokenCountParams.builder().model("qwen3-coder")
        .input("hi").build()).inputTokens();

    assertThat(count).isEqualTo(42);
    assertThat(backend.last().path()).isEqualTo("/v1/responses/input_tokens");
    assertThat(backend.last().body().getString("model")).isEqualTo("qwen3-coder-30b");
    assertThat(backend.last().body().getString("input")).isEqualTo("hi");
  }

  @Test
  void aNativeServerThatCannotCountLeavesTheEstimate() {
    backend.behave(FakeOpenAiBackend.error(404, "File Not Found"));

    long count = client.responses().inputTokens().count(InputTokenCountParams.builder().model("qwen3-coder")
        .input("word ".repeat(400)).build()).inputTokens();

    assertThat(count).isBetween(500L, 600L);
    assertThat(backend.last().path()).isEqualTo("/v1/responses/input_tokens");
  }

  @Test
  void aStatelessRequestPassesThroughWithTheClientsModelName() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("hi")
        .store(false).build());

    assertThat(r.id()).isEqualTo("resp_native1");
    assertThat(r.model().string()).hasValue("qwen3-coder");
    assertThat(ResponsesSdkTest.text(r)).isEqualTo("native hello");
    assertThat(backend.last().path()).isEqualTo("/v1/responses");
    assertThat(backend.last().body().getString("model")).isEqualTo("qwen3-coder-30b");
    assertThat(backend.last().body().getBoolean("store")).isFalse();
    assertThat(backend.last().body().getString("input")).isEqualTo("hi");
  }

  @Test
  void aStatelessStreamPassesThroughEventByEvent() {
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("qwen3-coder").input("hi").store(false).build())) {
      List<ResponseStreamEvent> events = stream.stream().toList();

      assertThat(events).hasSize(3);
      assertThat(events.get(0).asCreated().response().model().string()).hasValue("qwen3-coder");
      assertThat(events.stream().flatMap(e -> e.outputTextDelta().stream()).map(d -> d.delta())
          .collect(Collectors.joining())).isEqualTo("native hello");
      Response done = events.get(2).asCompleted().response();
      assertThat(done.model().string()).hasValue("qwen3-coder");
      assertThat(done.usage().orElseThrow().inputTokens()).isEqualTo(11);
    }
    assertThat(backend.last().path()).isEqualTo("/v1/responses");
  }

  @Test
  void aRequestThatIsStoredIsTranslated() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder").input("hi").build());

    assertThat(ResponsesSdkTest.text(r)).isEqualTo("translated hello");
    assertThat(backend.last().path()).isEqualTo("/v1/chat/completions");
    assertThat(ResponsesSdkTest.text(client.responses().retrieve(r.id()))).isEqualTo("translated hello");
  }
}
