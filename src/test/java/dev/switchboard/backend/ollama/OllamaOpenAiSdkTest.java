package dev.switchboard.backend.ollama;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import dev.switchboard.testkit.FakeOllamaBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.switchboard.testkit.FakeOllamaBackend.call;
import static dev.switchboard.testkit.FakeOllamaBackend.chatDone;
import static dev.switchboard.testkit.FakeOllamaBackend.chatLine;
import static dev.switchboard.testkit.FakeOllamaBackend.text;
import static dev.switchboard.testkit.FakeOllamaBackend.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

/** The official OpenAI Java SDK, with tools, against Switchboard in front of Ollama. */
@ExtendWith(VertxExtension.class)
class OllamaOpenAiSdkTest {

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
            litellm_params:
              model: ollama_chat/%s
              api_base: %s
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

  private static ChatCompletionCreateParams params() {
    return ChatCompletionCreateParams.builder().model("qwen3-coder").addUserMessage("weather in Paris?")
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
            .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .build())
            .build()).build())
        .build();
  }

  @Test
  void sdkParsesToolCallsAndFinishReasonStreamingAndNot() {
    JsonObject weather = call("get_weather", new JsonObject().put("city", "Paris"));
    ollama.behave(FakeOllamaBackend.json(chatDone(MODEL, toolCalls(weather), "stop", 20, 10)));

    ChatCompletion completion = client.chat().completions().create(params());

    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessageFunctionToolCall toolCall = completion.choices().get(0).message().toolCalls().orElseThrow()
        .get(0).asFunction();
    assertThat(toolCall.function().name()).isEqualTo("get_weather");
    assertThat(new JsonObject(toolCall.function().arguments())).isEqualTo(new JsonObject().put("city", "Paris"));
    assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(30);
    assertThat(ollama.last().body().getJsonArray("tools").getJsonObject(0).getJsonObject("function")
        .getString("name")).isEqualTo("get_weather");

    ollama.behave(FakeOllamaBackend.streamLines(chatLine(MODEL, text("Let me check. ")),
        chatLine(MODEL, toolCalls(weather)), chatDone(MODEL, text(""), "stop", 20, 10)));
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params())) {
      stream.stream().forEach(chunks::add);
    }

    assertThat(chunks).isNotEmpty();
    ChatCompletionChunk.Choice last = chunks.get(chunks.size() - 1).choices().get(0);
    assertThat(last.finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS);
    List<ChatCompletionChunk.Choice.Delta.ToolCall> deltas = chunks.stream()
        .flatMap(c -> c.choices().stream()).flatMap(c -> c.delta().toolCalls().orElse(List.of()).stream()).toList();
    assertThat(deltas).hasSize(1);
    assertThat(deltas.get(0).id()).hasValueSatisfying(id -> assertThat(id).startsWith("call_"));
    assertThat(deltas.get(0).function().orElseThrow().name()).hasValue("get_weather");
    assertThat(deltas.get(0).function().orElseThrow().arguments()).hasValue("{\"city\":\"Paris\"}");
    assertThat(chunks.get(0).choices().get(0).delta().content()).hasValue("Let me check. ");
  }
}
