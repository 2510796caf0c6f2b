package dev.switchboard.backend.ollama;

import dev.switchboard.testkit.FakeOllamaBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.switchboard.testkit.FakeOllamaBackend.call;
import static dev.switchboard.testkit.FakeOllamaBackend.chatDone;
import static dev.switchboard.testkit.FakeOllamaBackend.chatLine;
import static dev.switchboard.testkit.FakeOllamaBackend.ndjson;
import static dev.switchboard.testkit.FakeOllamaBackend.text;
import static dev.switchboard.testkit.FakeOllamaBackend.thinking;
import static dev.switchboard.testkit.FakeOllamaBackend.toolCalls;
import static org.assertj.core.api.Assertions.assertThat;

/** Ollama's NDJSON chat stream, through the whole path, as OpenAI's chat.completion.chunk events. */
@ExtendWith(VertxExtension.class)
class OllamaChatStreamTest {

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
              model: ollama_chat/%s
              api_base: %s
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(MODEL, ollama.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    ollama.close();
  }

  static String streamRequest(String extra) {
    return "{\"model\":\"qwen3-coder\",\"stream\":true" + extra
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"weather in Paris?\"}]}";
  }

  /** The JSON events of an SSE body, and whether it ended with [DONE]. */
  static List<JsonObject> events(String body) {
    List<JsonObject> out = new ArrayList<>();
    for (String e : body.split("\n\n")) {
      if (e.startsWith("data: {")) {
        out.add(new JsonObject(e.substring(6)));
      }
    }
    return out;
  }

  static JsonObject delta(JsonObject event) {
    return event.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
  }

  @Test
  void textStreamsAsChunksWithRoleFirstAndFinishReasonLast() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(""));

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
    assertThat(ollama.last().path()).isEqualTo("/api/chat");
    assertThat(ollama.last().body().getValue("stream")).isEqualTo(true);
    assertThat(ollama.last().body().getString("model")).isEqualTo(MODEL);
    List<JsonObject> events = events(resp.body());
    assertThat(events).hasSize(3);
    assertThat(delta(events.get(0))).isEqualTo(new JsonObject().put("role", "assistant").put("content", "Hello"));
    assertThat(delta(events.get(1))).isEqualTo(new JsonObject().put("content", " from Ollama"));
    assertThat(events.get(2).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(e.getString("model")).isEqualTo("qwen3-coder");
      assertThat(e.getString("id")).isEqualTo(events.get(0).getString("id")).startsWith("chatcmpl-");
      assertThat(e.getLong("created")).isEqualTo(1748773230L);
    });
    assertThat(events.get(0).getJsonArray("choices").getJsonObject(0).getValue("finish_reason")).isNull();
    assertThat(resp.body()).endsWith("data: [DONE]\n\n").doesNotContain("usage");
  }

  @Test
  void toolCallsWhileStreamingArriveAsToolCallDeltasWithFinishReasonToolCalls() {
    ollama.behave(FakeOllamaBackend.streamLines(
        chatLine(MODEL, toolCalls(call("get_weather", new JsonObject().put("city", "Paris")),
            call("get_time", new JsonObject().put("tz", "CET")))),
        chatDone(MODEL, text(""), "stop", 40, 21)));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(""));

    List<JsonObject> events = events(resp.body());
    assertThat(events).hasSize(2);
    JsonArray calls = delta(events.get(0)).getJsonArray("tool_calls");
    assertThat(calls).hasSize(2);
    JsonObject first = calls.getJsonObject(0);
    assertThat(first.getInteger("index")).isEqualTo(0);
    assertThat(first.getString("id")).startsWith("call_");
    assertThat(first.getString("type")).isEqualTo("function");
    assertThat(first.getJsonObject("function").getString("name")).isEqualTo("get_weather");
    assertThat(new JsonObject(first.getJsonObject("function").getString("arguments")))
        .isEqualTo(new JsonObject().put("city", "Paris"));
    assertThat(calls.getJsonObject(1).getInteger("index")).isEqualTo(1);
    assertThat(calls.getJsonObject(1).getString("id")).isNotEqualTo(first.getString("id"));
    assertThat(delta(events.get(0)).getString("content")).isNull();
    assertThat(events.get(1).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("tool_calls");
    assertThat(resp.body()).doesNotContain("get_weather\\\"");
  }

  @Test
  void usageChunkWhenIncludeUsage() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        streamRequest(",\"stream_options\":{\"include_usage\":true}"));

    List<JsonObject> events = events(resp.body());
    JsonObject usage = events.get(events.size() - 1);
    assertThat(usage.getJsonArray("choices")).isEmpty();
    assertThat(usage.getJsonObject("usage")).isEqualTo(new JsonObject().put("prompt_tokens", 12)
        .put("completion_tokens", 3).put("total_tokens", 15));
    assertThat(events.get(events.size() - 2).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("stop");
    assertThat(resp.body()).endsWith("data: [DONE]\n\n");
  }

  @Test
  void lengthDoneReasonBecomesFinishReasonLength() {
    ollama.behave(FakeOllamaBackend.streamLines(chatLine(MODEL, text("cut")), chatDone(MODEL, text(""), "length", 3, 1)));

    List<JsonObject> events = events(sb.post("/v1/chat/completions", streamRequest(",\"max_tokens\":1")).body());

    assertThat(events.get(events.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"))
        .isEqualTo("length");
    assertThat(ollama.last().body().getJsonObject("options").getInteger("num_predict")).isEqualTo(1);
  }

  @Test
  void thinkingBecomesReasoningContentNeverContent() {
    ollama.behave(FakeOllamaBackend.streamLines(chatLine(MODEL, thinking("Let me think")),
        chatLine(MODEL, thinking(" harder")), chatLine(MODEL, text("42")), chatDone(MODEL, text(""), "stop", 5, 4)));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(",\"reasoning_effort\":\"high\""));

    List<JsonObject> events = events(resp.body());
    assertThat(delta(events.get(0)).getString("reasoning_content")).isEqualTo("Let me think");
    assertThat(delta(events.get(0)).getString("role")).isEqualTo("assistant");
    assertThat(delta(events.get(1))).isEqualTo(new JsonObject().put("reasoning_content", " harder"));
    assertThat(delta(events.get(2))).isEqualTo(new JsonObject().put("content", "42"));
    assertThat(events).noneSatisfy(e -> assertThat(String.valueOf(delta(e).getString("content"))).contains("think"));
    assertThat(ollama.last().body().getValue("think")).isEqualTo(true);
  }

  @Test
  void lineSplitAcrossWritesIsReassembled() {
    byte[] all = ndjson(chatLine(MODEL, text("né")), chatLine(MODEL, text("b")), chatDone(MODEL, text(""), "stop", 1, 2))
        .getBytes(StandardCharsets.UTF_8);
    int inAccent = indexOf(all, (byte) 0xC3, 0) + 1;
    int secondEnd = indexOf(all, (byte) '\n', indexOf(all, (byte) '\n', 0) + 1) + 1;
    // Inside the two bytes of é; the rest of line 1 with all of line 2; line 3 in two pieces.
    ollama.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "application/x-ndjson");
      req.response().write(Buffer.buffer(Arrays.copyOfRange(all, 0, inAccent)));
      req.response().write(Buffer.buffer(Arrays.copyOfRange(all, inAccent, secondEnd)));
      req.response().write(Buffer.buffer(Arrays.copyOfRange(all, secondEnd, secondEnd + 10)));
      req.response().end(Buffer.buffer(Arrays.copyOfRange(all, secondEnd + 10, all.length)));
    });

    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(""));

    List<JsonObject> events = events(resp.body());
    assertThat(events).hasSize(3);
    assertThat(delta(events.get(0)).getString("content")).isEqualTo("né");
    assertThat(delta(events.get(1)).getString("content")).isEqualTo("b");
    assertThat(resp.body()).endsWith("data: [DONE]\n\n");
  }

  private static int indexOf(byte[] b, byte what, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == what) {
        return i;
      }
    }
    throw new IllegalArgumentException("not found");
  }

  @Test
  void malformedLineEndsStreamWithErrorEvent() {
    ollama.behave(FakeOllamaBackend.writes(ndjson(chatLine(MODEL, text("ok"))), "{\"model\":\"x\",\"message\":{tru\n",
        ndjson(chatDone(MODEL, text(""), "stop", 1, 1))));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(""));

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(delta(events(resp.body()).get(0)).getString("content")).isEqualTo("ok");
    assertThat(resp.body()).contains("data: {\"error\"").contains("Got unexpected response from Ollama")
        .doesNotContain("[DONE]");
  }

  @Test
  void errorLineInsideStreamEndsItWithThatError() {
    ollama.behave(FakeOllamaBackend.writes(ndjson(chatLine(MODEL, text("par"))),
        "{\"error\":\"an error was encountered while running the model: CUDA out of memory\"}\n"));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(""));

    assertThat(resp.body()).contains("\"content\":\"par\"").contains("data: {\"error\"")
        .contains("CUDA out of memory").doesNotContain("[DONE]");
  }

  @Test
  void streamCutBeforeDoneEndsWithErrorEventNotAHang() {
    ollama.behave(FakeOllamaBackend.writes(ndjson(chatLine(MODEL, text("half")))));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", streamRequest(""));

    assertThat(resp.body()).contains("\"content\":\"half\"").contains("data: {\"error\"")
        .contains("ended before").doesNotContain("[DONE]");
  }
}
