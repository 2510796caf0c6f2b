package dev.switchboard.responses;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Responses {@code tools} and {@code tool_choice} → chat completions'. Functions come flat
 * ({@code {type, name, description, parameters, strict}}) or, as Codex sends some, inside a
 * {@code namespace} tool, flattened here (see {@link ToolNames}). A freeform ({@code custom}) tool, whose
 * input is one text (Codex's {@code apply_patch} for OpenAI's models), is offered as a function of one
 * string argument, {@code input}, its grammar told in its description. Built-in tools OpenAI runs on its own
 * servers (web_search, file_search, computer use, ...) cannot run behind a local model: they are left
 * out of what the model is offered, since Codex offers web_search on every request, and a
 * {@code tool_choice} that forces one is a 400.
 */
final class ResponsesTools {

  private static final Logger LOG = LoggerFactory.getLogger(ResponsesTools.class);
  /** Each dropped kind is logged once per process: it comes with every Codex request. */
  private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

  private ResponsesTools() {
  }

  /** The upstream tools of {@code request} (null when none remain), naming namespaced functions in {@code names}. */
  static JsonArray tools(Object raw, ToolNames names) {
    if (raw == null) {
      return null;
    }
    if (!(raw instanceof JsonArray list)) {
      throw bad("'tools' must be an array of tools.", "tools");
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject tool)) {
        throw bad("tools[" + i + "] must be an object.", "tools");
      }
      String type = tool.getString("type", "function");
      switch (type) {
        case "function" -> out.add(function(tool, null, "tools[" + i + "]"));
        case "namespace" -> {
          String ns = tool.getString("name");
          if (ns == null || ns.isBlank() || !(tool.getValue("tools") instanceof JsonArray inner)) {
            throw bad("tools[" + i + "]: a namespace tool needs a 'name' and a 'tools' array.", "tools");
          }
          for (int j = 0; j < inner.size(); j++) {
            if (inner.getValue(j) instanceof JsonObject f && "function".equals(f.getString("type", "function"))) {
              out.add(function(f, ns, "tools[" + i + "].tools[" + j + "]"));
              names.addNamespaced(ns, f.getString("name"));
            } else {
              dropped("namespace " + ns + " member " + (inner.getValue(j) instanceof JsonObject o
                  ? o.getString("type") : "?"));
            }
          }
        }
        case "custom" -> {
          out.add(custom(tool, "tools[" + i + "]"));
          names.addCustom(tool.getString("name"));
        }
        default -> dropped(type);
      }
    }
    return out.isEmpty() ? null : out;
  }

  /**
   * A freeform tool as a function of one string, {@code input}: chat completions have nothing else. Its
   * grammar (Lark or a regex), if any, goes into the description, where the model can read it.
   */
  private static JsonObject custom(JsonObject tool, String at) {
    String name = tool.getString("name");
    if (name == null || name.isBlank()) {
      throw bad(at + ": a custom tool needs a 'name'.", "tools");
    }
    StringBuilder description = new StringBuilder(tool.getString("description", ""));
    if (tool.getValue("format") instanceof JsonObject format && "grammar".equals(format.getString("type"))
        && format.getValue("definition") instanceof String grammar) {
      description.append(description.length() > 0 ? "\n\n" : "").append("The input follows this ")
          .append(format.getString("syntax", "")).append(" grammar:\n").append(grammar);
    }
    JsonObject input = new JsonObject().put("type", "string").put("description", "The tool's input, as free text.");
    JsonObject fn = new JsonObject().put("name", name).put("description", description.toString())
        .put("parameters", new JsonObject().put("type", "object")
            .put("properties", new JsonObject().put("input", input)).put("required", new JsonArray().add("input")));
    return new JsonObject().put("type", "function").put("function", fn);
  }

  /** Names of the functions offered upstream. */
  static Set<String> offered(JsonArray tools) {
    Set<String> names = new HashSet<>();
    if (tools != null) {
      tools.forEach(t -> names.add(((JsonObject) t).getJsonObject("function").getString("name")));
    }
    return names;
  }

  /** A function tool, flat or chat-shaped ({@code function: {...}}), as chat completions take it. */
  private static JsonObject function(JsonObject tool, String namespace, String at) {
    JsonObject f = tool.getValue("function") instanceof JsonObject nested ? nested : tool;
    String name = f.getString("name");
    if (name == null || name.isBlank()) {
      throw bad(at + ": a function tool needs a 'name'.", "tools");
    }
    JsonObject fn = new JsonObject().put("name", ToolNames.upstream(namespace, name));
    if (f.getValue("description") != null) {
      fn.put("description", f.getValue("description"));
    }
    fn.put("parameters", f.getValue("parameters") instanceof JsonObject p ? p
        : new JsonObject().put("type", "object").put("properties", new JsonObject()));
    if (f.getValue("strict") instanceof Boolean strict) {
      fn.put("strict", strict);
    }
    return new JsonObject().put("type", "function").put("function", fn);
  }

  /**
   * {@code tool_choice}: the strings as they are; a named function → chat's shape; a built-in tool, or
   * a function not offered, → 400, because the model could not do what the client demands.
   */
  static Object toolChoice(Object raw, JsonArray tools) {
    if (raw == null) {
      return null;
    }
    if (raw instanceof String mode) {
      if (!Set.of("auto", "none", "required").contains(mode)) {
        throw bad("'tool_choice' must be auto, none, required or an object, got '" + mode + "'.", "tool_choice");
      }
      return tools == null ? null : mode;
    }
    if (!(raw instanceof JsonObject choice)) {
      throw bad("'tool_choice' must be a string or an object.", "tool_choice");
    }
    String type = choice.getString("type", "");
    switch (type) {
      case "function", "custom" -> {
        String name = ToolNames.upstream(choice.getString("namespace"), choice.getString("name"));
        if (!offered(tools).contains(name)) {
          throw bad("'tool_choice' forces the function '" + name + "', which is not among the tools offered.",
              "tool_choice");
        }
        return new JsonObject().put("type", "function").put("function", new JsonObject().put("name", name));
      }
      case "allowed_tools" -> {
        String mode = choice.getString("mode", "auto");
        return tools == null ? null : mode;
      }
      default -> throw bad("'tool_choice' forces the built-in tool '" + type + "', which Switchboard cannot run: "
          + "it serves local models, and OpenAI's hosted tools (web search, file search, computer use, ...) run "
          + "only on OpenAI's servers. Offer a function tool instead.", "tool_choice");
    }
  }

  private static void dropped(String type) {
    if (LOGGED.add(type)) {
      LOG.info("Responses API: the built-in tool '{}' is not offered to local models (it runs only on OpenAI's "
          + "servers); requests that offer it are served without it. Logged once.", type);
    }
  }

  static OpenAiError.Failure bad(String message, String param) {
    return OpenAiError.badRequest("/responses: " + message, param).asException();
  }
}
