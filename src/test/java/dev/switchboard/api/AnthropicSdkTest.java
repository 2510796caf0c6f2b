package dev.switchboard.api;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import dev.switchboard.testkit.FakeOllamaBackend;
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

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.testkit.FakeOllamaBackend.chatDone;
import static dev.switchboard.testkit.FakeOllamaBackend.chatLine;
import static dev.switchboard.testkit.FakeOllamaBackend.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Messages front door with the official Anthropic Java SDK as the client, against each kind of backend. */
@ExtendWith(VertxExtension.class)
class AnthropicSdkTest {

  private FakeOpenAiBackend openai;
  private FakeOllamaBackend ollama;
  private TestNode sb;
  private AnthropicClient client;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    openai = FakeOpenAiBackend.start(vertx);
    ollama = FakeOllamaBackend.start(vertx);
    ollama.pull("qwen3:8b");
    int dead;
    try (ServerSocket s = new ServerSocket(0)) {
      dead = s.getLocalPort();
    }
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/qwen3-coder, api_base: %s}
            model_info: {max_output_tokens: 4096}
          - model_name: small
            litellm_params: {model: ollama_chat/qwen3:8b, api_base: %s}
          - model_name: down
            litellm_params: {model: openai/x, api_base: http://127.0.0.1:%d/v1}
          - model_name: native
            litellm_params: {model: openai/qwen3-native, api_base: %s}
            model_info: {native_messages: true}
        router_settings:
          model_group_alias: {claude-sonnet-4-6: coder, claude-haiku-4-5: {model: small, hidden: true}}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(openai.apiBase(), ollama.apiBase(), dead, openai.apiBase()));
    // ANTHROPIC_BASE_URL is the root, without /v1; Claude Code sends the key as a bearer token.
    client = AnthropicOkHttpClient.builder().baseUrl(sb.baseUrl()).authToken(TestNode.KEY).maxRetries(0).build();
  }

  @AfterEach
  void stop() {
    client.close();
    sb.close();
    openai.close();
    ollama.close();
  }

  private static MessageCreateParams.Builder ask(String model, String prompt) {
    return MessageCreateParams.builder().model(model).maxTokens(32000).addUserMessage(prompt);
  }

  private static String textOf(Message m) {
    StringBuilder out = new StringBuilder();
    m.content().forEach(b -> b.text().ifPresent(t -> out.append(t.text())));
    return out.toString();
  }

  @Test
  void aMessageIsAnsweredAsAMessageThroughAnAlias() {
    Message m = client.messages().create(ask("claude-sonnet-4-6", "ping").system("Be brief.").build());
    assertThat(textOf(m)).isEqualTo("Hello from the fake backend");
    assertThat(m.model().asString()).isEqualTo("claude-sonnet-4-6");
    assertThat(m.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(m.usage().outputTokens()).isPositive();
    JsonObject sent = openai.last().body();
    assertThat(sent.getString("model")).isEqualTo("qwen3-coder");
    assertThat(sent.getInteger("max_tokens")).as("capped to max_output_tokens").isEqualTo(4096);
    assertThat(sent.getJsonArray("messages").getJsonObject(0))
        .isEqualTo(new JsonObject().put("role", "system").put("content", "Be brief."));
  }

  @Test
  void aStreamAccumulatesToTheSameMessage() {
    openai.behave(openai.streaming("qwen3-coder", 0, "Hel", "lo", " there"));
    MessageAccumulator acc = MessageAccumulator.create();
    List<String> types = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> events =
             client.messages().createStreaming(ask("coder", "ping").build())) {
      events.stream().forEach(e -> {
        acc.accumulate(e);
        types.add(e.isMessageStart() ? "message_start" : e.isContentBlockStart() ? "start"
            : e.isContentBlockDelta() ? "delta" : e.isContentBlockStop() ? "stop"
            : e.isMessageDelta() ? "message_delta" : e.isMessageStop() ? "message_stop" : "other");
      });
    }
    assertThat(types).containsExactly("message_start", "start", "delta", "delta", "delta", "stop", "message_delta",
        "message_stop");
    Message m = acc.message();
    assertThat(textOf(m)).isEqualTo("Hello there");
    assertThat(m.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(m.usage().outputTokens()).as("from the usage chunk").isEqualTo(3);
    assertThat(openai.last().body().getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
  }

  @Test
  void aToolCallRoundTripKeepsItsId() {
    openai.behave((req, body) -> req.response().putHeader("content-type", "application/json").end(new JsonObject()
        .put("id", "chatcmpl-1").put("object", "chat.completion").put("model", "qwen3-coder")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "tool_calls")
            .put("message", new JsonObject().put("role", "assistant").putNull("content")
                .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_42").put("type", "function")
                    .put("function", new JsonObject().put("name", "read_file")
                        .put("arguments", "{\"path\":\"README.md\"}")))))))
        .put("usage", new JsonObject().put("prompt_tokens", 50).put("completion_tokens", 9)).encode()));
    Tool readFile = Tool.builder().name("read_file").description("Reads a file")
        .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("path", Map.of("type", "string"))))
            .build()).build();
    Message m = client.messages().create(ask("coder", "read the readme").addTool(readFile).build());
    assertThat(m.stopReason()).hasValue(StopReason.TOOL_USE);
    ContentBlock block = m.content().get(0);
    assertThat(block.toolUse()).hasValueSatisfying(t -> {
      assertThat(t.id()).isEqualTo("call_42");
      assertThat(t.name()).isEqualTo("read_file");
      assertThat(t._input().convert(Map.class)).isEqualTo(Map.of("path", "README.md"));
    });
    JsonObject sentTools = openai.last().body().getJsonArray("tools").getJsonObject(0);
    assertThat(sentTools.getJsonObject("function").getString("name")).isEqualTo("read_file");
    assertThat(sentTools.getJsonObject("function").getJsonObject("parameters").getString("type")).isEqualTo("object");

    // The second turn, as Claude Code sends it: the assistant's tool_use, then the user's tool_result.
    openai.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("qwen3-coder", "It is a README.").encode()));
    HttpResponse<String> second = sb.post("/v1/messages?beta=true", new JsonObject().put("model", "coder")
        .put("max_tokens", 100).put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", "read the readme"))
            .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
                .add(new JsonObject().put("type", "thinking").put("thinking", "hmm").put("signature", "sig"))
                .add(new JsonObject().put("type", "tool_use").put("id", "call_42").put("name", "read_file")
                    .put("input", new JsonObject().put("path", "README.md")))))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "call_42")
                    .put("content", "# Switchboard").put("cache_control", new JsonObject().put("type", "ephemeral")))
                .add(new JsonObject().put("type", "text").put("text", "summarise it")))))
        .encode());
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    JsonArray sent = openai.last().body().getJsonArray("messages");
    assertThat(sent.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0).getString("id")).isEqualTo("call_42");
    assertThat(sent.getJsonObject(1).encode()).as("no thinking replayed").doesNotContain("hmm");
    assertThat(sent.getJsonObject(2)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", "call_42")
        .put("content", "# Switchboard"));
    assertThat(sent.getJsonObject(3)).isEqualTo(new JsonObject().put("role", "user").put("content", "summarise it"));
    assertThat(new JsonObject(second.body()).getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo("It is a README.");
  }

  @Test
  void reasoningIsAThinkingBlockAndThinkingAsksForEffort() {
    openai.behave((req, body) -> req.response().putHeader("content-type", "application/json").end(new JsonObject()
        .put("id", "chatcmpl-2").put("object", "chat.completion").put("model", "qwen3-coder")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "length")
            .put("message", new JsonObject().put("role", "assistant").put("content", "42")
                .put("reasoning_content", "Let me think."))))
        .encode()));
    Message m = client.messages().create(ask("coder", "answer").enabledThinking(20000).build());
    assertThat(m.content().get(0).thinking()).hasValueSatisfying(t -> assertThat(t.thinking()).isEqualTo("Let me think."));
    assertThat(m.content().get(1).text()).hasValueSatisfying(t -> assertThat(t.text()).isEqualTo("42"));
    assertThat(m.stopReason()).hasValue(StopReason.MAX_TOKENS);
    assertThat(openai.last().body().getString("reasoning_effort")).isEqualTo("high");
    assertThat(openai.last().body().containsKey("thinking")).isFalse();
  }

  @Test
  void anOllamaDeploymentStreamsThroughTheSameDoor() {
    ollama.behave((req, body) -> req.response().putHeader("content-type", "application/x-ndjson")
        .end(chatLine("qwen3:8b", text("Hi")).encode() + "\n" + chatLine("qwen3:8b", text(" from Ollama")).encode()
            + "\n" + chatDone("qwen3:8b", text(""), "stop", 12, 2).encode() + "\n"));
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> events =
             client.messages().createStreaming(ask("claude-haiku-4-5", "hi").build())) {
      events.stream().forEach(acc::accumulate);
    }
    assertThat(textOf(acc.message())).isEqualTo("Hi from Ollama");
    assertThat(acc.message().usage().outputTokens()).isEqualTo(2);
    assertThat(ollama.last().path()).isEqualTo("/api/chat");
  }

  @Test
  void errorsAreAnthropicErrorsWithTheirStatus() {
    assertThatThrownBy(() -> client.messages().create(ask("no-such-model", "x").build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(400);
          assertThat(e.getMessage()).contains("no-such-model");
          assertThat(e.headers().values("x-should-retry")).containsExactly("false");
        });
    assertThatThrownBy(() -> client.messages().create(ask("down", "x").build()))
        .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(503);
          assertThat(e.getMessage()).contains("model=down");
        });
    AnthropicClient wrongKey = AnthropicOkHttpClient.builder().baseUrl(sb.baseUrl()).apiKey("sk-wrong")
        .maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrongKey.messages().create(ask("coder", "x").build()))
          .isInstanceOfSatisfying(UnauthorizedException.class, e ->
              assertThat(e.headers().values("x-should-retry")).containsExactly("false"));
    } finally {
      wrongKey.close();
    }
    HttpResponse<String> raw = sb.post("/v1/messages", "{\"model\":\"coder\",\"messages\":[]}");
    assertThat(raw.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(raw.body()).getString("type")).isEqualTo("error");
    assertThat(new JsonObject(raw.body()).getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  void aSilentBackendGetsPingsAndAClientThatLeavesStopsIt() throws Exception {
    openai.behave(FakeOpenAiBackend.hang()); // a long prompt on a CPU: nothing for a while
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest req = HttpRequest.newBuilder(URI.create(sb.baseUrl()
            + "/v1/messages?beta=true"))
        .header("authorization", "Bearer " + TestNode.KEY).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"model\":\"coder\",\"max_tokens\":10,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
        .build();
    HttpResponse<InputStream> resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(resp.statusCode()).isEqualTo(200);
    BufferedReader lines = new BufferedReader(new InputStreamReader(resp.body(),
        StandardCharsets.UTF_8));
    assertThat(lines.readLine()).isEqualTo("event: message_start");
    String line;
    while ((line = lines.readLine()) != null && !line.equals("event: ping")) {
      // message_start's data line and the blank line after it
    }
    assertThat(line).isEqualTo("event: ping");
    long closedAt = System.nanoTime();
    resp.body().close();
    openai.clientClosed().get(5, TimeUnit.SECONDS);
    assertThat((System.nanoTime() - closedAt) / 1_000_000).as("upstream closed after the client left, ms")
        .isLessThan(1_000);
  }

  /** What llama-server or vLLM answer on their own /v1/messages. */
  private static JsonObject nativeMessage(String model) {
    return new JsonObject().put("id", "msg_native").put("type", "message").put("role", "assistant")
        .put("model", model).put("content", new JsonArray().add(new JsonObject().put("type", "text")
            .put("text", "native answer"))).put("stop_reason", "end_turn").putNull("stop_sequence")
        .put("usage", new JsonObject().put("input_tokens", 11).put("output_tokens", 2));
  }

  @Test
  void aDeploymentThatSpeaksMessagesGetsTheRequestAsItCame() {
    openai.behave((req, body) -> {
      if (!req.path().endsWith("/messages")) {
        req.response().setStatusCode(404).end();
        return;
      }
      if (!body.getBoolean("stream", false)) {
        req.response().putHeader("content-type", "application/json").end(nativeMessage("qwen3-native").encode());
        return;
      }
      JsonObject start = new JsonObject().put("type", "message_start").put("message", nativeMessage("qwen3-native")
          .put("content", new JsonArray()).put("usage", new JsonObject().put("input_tokens", 11).put("output_tokens", 0)));
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write("event: message_start\ndata: " + start.encode() + "\n\n");
      req.response().write("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\nevent: content_block_delta\ndata: "
          + "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"native\"}}\n\n");
      req.response().end("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
          + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":1}}\n\nevent: message_stop\ndata: "
          + "{\"type\":\"message_stop\"}\n\n");
    });
    Message m = client.messages().create(ask("native", "hi").enabledThinking(2048).build());
    assertThat(textOf(m)).isEqualTo("native answer");
    assertThat(m.model().asString()).isEqualTo("native");
    assertThat(openai.last().path()).isEqualTo("/v1/messages");
    JsonObject sent = openai.last().body();
    assertThat(sent.getString("model")).isEqualTo("qwen3-native");
    assertThat(sent.getJsonObject("thinking").getString("type")).as("passed through, not translated").isEqualTo("enabled");
    assertThat(sent.containsKey("reasoning_effort")).isFalse();
    assertThat(openai.last().headers().get("anthropic-version")).isEqualTo("2023-06-01");

    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> events = client.messages().createStreaming(ask("native", "hi").build())) {
      events.stream().forEach(acc::accumulate);
    }
    assertThat(textOf(acc.message())).isEqualTo("native");
    assertThat(acc.message().model().asString()).isEqualTo("native");
    assertThat(acc.message().stopReason()).hasValue(StopReason.END_TURN);
  }

  @Test
  void aNativeDeploymentCountsTokensItselfAndAnEstimateStandsInWhenItCannot() {
    openai.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("input_tokens", 42).encode()));
    String count = "{\"model\":\"native\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}";
    HttpResponse<String> counted = sb.post("/v1/messages/count_tokens?beta=true", count);
    assertThat(counted.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(counted.body())).isEqualTo(new JsonObject().put("input_tokens", 42));
    assertThat(openai.last().path()).isEqualTo("/v1/messages/count_tokens");
    assertThat(openai.last().body().getString("model")).isEqualTo("qwen3-native");

    openai.behave((req, body) -> req.response().setStatusCode(404).end("Not Found"));
    HttpResponse<String> estimated = sb.post("/v1/messages/count_tokens", count);
    assertThat(estimated.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(estimated.body()).getLong("input_tokens")).isPositive().isNotEqualTo(42L);
  }

  @Test
  void countTokensAnswersAnEstimate() {
    HttpResponse<String> resp = sb.post("/v1/messages/count_tokens?beta=true",
        "{\"model\":\"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "word ".repeat(400) + "\"}]}");
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(resp.body()).getLong("input_tokens")).isBetween(400L, 700L);
    assertThat(openai.received()).as("no backend call").isEmpty();
  }
}
