package dev.switchboard.responses;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole chat completions → Response objects, with no HTTP. */
class ResponsesAnswerTest {

  private static final String NAMESPACED = """
      {"model": "m", "input": "x", "tools": [{"type": "namespace", "name": "ns",
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}]}]}
      """;

  @Test
  void reasoningTextAndToolCallsBecomeOutputItemsInOrder() {
    ResponsesRequest request = ResponsesRequest.translate(new JsonObject(NAMESPACED), null);
    JsonObject completion = new JsonObject("""
        {"id": "chatcmpl-1", "created": 1700000000, "model": "m", "choices": [{"index": 0, "finish_reason": "tool_calls",
          "message": {"role": "assistant", "content": "Let me look.", "reasoning_content": "thinking...",
            "tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "ns__f", "arguments": "{\\"a\\":1}"}}]}}],
         "usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14,
                   "prompt_tokens_details": {"cached_tokens": 6}, "completion_tokens_details": {"reasoning_tokens": 2}}}
        """);
    JsonObject r = ResponsesAnswer.translate(completion, "resp_1", "my-model", request);

    assertThat(r.getString("id")).isEqualTo("resp_1");
    assertThat(r.getString("object")).isEqualTo("response");
    assertThat(r.getString("model")).isEqualTo("my-model");
    assertThat(r.getLong("created_at")).isEqualTo(1700000000L);
    assertThat(r.getString("status")).isEqualTo("completed");
    JsonArray output = r.getJsonArray("output");
    assertThat(output.stream().map(o -> ((JsonObject) o).getString("type")).toList())
        .containsExactly("reasoning", "message", "function_call");
    assertThat(output.getJsonObject(0).getJsonArray("content").getJsonObject(0))
        .isEqualTo(new JsonObject().put("type", "reasoning_text").put("text", "thinking..."));
    assertThat(output.getJsonObject(1).getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo("Let me look.");
    JsonObject call = output.getJsonObject(2);
    assertThat(call.getString("call_id")).isEqualTo("call_9");
    assertThat(call.getString("name")).isEqualTo("f");
    assertThat(call.getString("namespace")).isEqualTo("ns");
    assertThat(call.getString("arguments")).isEqualTo("{\"a\":1}");
    assertThat(call.getString("id")).startsWith("fc_");
    assertThat(r.getJsonObject("usage")).isEqualTo(new JsonObject().put("input_tokens", 10)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", 6)).put("output_tokens", 4)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", 2)).put("total_tokens", 14));
  }

  @Test
  void lengthIsIncompleteWithMaxOutputTokens() {
    ResponsesRequest request = ResponsesRequest.translate(new JsonObject("{\"model\":\"m\",\"input\":\"x\"}"), null);
    JsonObject r = ResponsesAnswer.translate(new JsonObject("""
        {"choices": [{"message": {"role": "assistant", "content": "Once"}, "finish_reason": "length"}]}
        """), "resp_2", "m", request);
    assertThat(r.getString("status")).isEqualTo("incomplete");
    assertThat(r.getJsonObject("incomplete_details")).isEqualTo(new JsonObject().put("reason", "max_output_tokens"));
    assertThat(r.getValue("usage")).isNull();
  }

  @Test
  void theResponseEchoesItsRequest() {
    ResponsesRequest request = ResponsesRequest.translate(new JsonObject("""
        {"model": "m", "input": "x", "instructions": "I", "store": false, "temperature": 0.5,
         "tools": [{"type": "web_search"}]}
        """), null);
    JsonObject r = ResponsesAnswer.translate(new JsonObject("{\"choices\":[]}"), "resp_3", "m", request);
    assertThat(r.getString("instructions")).isEqualTo("I");
    assertThat(r.getBoolean("store")).isFalse();
    assertThat(r.getDouble("temperature")).isEqualTo(0.5);
    assertThat(r.getJsonArray("tools")).hasSize(1);
    assertThat(r.getJsonObject("text").getJsonObject("format").getString("type")).isEqualTo("text");
    assertThat(r.getJsonArray("output")).isEmpty();
  }
}
