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

import static dev.switchboard.testkit.FakeOllamaBackend.call;
import static dev.switchboard.testkit.FakeOllamaBackend.chatDone;
import static dev.switchboard.testkit.FakeOllamaBackend.text;
import static dev.switchboard.testkit.FakeOllamaBackend.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

/** Non-streamed chat on Ollama: what /api/chat is sent, and the chat.completion that comes back. */
@ExtendWith(VertxExtension.class)
class OllamaChatTest {

  static final String MODEL = "qwen3-coder:30b";

  private FakeOllamaBackend ollama;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    ollama = FakeOllamaBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: qwen3-coder
            litellm_params:
              model: ollama_chat/%1$s
              api_base: %2$s
              keep_alive: 10m
              options: {num_ctx: 32768, temperature: 0.7}
          - model_name: qwen3-plain
            litellm_params:
              model: ollama/%1$s
              api_base: %2$s
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(MODEL, ollama.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    ollama.close();
  }

  private HttpResponse<String> chat(JsonObject extra) {
    JsonObject req = new JsonObject().put("model", "qwen3-coder")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    extra.forEach(e -> req.put(e.getKey(), e.getValue()));
    return sb.post("/v1/chat/completions", req.encode());
  }

  private static JsonObject choice(HttpResponse<String> resp) {
    return new JsonObject(resp.body()).getJsonArray("choices").getJsonObject(0);
  }

  @Test
  void nonStreamAnswerIsAChatCompletionWithUsage() {
    HttpResponse<String> resp = chat(new JsonObject());

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(ollama.last().path()).isEqualTo("/api/chat");
    assertThat(ollama.last().body().getValue("stream")).isEqualTo(false);
    JsonObject answer = new JsonObject(resp.body());
    assertThat(answer.getString("id")).startsWith("chatcmpl-");
    assertThat(answer.getString("object")).isEqualTo("chat.completion");
    assertThat(answer.getString("model")).isEqualTo("qwen3-coder");
    assertThat(answer.getLong("created")).isEqualTo(1748773230L);
    assertThat(choice(resp).getJsonObject("message"))
        .isEqualTo(new JsonObject().put("role", "assistant").put("content", "Hello from Ollama"));
    assertThat(choice(resp).getString("finish_reason")).isEqualTo("stop");
    assertThat(answer.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 12)
        .put("completion_tokens", 3).put("total_tokens", 15));
  }

  @Test
  void toolCallsComeBackWithIdsStringArgumentsAndFinishReasonToolCalls() {
    ollama.behave(FakeOllamaBackend.json(chatDone(MODEL,
        toolCalls(call("get_weather", new JsonObject().put("city", "Paris").put("days", 2))), "stop", 30, 12)));

    JsonObject c = choice(chat(new JsonObject()));

    assertThat(c.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject message = c.getJsonObject("message");
    assertThat(message.containsKey("content")).isTrue();
    assertThat(message.getValue("content")).isNull();
    JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getString("id")).matches("call_[0-9a-f]{24}");
    assertThat(call.getString("type")).isEqualTo("function");
    assertThat(call.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")))
        .isEqualTo(new JsonObject().put("city", "Paris").put("days", 2));
  }

  @Test
  void thinkingBecomesReasoningContent() {
    ollama.behave(FakeOllamaBackend.json(chatDone(MODEL,
        text("42").put("thinking", "6 times 7"), "stop", 3, 9)));

    JsonObject message = choice(chat(new JsonObject().put("reasoning_effort", "low"))).getJsonObject("message");

    assertThat(message.getString("content")).isEqualTo("42");
    assertThat(message.getString("reasoning_content")).isEqualTo("6 times 7");
    assertThat(ollama.last().body().getValue("think")).isEqualTo(true);
  }

  @Test
  void optionsMapToOllamaOptions() {
    chat(new JsonObject().put("max_completion_tokens", 256).put("temperature", 0.2).put("top_p", 0.9)
        .put("stop", "###").put("seed", 7).put("frequency_penalty", 0.5).put("presence_penalty", 0.25)
        .put("top_k", 40).put("options", new JsonObject().put("num_ctx", 8192).put("mirostat", 0))
        .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema",
            new JsonObject().put("name", "w").put("schema", new JsonObject().put("type", "object")))));

    JsonObject sent = ollama.last().body();
    assertThat(sent.getJsonObject("options")).isEqualTo(new JsonObject()
        .put("num_ctx", 8192).put("temperature", 0.2).put("mirostat", 0).put("top_k", 40).put("top_p", 0.9)
        .put("seed", 7).put("frequency_penalty", 0.5).put("presence_penalty", 0.25).put("num_predict", 256)
        .put("stop", new JsonArray().add("###")));
    assertThat(sent.getJsonObject("format")).isEqualTo(new JsonObject().put("type", "object"));
    assertThat(sent.getString("keep_alive")).isEqualTo("10m");
    assertThat(sent.containsKey("max_completion_tokens")).isFalse();
  }

  @Test
  void litellmParamsOptionsApplyWhenTheRequestSaysNothing() {
    chat(new JsonObject().put("max_tokens", 5).put("stop", new JsonArray().add("a").add("b"))
        .put("keep_alive", -1).put("response_format", new JsonObject().put("type", "json_object")));

    JsonObject sent = ollama.last().body();
    assertThat(sent.getJsonObject("options")).isEqualTo(new JsonObject().put("num_ctx", 32768)
        .put("temperature", 0.7).put("num_predict", 5).put("stop", new JsonArray().add("a").add("b")));
    assertThat(sent.getValue("keep_alive")).isEqualTo(-1);
    assertThat(sent.getString("format")).isEqualTo("json");
  }

  @Test
  void everyRoleMapsToOllamaMessages() {
    JsonArray messages = new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "be brief"))
        .add(new JsonObject().put("role", "developer").put("content", "use tools"))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "weather"))
            .add(new JsonObject().put("type", "text").put("text", "in Paris?"))))
        .add(new JsonObject().put("role", "assistant").putNull("content").put("reasoning_content", "look it up")
            .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_1").put("type", "function")
                .put("function", new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}")))))
        .add(new JsonObject().put("role", "tool").put("tool_call_id", "call_1").put("content", "sunny"));

    chat(new JsonObject().put("messages", messages));

    assertThat(ollama.last().body().getJsonArray("messages")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", "be brief"))
        .add(new JsonObject().put("role", "system").put("content", "use tools"))
        .add(new JsonObject().put("role", "user").put("content", "weather\nin Paris?"))
        .add(new JsonObject().put("role", "assistant").put("content", "").put("thinking", "look it up")
            .put("tool_calls", new JsonArray().add(new JsonObject().put("function", new JsonObject()
                .put("name", "get_weather").put("arguments", new JsonObject().put("city", "Paris"))))))
        .add(new JsonObject().put("role", "tool").put("content", "sunny").put("tool_name", "get_weather")));
  }

  @Test
  void imagePartsBecomeImages() {
    JsonArray parts = new JsonArray().add(new JsonObject().put("type", "text").put("text", "what is this?"))
        .add(new JsonObject().put("type", "image_url").put("image_url",
            new JsonObject().put("url", "data:image/png;base64,iVBORw0KGgo=")));

    chat(new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", parts))));

    assertThat(ollama.last().body().getJsonArray("messages").getJsonObject(0)).isEqualTo(new JsonObject()
        .put("role", "user").put("content", "what is this?").put("images", new JsonArray().add("iVBORw0KGgo=")));
  }

  @Test
  void imageByHttpUrlIsRefusedNotDropped() {
    JsonArray parts = new JsonArray().add(new JsonObject().put("type", "image_url")
        .put("image_url", new JsonObject().put("url", "https://example.com/cat.png")));

    HttpResponse<String> resp = chat(new JsonObject().put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", parts))));

    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(resp.body()).contains("base64 data URL");
    assertThat(ollama.received()).isEmpty();
  }

  @Test
  void toolsGoNativelyAndToolChoiceIsMappedAsFarAsOllamaCan() {
    JsonArray tools = new JsonArray().add(tool("get_weather")).add(tool("get_time"));

    chat(new JsonObject().put("tools", tools).put("tool_choice", "auto"));
    assertThat(ollama.last().body().getJsonArray("tools")).isEqualTo(tools);

    chat(new JsonObject().put("tools", tools).put("tool_choice", "none"));
    assertThat(ollama.last().body().containsKey("tools")).isFalse();

    chat(new JsonObject().put("tools", tools).put("tool_choice", new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "get_time"))));
    assertThat(ollama.last().body().getJsonArray("tools")).isEqualTo(new JsonArray().add(tool("get_time")));
    assertThat(ollama.last().body().containsKey("tool_choice")).isFalse();
  }

  @Test
  void ollamaPrefixAlsoChatsOnApiChatSoToolsSurvive() {
    JsonObject req = new JsonObject().put("model", "qwen3-plain").put("tools", new JsonArray().add(tool("get_weather")))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));

    assertThat(sb.post("/v1/chat/completions", req.encode()).statusCode()).isEqualTo(200);

    assertThat(ollama.last().path()).isEqualTo("/api/chat");
    assertThat(ollama.last().body().getJsonArray("tools")).hasSize(1);
    assertThat(ollama.last().body().containsKey("keep_alive")).isFalse();
  }

  static JsonObject tool(String name) {
    return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name)
        .put("description", "d").put("parameters", new JsonObject().put("type", "object")));
  }
}
