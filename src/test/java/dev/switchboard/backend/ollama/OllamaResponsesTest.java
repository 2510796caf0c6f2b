package dev.switchboard.backend.ollama;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseStreamEvent;
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

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.switchboard.testkit.FakeOllamaBackend.call;
import static dev.switchboard.testkit.FakeOllamaBackend.chatDone;
import static dev.switchboard.testkit.FakeOllamaBackend.chatLine;
import static dev.switchboard.testkit.FakeOllamaBackend.text;
import static dev.switchboard.testkit.FakeOllamaBackend.thinking;
import static dev.switchboard.testkit.FakeOllamaBackend.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAI Java SDK's Responses API against Switchboard in front of Ollama's /api/chat. */
@ExtendWith(VertxExtension.class)
class OllamaResponsesTest {

  private static final String MODEL = "qwen3-coder:30b";

  private FakeOllamaBackend ollama;
  private TestNode sb;
  private OpenAIClient client;

  @BeforeEach
  void start(Vertx vertx) {
    ollama = FakeOllamaBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: qwen3-coder
            litellm_params: {model: ollama_chat/%s, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(MODEL, ollama.apiBase()));
    client = sb.openAiClient();
  }

  @AfterEach
  void stop() {
    client.close();
    sb.close();
    ollama.close();
  }

  private static String outputText(Response r) {
    return r.output().stream().flatMap(i -> i.message().stream()).flatMap(m -> m.content().stream())
        .flatMap(c -> c.outputText().stream()).map(t -> t.text()).collect(Collectors.joining());
  }

  private static FunctionTool readTool() {
    return FunctionTool.builder().name("read").strict(false)
        .parameters(FunctionTool.Parameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("path", Map.of("type", "string")))).build())
        .build();
  }

  @Test
  void textAnswer() {
    Response r = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
        .instructions("Be brief.").input("hi").build());

    assertThat(outputText(r)).isEqualTo("Hello from Ollama");
    assertThat(r.usage()).hasValueSatisfying(u -> {
      assertThat(u.inputTokens()).isEqualTo(12);
      assertThat(u.outputTokens()).isEqualTo(3);
    });
    assertThat(ollama.last().path()).isEqualTo("/api/chat");
    assertThat(ollama.last().body().getJsonArray("messages").getJsonObject(0))
        .isEqualTo(new JsonObject().put("role", "system").put("content", "Be brief."));
  }

  @Test
  void streamedThinkingAndTextBecomeAReasoningItemAndAMessage() {
    ollama.behave(FakeOllamaBackend.streamLines(chatLine(MODEL, thinking("Let me")),
        chatLine(MODEL, thinking(" think.")), chatLine(MODEL, text("Done")), chatDone(MODEL, text(""), "stop", 9, 4)));
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("qwen3-coder").input("think").build())) {
      List<ResponseStreamEvent> events = stream.stream().toList();

      String reasoning = events.stream().flatMap(e -> e.reasoningTextDelta().stream()).map(d -> d.delta())
          .collect(Collectors.joining());
      assertThat(reasoning).isEqualTo("Let me think.");
      Response done = events.get(events.size() - 1).asCompleted().response();
      assertThat(done.output().get(0).isReasoning()).isTrue();
      assertThat(outputText(done)).isEqualTo("Done");
      assertThat(done.usage().orElseThrow().inputTokens()).isEqualTo(9);
    }
  }

  @Test
  void toolCallRoundTripWithTheWholeHistory() {
    ollama.behave((req, body) -> {
      JsonArray messages = body.getJsonArray("messages");
      JsonObject last = messages.getJsonObject(messages.size() - 1);
      JsonObject answer = "tool".equals(last.getString("role"))
          ? chatDone(MODEL, text("DONE-" + last.getString("tool_name")), "stop", 20, 2)
          : chatDone(MODEL, toolCalls(call("read", new JsonObject().put("path", "README.md"))), "stop", 10, 5);
      FakeOllamaBackend.streamLines(answer).handle(req, body);
    });
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder()
        .model("qwen3-coder").input("Read the README").addTool(readTool()).store(false).build())) {
      ResponseFunctionToolCall call = stream.stream().flatMap(e -> e.outputItemDone().stream())
          .flatMap(d -> d.item().functionCall().stream()).findFirst().orElseThrow();
      assertThat(call.name()).isEqualTo("read");
      assertThat(new JsonObject(call.arguments())).isEqualTo(new JsonObject().put("path", "README.md"));

      Response second = client.responses().create(ResponseCreateParams.builder().model("qwen3-coder")
          .addTool(readTool()).store(false).inputOfResponse(List.of(
              ResponseInputItem.ofEasyInputMessage(com.openai.models.responses.EasyInputMessage.builder()
                  .role(com.openai.models.responses.EasyInputMessage.Role.USER).content("Read the README").build()),
              ResponseInputItem.ofFunctionCall(call),
              ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                  .callId(call.callId()).output("# Switchboard").build()))).build());

      assertThat(outputText(second)).isEqualTo("DONE-read");
      JsonArray sent = ollama.last().body().getJsonArray("messages");
      assertThat(sent.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function")
          .getJsonObject("arguments")).isEqualTo(new JsonObject().put("path", "README.md"));
      assertThat(sent.getJsonObject(2).getString("content")).isEqualTo("# Switchboard");
    }
  }
}
