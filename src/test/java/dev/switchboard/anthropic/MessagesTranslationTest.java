package dev.switchboard.anthropic;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Messages ⇄ chat completions without HTTP: requests, answers, and the stream's event order. */
class MessagesTranslationTest {

  private static String chunk(JsonObject delta, String finish) {
    return "data: " + new JsonObject().put("id", "c").put("object", "chat.completion.chunk")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("finish_reason", finish))).encode() + "\n\n";
  }

  private static JsonObject toolDelta(int index, String id, String name, String args) {
    JsonObject fn = new JsonObject().put("arguments", args);
    if (name != null) {
      fn.put("name", name);
    }
    JsonObject call = new JsonObject().put("index", index).put("function", fn);
    if (id != null) {
      call.put("id", id).put("type", "function");
    }
    return new JsonObject().put("tool_calls", new JsonArray().add(call));
  }

  /** A stream with thinking, text and two tool calls, then usage and [DONE]. */
  private static String agentStream() {
    return chunk(new JsonObject().put("role", "assistant").put("reasoning_content", "Plan: "), null)
        + chunk(new JsonObject().put("reasoning_content", "read two files."), null)
        + chunk(new JsonObject().put("content", "Reading ünïcode… "), null)
        + chunk(toolDelta(0, "call_a", "read", "{\"pa"), null)
        + chunk(toolDelta(0, null, null, "th\":\"a\"}"), null)
        + chunk(toolDelta(1, "call_b", "read", "{\"path\":\"b\"}"), null)
        + chunk(new JsonObject(), "tool_calls")
        + "data: " + new JsonObject().put("choices", new JsonArray())
            .put("usage", new JsonObject().put("prompt_tokens", 100).put("completion_tokens", 20)).encode() + "\n\n"
        + "data: [DONE]\n\n";
  }

  private static List<JsonObject> events(String sse) {
    List<JsonObject> out = new ArrayList<>();
    for (String e : sse.split("\n\n")) {
      int data = e.indexOf("data: ");
      if (data >= 0) {
        out.add(new JsonObject(e.substring(data + 6)));
      }
    }
    return out;
  }

  @Test
  void streamEventsAreInOrderWithEveryDeltaInsideAnOpenBlock() {
    ChatStreamToMessages t = new ChatStreamToMessages("claude-sonnet-4-6", 10);
    String out = t.data(Buffer.buffer(agentStream())).toString() + t.end().toString();
    List<JsonObject> events = events(out);
    List<String> types = events.stream().map(e -> e.getString("type")).toList();
    assertThat(types).containsExactly("message_start",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop");
    Set<Integer> open = new HashSet<>();
    int nextIndex = 0;
    for (JsonObject e : events) {
      switch (e.getString("type")) {
        case "content_block_start" -> {
          assertThat(e.getInteger("index")).isEqualTo(nextIndex++);
          assertThat(open).isEmpty();
          open.add(e.getInteger("index"));
        }
        case "content_block_delta" -> assertThat(open).containsExactly(e.getInteger("index"));
        case "content_block_stop" -> assertThat(open.remove(e.getInteger("index"))).isTrue();
        default -> {
        }
      }
    }
    assertThat(events.get(1).getJsonObject("content_block").getString("type")).isEqualTo("thinking");
    assertThat(events.get(8).getJsonObject("content_block"))
        .isEqualTo(new JsonObject().put("type", "tool_use").put("id", "call_a").put("name", "read")
            .put("input", new JsonObject()));
    JsonObject delta = events.get(15);
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");
    assertThat(delta.getJsonObject("usage").getLong("output_tokens")).isEqualTo(20);
    assertThat(delta.getJsonObject("usage").getLong("input_tokens")).isEqualTo(100);
    assertThat(events.get(0).getJsonObject("message").getJsonObject("usage").getLong("input_tokens"))
        .as("the estimate, before the backend counted").isEqualTo(10);
  }

  @Test
  void aStreamSplitAnywhereGivesTheSameEvents() {
    byte[] whole = agentStream().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ChatStreamToMessages reference = new ChatStreamToMessages("m", 0);
    List<String> expected = withoutIds(reference.data(Buffer.buffer(whole)).toString() + reference.end());
    for (int cut = 1; cut < whole.length; cut += 7) {
      ChatStreamToMessages t = new ChatStreamToMessages("m", 0);
      String out = t.data(Buffer.buffer(java.util.Arrays.copyOfRange(whole, 0, cut))).toString()
          + t.data(Buffer.buffer(java.util.Arrays.copyOfRange(whole, cut, whole.length))) + t.end();
      assertThat(withoutIds(out)).as("cut at byte %d", cut).isEqualTo(expected);
    }
  }

  private static List<String> withoutIds(String sse) {
    return events(sse).stream().map(e -> {
      if (e.getValue("message") instanceof JsonObject m) {
        m.remove("id");
      }
      return e.encode();
    }).toList();
  }

  @Test
  void aBackendErrorMidStreamIsAnAnthropicErrorEventAndNothingAfterIt() {
    ChatStreamToMessages t = new ChatStreamToMessages("m", 0);
    String out = t.data(Buffer.buffer(chunk(new JsonObject().put("content", "par"), null)
        + "data: {\"error\":{\"message\":\"slot died\",\"code\":500}}\n\n"
        + chunk(new JsonObject().put("content", "tial"), null))).toString() + t.end();
    List<JsonObject> events = events(out);
    assertThat(events.get(events.size() - 1)).isEqualTo(new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", "api_error").put("message", "slot died")));
    assertThat(out).doesNotContain("tial\"").doesNotContain("message_stop");
  }

  @Test
  void aRealClaudeCodeRequestLosesWhatALocalBackendWouldReject() throws Exception {
    Path capture = Path.of("..", "shared", "research", "captures", "claude-router-404-requests.json");
    JsonObject req = Files.exists(capture)
        ? new JsonObject(Files.readString(capture)).getJsonArray("requests").getJsonObject(0).getJsonObject("body")
        : claudeCodeLike();
    if (!(req.getValue("tools") instanceof JsonArray)) {
      req.put("tools", claudeCodeLike().getJsonArray("tools")); // the capture summarises its 24 tools
    }
    JsonObject chat = MessagesToChat.translate(req, 8192);
    String sent = chat.encode();
    assertThat(sent).doesNotContain("cache_control", "context_management", "output_config",
        MessagesToChat.ATTRIBUTION, "\"thinking\"");
    JsonArray messages = chat.getJsonArray("messages");
    assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("system");
    assertThat(messages.stream().skip(1).map(m -> ((JsonObject) m).getString("role")))
        .as("one system message, first: templates reject others").doesNotContain("system");
    assertThat(chat.getLong("max_tokens")).isEqualTo(8192);
    assertThat(chat.getString("reasoning_effort")).isNotNull();
    assertThat(chat.getJsonArray("tools").stream().map(t -> ((JsonObject) t).getString("type")))
        .containsOnly("function");
  }

  /** The shape of what Claude Code sends, for a checkout without the research captures. */
  private static JsonObject claudeCodeLike() {
    return new JsonObject().put("model", "local").put("max_tokens", 32000)
        .put("thinking", new JsonObject().put("type", "adaptive"))
        .put("context_management", new JsonObject().put("edits", new JsonArray()))
        .put("output_config", new JsonObject().put("effort", "high"))
        .put("system", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", MessagesToChat.ATTRIBUTION + " cc_version=2"))
            .add(new JsonObject().put("type", "text").put("text", "You are an agent.")
                .put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "say hi")
                    .put("cache_control", new JsonObject().put("type", "ephemeral")))))
            .add(new JsonObject().put("role", "system").put("content", "Agent types: ...")))
        .put("tools", new JsonArray()
            .add(new JsonObject().put("name", "Bash").put("input_schema", new JsonObject().put("type", "object"))
                .put("cache_control", new JsonObject().put("type", "ephemeral")))
            .add(new JsonObject().put("type", "web_search_20250305").put("name", "web_search")));
  }

  @Test
  void aRequestWithoutMessagesOrMaxTokensIsA400() {
    assertThatThrownBy(() -> MessagesToChat.translate(new JsonObject().put("model", "m").put("max_tokens", 5), 0))
        .isInstanceOfSatisfying(OpenAiError.Failure.class, f -> assertThat(f.error().status()).isEqualTo(400));
    assertThatThrownBy(() -> MessagesToChat.translate(new JsonObject().put("model", "m").put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "x"))), 0))
        .isInstanceOfSatisfying(OpenAiError.Failure.class, f -> assertThat(f.error().message()).contains("max_tokens"));
    JsonObject ok = new JsonObject().put("model", "m").put("max_tokens", 5)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "x")));
    for (String[] wrong : new String[][] {{"stream", "yes"}, {"system", "5"}, {"tools", "x"}, {"tool_choice", "auto"},
        {"max_tokens", "100"}}) {
      JsonObject req = ok.copy().put(wrong[0], wrong[0].equals("system") ? (Object) 5 : wrong[1]);
      assertThatThrownBy(() -> MessagesToChat.translate(req, 0)).as(wrong[0])
          .isInstanceOfSatisfying(OpenAiError.Failure.class, f -> assertThat(f.error().message()).startsWith(wrong[0]));
    }
  }
}
