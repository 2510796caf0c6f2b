package dev.switchboard.responses;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

import static dev.switchboard.responses.ResponsesTools.bad;

/**
 * Responses {@code input} items → chat {@code messages}. {@code instructions} and every {@code system} or
 * {@code developer} message become one leading system message (texts joined by blank lines), because
 * local chat templates (Gemma, Mistral, older Llama) reject a system message anywhere but first and
 * Codex sends two developer messages, and more mid-conversation when its permissions change;
 * consecutive {@code function_call} items (and the assistant text before them) become one assistant
 * message with {@code tool_calls}; a {@code function_call_output} a {@code tool} message; a
 * {@code reasoning} item's text rides on the next assistant message as {@code reasoning_content}
 * (its {@code encrypted_content}, OpenAI's own, means nothing to a local model and is dropped).
 */
final class ResponsesInput {

  /** History of OpenAI-hosted tools: a local model never made these calls, so they carry nothing for it. */
  private static final Set<String> HOSTED_CALLS = Set.of("web_search_call", "file_search_call", "computer_call",
      "computer_call_output", "image_generation_call", "code_interpreter_call", "local_shell_call",
      "local_shell_call_output", "mcp_list_tools", "mcp_approval_request", "mcp_approval_response", "mcp_call",
      "tool_search_call", "compaction");

  private final JsonArray messages = new JsonArray();
  /** The system prompt's parts, in order: instructions, then each system or developer message. */
  private final StringBuilder system = new StringBuilder();
  /** The assistant message being built (text, then tool calls), until a message of another kind comes. */
  private JsonObject assistant;
  /** Reasoning text waiting for the assistant message it belongs to. */
  private StringBuilder reasoning;

  private ResponsesInput() {
  }

  /** The messages for {@code instructions} and {@code input} (a string, or an array of items). */
  static JsonArray messages(Object instructions, Object input) {
    ResponsesInput in = new ResponsesInput();
    if (instructions instanceof String s && !s.isEmpty()) {
      in.system(s);
    } else if (instructions != null && !(instructions instanceof String)) {
      throw bad("'instructions' must be a string.", "instructions");
    }
    if (input instanceof String text) {
      in.add(new JsonObject().put("role", "user").put("content", text));
    } else if (input instanceof JsonArray items) {
      for (int i = 0; i < items.size(); i++) {
        if (!(items.getValue(i) instanceof JsonObject item)) {
          throw bad("input[" + i + "] must be an object.", "input");
        }
        in.item(item, "input[" + i + "]");
      }
    } else if (input != null) {
      throw bad("'input' must be a string or an array of items.", "input");
    }
    in.closeAssistant();
    if (in.system.length() > 0) {
      in.messages.add(0, new JsonObject().put("role", "system").put("content", in.system.toString()));
    }
    return in.messages;
  }

  private void item(JsonObject item, String at) {
    String type = item.getString("type", item.getValue("role") != null ? "message" : null);
    if (type == null) {
      throw bad(at + " has no 'type'.", "input");
    }
    switch (type) {
      case "message" -> message(item, at);
      case "function_call" -> {
        String name = item.getString("name");
        if (name == null) {
          throw bad(at + ": a function_call needs a 'name'.", "input");
        }
        Object args = item.getValue("arguments");
        toolCall(item, ToolNames.upstream(item.getString("namespace"), name),
            args instanceof String s ? s : args == null ? "{}" : String.valueOf(args));
      }
      case "custom_tool_call" -> {
        String name = item.getString("name");
        if (name == null) {
          throw bad(at + ": a custom_tool_call needs a 'name'.", "input");
        }
        // Offered upstream as a function of one string argument (ResponsesTools): called as one.
        toolCall(item, name, new JsonObject().put("input", item.getString("input", "")).encode());
      }
      case "function_call_output", "custom_tool_call_output" -> {
        closeAssistant();
        messages.add(new JsonObject().put("role", "tool").put("tool_call_id", item.getString("call_id"))
            .put("content", outputText(item.getValue("output"))));
      }
      case "reasoning" -> {
        String text = reasoningText(item);
        if (!text.isEmpty()) {
          closeAssistant(); // reasoning comes before the assistant output it explains
          if (reasoning == null) {
            reasoning = new StringBuilder();
          } else {
            reasoning.append('\n');
          }
          reasoning.append(text);
        }
      }
      case "item_reference" -> throw bad(at + ": item_reference is not supported; send the item itself, or use "
          + "previous_response_id.", "input");
      default -> {
        if (!HOSTED_CALLS.contains(type)) {
          throw bad(at + ": unsupported input item type '" + type + "'.", "input");
        }
      }
    }
  }

  /** A call of the model's, on the assistant turn it belongs to (consecutive calls share one). */
  private void toolCall(JsonObject item, String upstreamName, String arguments) {
    JsonObject call = new JsonObject().put("id", item.getString("call_id", item.getString("id")))
        .put("type", "function").put("function", new JsonObject().put("name", upstreamName)
            .put("arguments", arguments));
    JsonObject a = openAssistant();
    if (!(a.getValue("tool_calls") instanceof JsonArray)) {
      a.put("tool_calls", new JsonArray());
    }
    a.getJsonArray("tool_calls").add(call);
  }

  private void message(JsonObject item, String at) {
    String role = item.getString("role", "user");
    Object content = item.getValue("content");
    switch (role) {
      case "assistant" -> {
        String text = text(content, at);
        JsonObject a = openAssistant();
        if (a.getValue("tool_calls") != null) {
          // Text after tool calls is a new turn of its own.
          closeAssistant();
          a = openAssistant();
        }
        String before = a.getString("content");
        a.put("content", before == null ? text : before + text);
      }
      case "system", "developer" -> system(text(content, at));
      case "user" -> add(new JsonObject().put("role", "user").put("content", userContent(content, at)));
      default -> throw bad(at + ": unknown role '" + role + "' (expected user, assistant, system or developer).",
          "input");
    }
  }

  /** Plain text, or chat content parts when an image is among them. */
  private static Object userContent(Object content, String at) {
    if (!(content instanceof JsonArray parts) || parts.stream().noneMatch(p -> p instanceof JsonObject o
        && "input_image".equals(o.getString("type")))) {
      return text(content, at);
    }
    JsonArray out = new JsonArray();
    for (Object p : parts) {
      JsonObject part = (JsonObject) p;
      if ("input_image".equals(part.getString("type"))) {
        String url = part.getString("image_url");
        if (url == null) {
          throw bad(at + ": an input_image needs an 'image_url' (a file_id cannot be resolved here).", "input");
        }
        JsonObject image = new JsonObject().put("url", url);
        if (part.getValue("detail") != null) {
          image.put("detail", part.getValue("detail"));
        }
        out.add(new JsonObject().put("type", "image_url").put("image_url", image));
      } else {
        out.add(new JsonObject().put("type", "text").put("text", partText(part, at)));
      }
    }
    return out;
  }

  /** The text of a message's content: a string, or its text parts joined by newlines. */
  private static String text(Object content, String at) {
    if (content instanceof String s) {
      return s;
    }
    if (!(content instanceof JsonArray parts)) {
      throw bad(at + ": 'content' must be a string or an array of content parts.", "input");
    }
    StringBuilder b = new StringBuilder();
    for (Object p : parts) {
      if (!(p instanceof JsonObject part)) {
        throw bad(at + ": each content part must be an object.", "input");
      }
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(partText(part, at));
    }
    return b.toString();
  }

  private static String partText(JsonObject part, String at) {
    String type = part.getString("type", "");
    return switch (type) {
      case "input_text", "output_text", "text", "summary_text", "reasoning_text" -> part.getString("text", "");
      case "refusal" -> part.getString("refusal", "");
      case "input_image" -> throw bad(at + ": an input_image can only be in a user message.", "input");
      case "input_file" -> throw bad(at + ": input_file is not supported (send its text as input_text).", "input");
      default -> throw bad(at + ": unsupported content part type '" + type + "'.", "input");
    };
  }

  private static String outputText(Object output) {
    if (output instanceof String s) {
      return s;
    }
    if (output instanceof JsonArray parts) {
      StringBuilder b = new StringBuilder();
      for (Object p : parts) {
        if (p instanceof JsonObject part && part.getValue("text") instanceof String t) {
          b.append(b.length() > 0 ? "\n" : "").append(t);
        }
      }
      return b.toString();
    }
    return output == null ? "" : String.valueOf(output);
  }

  /** A reasoning item's readable text: its content (raw reasoning), else its summary. */
  private static String reasoningText(JsonObject item) {
    for (String key : new String[] {"content", "summary"}) {
      if (item.getValue(key) instanceof JsonArray parts && !parts.isEmpty()) {
        StringBuilder b = new StringBuilder();
        for (Object p : parts) {
          if (p instanceof JsonObject part && part.getValue("text") instanceof String t) {
            b.append(b.length() > 0 ? "\n" : "").append(t);
          }
        }
        if (b.length() > 0) {
          return b.toString();
        }
      }
    }
    return "";
  }

  private JsonObject openAssistant() {
    if (assistant == null) {
      assistant = new JsonObject().put("role", "assistant");
      if (reasoning != null) {
        assistant.put("reasoning_content", reasoning.toString());
        reasoning = null;
      }
    }
    return assistant;
  }

  private void closeAssistant() {
    if (assistant != null) {
      if (assistant.getValue("content") == null && assistant.getValue("tool_calls") == null) {
        assistant.put("content", "");
      }
      if (assistant.getValue("content") == null) {
        assistant.putNull("content");
      }
      messages.add(assistant);
      assistant = null;
    }
  }

  private void system(String text) {
    if (!text.isEmpty()) {
      system.append(system.length() > 0 ? "\n\n" : "").append(text);
    }
  }

  private void add(JsonObject message) {
    closeAssistant();
    messages.add(message);
  }
}
