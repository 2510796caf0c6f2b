package dev.switchboard.responses;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Chat-completion SSE → Responses events, with no HTTP: order, sequence numbers, pieces of any size. */
class ResponsesStreamTest {

  private static final ResponsesRequest PLAIN =
      ResponsesRequest.translate(new JsonObject("{\"model\":\"m\",\"input\":\"x\",\"stream\":true}"), null);

  private static String chunk(JsonObject delta, String finish) {
    return "data: " + new JsonObject().put("id", "c").put("object", "chat.completion.chunk")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("finish_reason", finish))).encode() + "\n\n";
  }

  private static String text(String t) {
    return chunk(new JsonObject().put("content", t), null);
  }

  private static final String USAGE = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
      + "\"total_tokens\":5}}\n\n";
  private static final String DONE = "data: [DONE]\n\n";

  /** The events written for these pieces, then the end of the stream, parsed back. */
  private static List<JsonObject> run(ResponsesStream s, String... pieces) {
    Buffer out = Buffer.buffer();
    for (String p : pieces) {
      out.appendBuffer(s.data(Buffer.buffer(p)));
    }
    out.appendBuffer(s.end());
    return events(out);
  }

  static List<JsonObject> events(Buffer out) {
    List<JsonObject> events = new ArrayList<>();
    for (String block : out.toString().split("\n\n")) {
      String[] lines = block.split("\n");
      assertThat(lines[0]).startsWith("event: ");
      JsonObject data = new JsonObject(lines[1].substring("data: ".length()));
      assertThat(data.getString("type")).isEqualTo(lines[0].substring("event: ".length()));
      events.add(data);
    }
    return events;
  }

  private static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  @Test
  void textStreamIsTheSequenceCodexAccepts() {
    List<JsonObject> events = run(new ResponsesStream("resp_1", "m", PLAIN),
        text("Hel"), text("lo"), chunk(new JsonObject(), "stop"), USAGE, DONE);

    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getInteger("sequence_number")).isEqualTo(i);
    }
    JsonObject item = events.get(8).getJsonObject("item");
    assertThat(item.getString("type")).isEqualTo("message");
    assertThat(item.getString("status")).isEqualTo("completed");
    assertThat(item.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Hello");
    assertThat(events.get(4).getString("item_id")).isEqualTo(item.getString("id"));
    JsonObject response = events.get(9).getJsonObject("response");
    assertThat(response.getString("id")).isEqualTo("resp_1");
    assertThat(response.getString("status")).isEqualTo("completed");
    assertThat(response.getJsonArray("output")).containsExactly(item);
    assertThat(response.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(3);
    assertThat(response.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(2);
  }

  @Test
  void aStreamedCallOfACustomToolIsACustomToolCallWithItsInput() {
    ResponsesRequest request = ResponsesRequest.translate(new JsonObject("""
        {"model": "m", "input": "x", "stream": true, "tools": [{"type": "custom", "name": "apply_patch"}]}
        """), null);
    JsonObject first = new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
        .put("id", "call_p").put("type", "function").put("function", new JsonObject().put("name", "apply_patch")
            .put("arguments", "{\"input\": \"*** Begin"))));
    JsonObject more = new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
        .put("function", new JsonObject().put("arguments", " Patch\\n\"}"))));
    List<JsonObject> events = run(new ResponsesStream("resp_1", "m", request), chunk(first, null),
        chunk(more, null), chunk(new JsonObject(), "tool_calls"), DONE);

    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done", "response.output_item.done", "response.completed");
    assertThat(events.get(4).getString("input")).isEqualTo("*** Begin Patch\n");
    JsonObject item = events.get(5).getJsonObject("item");
    assertThat(item.getString("type")).isEqualTo("custom_tool_call");
    assertThat(item.getString("call_id")).isEqualTo("call_p");
    assertThat(item.getString("name")).isEqualTo("apply_patch");
    assertThat(item.getString("input")).isEqualTo("*** Begin Patch\n");
    assertThat(item.getString("id")).startsWith("ctc_");
  }

  @Test
  void keepAlivesStartTheStreamThenRepeatInProgressUntilTheFirstItem() {
    ResponsesStream s = new ResponsesStream("resp_1", "m", PLAIN);
    Buffer out = Buffer.buffer();
    out.appendBuffer(s.keepAlive());
    out.appendBuffer(s.keepAlive());
    out.appendBuffer(s.data(Buffer.buffer(text("Hi"))));
    Buffer afterTheFirstItem = s.keepAlive();
    out.appendBuffer(s.data(Buffer.buffer(chunk(new JsonObject(), "stop") + DONE)));
    out.appendBuffer(s.end());
    List<JsonObject> events = events(out);

    assertThat(afterTheFirstItem.length()).isZero();
    assertThat(types(events)).startsWith("response.created", "response.in_progress", "response.in_progress",
        "response.output_item.added").endsWith("response.completed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getInteger("sequence_number")).isEqualTo(i);
    }
    assertThat(s.keepAlive().length()).isZero();
  }

  @Test
  void eventsSplitAcrossPiecesOrMergedInOneGiveTheSameEvents() {
    String all = text("Grüße") + text(" aus") + chunk(new JsonObject(), "stop") + USAGE + DONE;
    byte[] bytes = all.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Buffer out = Buffer.buffer();
    ResponsesStream split = new ResponsesStream("resp_1", "m", PLAIN);
    for (byte b : bytes) {
      out.appendBuffer(split.data(Buffer.buffer(new byte[] {b})));
    }
    out.appendBuffer(split.end());
    List<JsonObject> bytewise = events(out);
    List<JsonObject> merged = run(new ResponsesStream("resp_1", "m", PLAIN), all);

    assertThat(types(bytewise)).isEqualTo(types(merged));
    String text = bytewise.get(bytewise.size() - 1).getJsonObject("response").getJsonArray("output")
        .getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text");
    assertThat(text).isEqualTo("Grüße aus");
  }

  @Test
  void toolCallsStreamTheirArgumentsAndEndWhole() {
    ResponsesRequest request = ResponsesRequest.translate(new JsonObject("""
        {"model": "m", "input": "x", "stream": true, "tools": [{"type": "namespace", "name": "ns",
          "tools": [{"type": "function", "name": "f"}]}, {"type": "function", "name": "g"}]}
        """), null);
    JsonObject first = new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
        .put("id", "call_1").put("type", "function").put("function", new JsonObject().put("name", "ns__f")
            .put("arguments", "{\"a\":"))));
    JsonObject more = new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 0)
        .put("function", new JsonObject().put("arguments", "1}"))));
    JsonObject second = new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", 1)
        .put("id", "call_2").put("function", new JsonObject().put("name", "g").put("arguments", "{}"))));
    List<JsonObject> events = run(new ResponsesStream("resp_1", "m", request), text("Sure."),
        chunk(first, null), chunk(more, null), chunk(second, null), chunk(new JsonObject(), "tool_calls"), DONE);

    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.output_item.added", "response.function_call_arguments.delta",
        "response.function_call_arguments.delta", "response.output_item.added",
        "response.function_call_arguments.delta", "response.function_call_arguments.done",
        "response.output_item.done", "response.function_call_arguments.done", "response.output_item.done",
        "response.completed");
    JsonObject added = events.get(8).getJsonObject("item");
    assertThat(added.getString("status")).isEqualTo("in_progress");
    assertThat(added.getString("arguments")).isEmpty();
    assertThat(events.get(8).getInteger("output_index")).isEqualTo(1);
    JsonObject call = events.get(14).getJsonObject("item");
    assertThat(call).isEqualTo(new JsonObject().put("id", added.getString("id")).put("type", "function_call")
        .put("status", "completed").put("call_id", "call_1").put("name", "f").put("arguments", "{\"a\":1}")
        .put("namespace", "ns"));
    assertThat(events.get(16).getJsonObject("item").getString("name")).isEqualTo("g");
    assertThat(events.get(16).getInteger("output_index")).isEqualTo(2);
    JsonArray output = events.get(17).getJsonObject("response").getJsonArray("output");
    assertThat(output.stream().map(o -> ((JsonObject) o).getString("type")).toList())
        .containsExactly("message", "function_call", "function_call");
  }

  @Test
  void reasoningStreamsAsReasoningTextBeforeTheMessage() {
    List<JsonObject> events = run(new ResponsesStream("resp_1", "m", PLAIN),
        chunk(new JsonObject().put("reasoning_content", "Hmm"), null),
        chunk(new JsonObject().put("reasoning_content", ", 42"), null), text("42"), DONE);

    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.reasoning_text.delta",
        "response.reasoning_text.delta", "response.reasoning_text.done", "response.content_part.done",
        "response.output_item.done", "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done",
        "response.output_item.done", "response.completed");
    JsonObject reasoning = events.get(8).getJsonObject("item");
    assertThat(reasoning.getString("type")).isEqualTo("reasoning");
    assertThat(reasoning.getJsonArray("summary")).isEmpty();
    assertThat(reasoning.getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Hmm, 42");
  }

  @Test
  void anErrorEventFromTheBackendEndsWithResponseFailed() {
    ResponsesStream s = new ResponsesStream("resp_1", "m", PLAIN);
    List<JsonObject> events = run(s, text("Hel"),
        "data: {\"error\":{\"message\":\"request exceeds the available context size\",\"code\":\"400\"}}\n\n");

    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added", "response.output_text.delta", "error",
        "response.failed");
    JsonObject failed = events.get(6).getJsonObject("response");
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getJsonObject("error")).isEqualTo(new JsonObject().put("code", "context_length_exceeded")
        .put("message", "request exceeds the available context size"));
    assertThat(s.finished().getString("status")).isEqualTo("failed");
  }

  @Test
  void aFailureAfterSomeTextEndsWithResponseFailedCarryingTheMessage() {
    ResponsesStream s = new ResponsesStream("resp_1", "m", PLAIN);
    Buffer out = s.data(Buffer.buffer(text("Hel")));
    out.appendBuffer(s.fail(503, "backend died"));
    out.appendBuffer(s.end());
    List<JsonObject> events = events(out);

    assertThat(types(events).subList(events.size() - 2, events.size())).containsExactly("error", "response.failed");
    assertThat(events.get(events.size() - 1).getJsonObject("response").getJsonObject("error").getString("message"))
        .isEqualTo("backend died");
    assertThat(events.get(events.size() - 1).getJsonObject("response").getJsonObject("error").getString("code"))
        .isEqualTo("server_error");
  }

  @Test
  void aStreamWithNoDataStillStartsAndCompletes() {
    List<JsonObject> events = run(new ResponsesStream("resp_1", "m", PLAIN));
    assertThat(types(events)).containsExactly("response.created", "response.in_progress", "response.completed");
  }

  @Test
  void lengthEndsCompletedWithAnIncompleteResponse() {
    List<JsonObject> events = run(new ResponsesStream("resp_1", "m", PLAIN), text("Once"),
        chunk(new JsonObject(), "length"), DONE);
    JsonObject response = events.get(events.size() - 1).getJsonObject("response");
    assertThat(events.get(events.size() - 1).getString("type")).isEqualTo("response.completed");
    assertThat(response.getString("status")).isEqualTo("incomplete");
    assertThat(response.getJsonObject("incomplete_details").getString("reason")).isEqualTo("max_output_tokens");
  }
}
