package dev.switchboard.responses;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

import static dev.switchboard.responses.ResponsesTools.bad;

/**
 * A Responses API request ({@code POST /v1/responses}) → the chat-completions body every deployment
 * understands. What has no meaning for a local model is left out on purpose (see docs/responses.md):
 * {@code store}, {@code include}, {@code prompt_cache_key}, {@code client_metadata}, {@code text.verbosity},
 * {@code reasoning.summary}, {@code truncation}, {@code service_tier}; what cannot be done is a 400.
 *
 * @param chat  the chat-completions body ({@code stream_options.include_usage} set for a stream, so that
 *              the last event can carry usage)
 * @param names how namespaced functions are named upstream, to name the model's calls back
 * @param echo  the request's settings a Response object repeats (instructions, tools, tool_choice, ...)
 * @param history the stored conversation {@code previous_response_id} named, or null
 */
public record ResponsesRequest(JsonObject chat, ToolNames names, JsonObject echo, JsonArray history) {

  /** Keys LiteLLM's proxy reads itself; they keep their meaning on this route. */
  private static final Set<String> LITELLM_KEYS = Set.of("fallbacks", "num_retries", "mock_response", "metadata");

  /**
   * Translates {@code request}; {@code history} is the stored conversation a {@code previous_response_id}
   * names (its input and output items, oldest first), or null.
   *
   * @throws dev.switchboard.error.OpenAiError.Failure a 400 naming what cannot be served
   */
  public static ResponsesRequest translate(JsonObject request, JsonArray history) {
    Object model = request.getValue("model");
    if (!(model instanceof String m) || m.isBlank()) {
      throw bad("Missing required parameter: 'model'.", "model");
    }
    if (request.getValue("input") == null && history == null) {
      throw bad("Missing required parameter: 'input'.", "input");
    }
    refuse(request, "background", "background mode is not supported (answers stream or come whole)");
    refuse(request, "conversation", "'conversation' is not supported; use previous_response_id");
    refuse(request, "prompt", "reusable prompt templates ('prompt') are not supported");
    Object stream = request.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw bad("'stream' must be a boolean.", "stream");
    }

    JsonObject chat = new JsonObject().put("model", m);
    chat.put("messages", messages(request, history));
    ToolNames names = new ToolNames();
    JsonArray tools = ResponsesTools.tools(request.getValue("tools"), names);
    Object toolChoice = ResponsesTools.toolChoice(request.getValue("tool_choice"), tools);
    if (tools != null) {
      chat.put("tools", tools);
      if (toolChoice != null) {
        chat.put("tool_choice", toolChoice);
      }
      if (request.getValue("parallel_tool_calls") instanceof Boolean parallel) {
        chat.put("parallel_tool_calls", parallel);
      }
    }
    copyNumber(request, "max_output_tokens", chat, "max_tokens");
    copyNumber(request, "temperature", chat, "temperature");
    copyNumber(request, "top_p", chat, "top_p");
    if (request.getValue("reasoning") instanceof JsonObject reasoning && reasoning.getValue("effort") instanceof String e) {
      chat.put("reasoning_effort", e);
    }
    Object format = responseFormat(request.getValue("text"));
    if (format != null) {
      chat.put("response_format", format);
    }
    if (request.getValue("user") instanceof String user) {
      chat.put("user", user);
    }
    LITELLM_KEYS.forEach(k -> {
      if (request.getValue(k) != null) {
        chat.put(k, request.getValue(k));
      }
    });
    if (Boolean.TRUE.equals(stream)) {
      chat.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return new ResponsesRequest(chat, names, echo(request), history);
  }

  private static JsonArray messages(JsonObject request, JsonArray history) {
    Object input = request.getValue("input");
    if (history != null) {
      JsonArray all = history.copy();
      if (input instanceof String s) {
        all.add(new JsonObject().put("type", "message").put("role", "user").put("content", s));
      } else if (input instanceof JsonArray items) {
        all.addAll(items);
      }
      input = all;
    }
    JsonArray messages = ResponsesInput.messages(request.getValue("instructions"), input);
    if (messages.isEmpty()) {
      throw bad("'input' holds no message for the model.", "input");
    }
    return messages;
  }

  /** {@code text.format} → {@code response_format}: json_schema and json_object; text is the default. */
  private static Object responseFormat(Object text) {
    if (!(text instanceof JsonObject t) || !(t.getValue("format") instanceof JsonObject format)) {
      return null;
    }
    String type = format.getString("type", "text");
    switch (type) {
      case "text" -> {
        return null;
      }
      case "json_object" -> {
        return new JsonObject().put("type", "json_object");
      }
      case "json_schema" -> {
        if (!(format.getValue("schema") instanceof JsonObject schema)) {
          throw bad("text.format: json_schema needs a 'schema' object.", "text.format.schema");
        }
        JsonObject js = new JsonObject().put("name", format.getString("name", "response")).put("schema", schema);
        if (format.getValue("strict") instanceof Boolean strict) {
          js.put("strict", strict);
        }
        if (format.getValue("description") != null) {
          js.put("description", format.getValue("description"));
        }
        return new JsonObject().put("type", "json_schema").put("json_schema", js);
      }
      default -> throw bad("text.format: type must be text, json_object or json_schema, got '" + type + "'.",
          "text.format");
    }
  }

  /** What the Response object echoes of its request, as OpenAI's does. */
  private static JsonObject echo(JsonObject request) {
    JsonObject e = new JsonObject();
    e.put("instructions", request.getValue("instructions"));
    e.put("max_output_tokens", request.getValue("max_output_tokens"));
    e.put("parallel_tool_calls", request.getValue("parallel_tool_calls") instanceof Boolean b ? b : true);
    e.put("previous_response_id", request.getValue("previous_response_id"));
    JsonObject reasoning = request.getValue("reasoning") instanceof JsonObject r ? r.copy() : new JsonObject();
    e.put("reasoning", new JsonObject().put("effort", reasoning.getValue("effort"))
        .put("summary", reasoning.getValue("summary")));
    e.put("store", !Boolean.FALSE.equals(request.getValue("store")));
    e.put("temperature", request.getValue("temperature") instanceof Number n ? n : 1.0);
    e.put("top_p", request.getValue("top_p") instanceof Number n ? n : 1.0);
    JsonObject text = request.getValue("text") instanceof JsonObject t ? t.copy() : new JsonObject();
    if (!(text.getValue("format") instanceof JsonObject)) {
      text.put("format", new JsonObject().put("type", "text"));
    }
    e.put("text", text);
    e.put("tool_choice", request.getValue("tool_choice") != null ? request.getValue("tool_choice") : "auto");
    e.put("tools", request.getValue("tools") instanceof JsonArray t ? t : new JsonArray());
    e.put("truncation", request.getValue("truncation") instanceof String s ? s : "disabled");
    e.put("user", request.getValue("user"));
    e.put("metadata", request.getValue("metadata") instanceof JsonObject md ? md : new JsonObject());
    return e;
  }

  private static void refuse(JsonObject request, String key, String why) {
    Object v = request.getValue(key);
    if (v != null && !Boolean.FALSE.equals(v)) {
      throw bad(why + ".", key);
    }
  }

  private static void copyNumber(JsonObject from, String key, JsonObject to, String as) {
    Object v = from.getValue(key);
    if (v == null) {
      return;
    }
    if (!(v instanceof Number)) {
      throw bad("'" + key + "' must be a number.", key);
    }
    to.put(as, v);
  }
}
