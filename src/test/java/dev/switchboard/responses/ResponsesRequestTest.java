package dev.switchboard.responses;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Responses requests → chat-completions bodies, with no HTTP. */
class ResponsesRequestTest {

  private static JsonObject chat(String json) {
    return ResponsesRequest.translate(new JsonObject(json), null).chat();
  }

  private static OpenAiError failure(String json) {
    try {
      ResponsesRequest.translate(new JsonObject(json), null);
    } catch (OpenAiError.Failure f) {
      return f.error();
    }
    throw new AssertionError("expected a 400 for " + json);
  }

  /** The shape of what Codex 0.171 sent (captures/codex-router-404-request.json), tools reduced. */
  private static final String CODEX = """
      {"model": "local-coder", "stream": true,
       "input": [
        {"type": "message", "id": "msg_1", "role": "developer",
         "content": [{"type": "input_text", "text": "You are a coding agent."}]},
        {"type": "message", "id": "msg_2", "role": "developer",
         "content": [{"type": "input_text", "text": "<skills>"}, {"type": "input_text", "text": "<permissions>"}]},
        {"type": "message", "id": "msg_3", "role": "user",
         "content": [{"type": "input_text", "text": "<environment_context/>"}]},
        {"type": "message", "id": "msg_4", "role": "user",
         "content": [{"type": "input_text", "text": "List the files."}]},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "I should run ls."}],
         "encrypted_content": "gAAAA..."},
        {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "exec_command",
         "arguments": "{\\"cmd\\":\\"ls\\"}", "status": "completed"},
        {"type": "function_call", "id": "fc_2", "call_id": "call_2", "namespace": "multi_agent_v1",
         "name": "spawn_agent", "arguments": "{}"},
        {"type": "function_call_output", "id": "fco_1", "call_id": "call_1", "output": "README.md"},
        {"type": "function_call_output", "call_id": "call_2", "output": [{"type": "input_text", "text": "spawned"}]}
       ],
       "tools": [
        {"type": "function", "name": "exec_command", "description": "Runs a command", "strict": false,
         "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}},
        {"type": "namespace", "name": "multi_agent_v1", "description": "agents",
         "tools": [{"type": "function", "name": "spawn_agent", "parameters": {"type": "object"}},
                   {"type": "function", "name": "wait_agent", "parameters": {"type": "object"}}]},
        {"type": "web_search", "external_web_access": false}
       ],
       "tool_choice": "auto", "parallel_tool_calls": true, "reasoning": {"summary": "auto"}, "store": false,
       "include": ["reasoning.encrypted_content"], "prompt_cache_key": "thread-1",
       "client_metadata": {"thread_id": "thread-1"}}
      """;

  @Test
  void codexRequestBecomesSystemUserAssistantAndToolMessages() {
    JsonObject chat = chat(CODEX);
    JsonArray messages = chat.getJsonArray("messages");

    assertThat(messages.stream().map(m -> ((JsonObject) m).getString("role")).toList())
        .containsExactly("system", "user", "user", "assistant", "tool", "tool");
    assertThat(messages.getJsonObject(0).getString("content"))
        .isEqualTo("You are a coding agent.\n\n<skills>\n<permissions>");
    JsonObject assistant = messages.getJsonObject(3);
    assertThat(assistant.getString("reasoning_content")).isEqualTo("I should run ls.");
    assertThat(assistant.getValue("content")).isNull();
    assertThat(assistant.getJsonArray("tool_calls")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("id", "call_1").put("type", "function").put("function", new JsonObject()
            .put("name", "exec_command").put("arguments", "{\"cmd\":\"ls\"}")))
        .add(new JsonObject().put("id", "call_2").put("type", "function").put("function", new JsonObject()
            .put("name", "multi_agent_v1__spawn_agent").put("arguments", "{}"))));
    assertThat(messages.getJsonObject(4)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", "call_1")
        .put("content", "README.md"));
    assertThat(messages.getJsonObject(5).getString("content")).isEqualTo("spawned");
    assertThat(chat.encode()).doesNotContain("gAAAA");
    assertThat(chat.fieldNames()).doesNotContain("prompt_cache_key", "client_metadata", "include", "store", "reasoning");
  }

  @Test
  void codexToolsAreFlattenedAndWebSearchIsLeftOut() {
    JsonObject chat = chat(CODEX);

    assertThat(chat.getJsonArray("tools").stream()
        .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList())
        .containsExactly("exec_command", "multi_agent_v1__spawn_agent", "multi_agent_v1__wait_agent");
    JsonObject exec = chat.getJsonArray("tools").getJsonObject(0);
    assertThat(exec).isEqualTo(new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "exec_command").put("description", "Runs a command")
        .put("parameters", new JsonObject().put("type", "object").put("properties",
            new JsonObject().put("cmd", new JsonObject().put("type", "string"))))
        .put("strict", false)));
    assertThat(chat.getString("tool_choice")).isEqualTo("auto");
    assertThat(chat.getBoolean("parallel_tool_calls")).isTrue();
    assertThat(chat.getBoolean("stream")).isTrue();
    assertThat(chat.getJsonObject("stream_options").getBoolean("include_usage")).isTrue();
    assertThat(chat.containsKey("reasoning_effort")).isFalse();
  }

  @Test
  void namespacedCallsAreNamedBackInTheirNamespace() {
    ResponsesRequest r = ResponsesRequest.translate(new JsonObject(CODEX), null);
    assertThat(r.names().clientName("multi_agent_v1__spawn_agent")).isEqualTo("spawn_agent");
    assertThat(r.names().namespaceOf("multi_agent_v1__spawn_agent")).isEqualTo("multi_agent_v1");
    assertThat(r.names().clientName("exec_command")).isEqualTo("exec_command");
    assertThat(r.names().namespaceOf("exec_command")).isNull();
  }

  /** Codex's apply_patch for OpenAI's models is a freeform tool: one text input, a Lark grammar. */
  @Test
  void aCustomToolIsAFunctionOfOneStringAndItsCallsComeBackAsOne() {
    ResponsesRequest r = ResponsesRequest.translate(new JsonObject("""
        {"model": "m", "tools": [{"type": "custom", "name": "apply_patch", "description": "Edit files.",
          "format": {"type": "grammar", "syntax": "lark", "definition": "start: begin_patch"}}],
         "tool_choice": {"type": "custom", "name": "apply_patch"},
         "input": [{"type": "message", "role": "user", "content": "Fix it."},
          {"type": "custom_tool_call", "call_id": "call_p", "name": "apply_patch", "input": "*** Begin Patch"},
          {"type": "custom_tool_call_output", "call_id": "call_p", "output": "Done."}]}
        """), null);

    JsonObject fn = r.chat().getJsonArray("tools").getJsonObject(0).getJsonObject("function");
    assertThat(fn.getString("name")).isEqualTo("apply_patch");
    assertThat(fn.getString("description")).isEqualTo("Edit files.\n\nThe input follows this lark grammar:\n"
        + "start: begin_patch");
    assertThat(fn.getJsonObject("parameters").getJsonArray("required")).containsExactly("input");
    assertThat(r.chat().getJsonObject("tool_choice").getJsonObject("function").getString("name"))
        .isEqualTo("apply_patch");
    JsonArray messages = r.chat().getJsonArray("messages");
    JsonObject call = messages.getJsonObject(1).getJsonArray("tool_calls").getJsonObject(0);
    assertThat(call.getString("id")).isEqualTo("call_p");
    assertThat(new JsonObject(call.getJsonObject("function").getString("arguments")).getString("input"))
        .isEqualTo("*** Begin Patch");
    assertThat(messages.getJsonObject(2)).isEqualTo(new JsonObject().put("role", "tool").put("tool_call_id", "call_p")
        .put("content", "Done."));
    assertThat(r.names().isCustom("apply_patch")).isTrue();
  }

  @Test
  void samplingLimitsReasoningAndFormatAreMapped() {
    JsonObject chat = chat("""
        {"model": "m", "input": "hi", "instructions": "Be brief.", "max_output_tokens": 100, "temperature": 0.2,
         "top_p": 0.9, "reasoning": {"effort": "low", "summary": "auto"}, "user": "u1",
         "text": {"format": {"type": "json_schema", "name": "out", "strict": true,
                             "schema": {"type": "object"}}, "verbosity": "low"}}
        """);
    assertThat(chat).isEqualTo(new JsonObject().put("model", "m")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "system").put("content", "Be brief."))
            .add(new JsonObject().put("role", "user").put("content", "hi")))
        .put("max_tokens", 100).put("temperature", 0.2).put("top_p", 0.9).put("reasoning_effort", "low")
        .put("response_format", new JsonObject().put("type", "json_schema").put("json_schema", new JsonObject()
            .put("name", "out").put("schema", new JsonObject().put("type", "object")).put("strict", true)))
        .put("user", "u1"));
  }

  @Test
  void jsonObjectFormatAndTextFormat() {
    assertThat(chat("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_object\"}}}")
        .getJsonObject("response_format")).isEqualTo(new JsonObject().put("type", "json_object"));
    assertThat(chat("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"text\"}}}")
        .containsKey("response_format")).isFalse();
  }

  @Test
  void imagesStayContentPartsAndALateSystemMessageJoinsTheLeadingOne() {
    JsonArray messages = chat("""
        {"model": "m", "input": [
          {"role": "user", "content": [{"type": "input_text", "text": "What is this?"},
                                       {"type": "input_image", "image_url": "data:image/png;base64,AAA", "detail": "low"}]},
          {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "A cat."}]},
          {"role": "system", "content": "plain string"}]}
        """).getJsonArray("messages");
    assertThat(messages.getJsonObject(0)).isEqualTo(new JsonObject().put("role", "system").put("content", "plain string"));
    messages.remove(0);
    assertThat(messages.getJsonObject(0).getJsonArray("content")).isEqualTo(new JsonArray()
        .add(new JsonObject().put("type", "text").put("text", "What is this?"))
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject()
            .put("url", "data:image/png;base64,AAA").put("detail", "low"))));
    assertThat(messages.getJsonObject(1)).isEqualTo(new JsonObject().put("role", "assistant").put("content", "A cat."));
    assertThat(messages).hasSize(2);
  }

  @Test
  void previousHistoryComesBeforeTheNewInput() {
    JsonArray history = new JsonArray()
        .add(new JsonObject().put("type", "message").put("role", "user").put("content", "first"))
        .add(new JsonObject().put("type", "message").put("role", "assistant").put("status", "completed")
            .put("content", new JsonArray().add(new JsonObject().put("type", "output_text").put("text", "one"))));
    JsonArray messages = ResponsesRequest.translate(new JsonObject().put("model", "m").put("input", "second")
        .put("previous_response_id", "resp_x"), history).chat().getJsonArray("messages");
    assertThat(messages).isEqualTo(new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", "first"))
        .add(new JsonObject().put("role", "assistant").put("content", "one"))
        .add(new JsonObject().put("role", "user").put("content", "second")));
  }

  @Test
  void toolChoiceForcingAFunctionIsChatShaped() {
    JsonObject chat = chat("""
        {"model": "m", "input": "x", "tool_choice": {"type": "function", "name": "f"},
         "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}]}
        """);
    assertThat(chat.getJsonObject("tool_choice")).isEqualTo(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "f")));
  }

  @Test
  void toolChoiceForcingABuiltInToolIsAClear400() {
    OpenAiError e = failure("""
        {"model": "m", "input": "x", "tool_choice": {"type": "web_search"}, "tools": [{"type": "web_search"}]}
        """);
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.param()).isEqualTo("tool_choice");
    assertThat(e.message()).contains("built-in tool 'web_search'", "cannot run");
  }

  @Test
  void onlyBuiltInToolsMeansNoToolsAndNoToolChoice() {
    JsonObject chat = chat("""
        {"model": "m", "input": "x", "tool_choice": "auto", "parallel_tool_calls": false,
         "tools": [{"type": "web_search"}, {"type": "file_search", "vector_store_ids": []}]}
        """);
    assertThat(chat.fieldNames()).containsExactlyInAnyOrder("model", "messages");
  }

  @Test
  void whatCannotBeServedIsA400NamingIt() {
    assertThat(failure("{\"input\":\"x\"}").message()).contains("'model'");
    assertThat(failure("{\"model\":\"m\"}").message()).contains("'input'");
    assertThat(failure("{\"model\":\"m\",\"input\":\"x\",\"background\":true}").param()).isEqualTo("background");
    assertThat(failure("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}").message())
        .contains("item_reference");
    assertThat(failure("{\"model\":\"m\",\"input\":[{\"type\":\"bogus\"}]}").message()).contains("'bogus'");
    assertThat(failure("{\"model\":\"m\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\"}}}").message())
        .contains("schema");
    assertThat(failure("{\"model\":\"m\",\"input\":\"x\",\"temperature\":\"hot\"}").param()).isEqualTo("temperature");
  }

  @Test
  void historyOfHostedToolsIsSkipped() {
    JsonArray messages = chat("""
        {"model": "m", "input": [{"type": "web_search_call", "id": "ws_1", "status": "completed"},
                                 {"role": "user", "content": "hi"}]}
        """).getJsonArray("messages");
    assertThat(messages).hasSize(1);
  }
}
