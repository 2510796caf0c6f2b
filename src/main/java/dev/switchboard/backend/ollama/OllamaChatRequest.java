package dev.switchboard.backend.ollama;

import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * An OpenAI chat request as the body of Ollama's {@code POST /api/chat}.
 *
 * <p>Messages: every role goes through ({@code developer} becomes {@code system}, the legacy
 * {@code function} role becomes {@code tool}). Content parts are flattened: text parts joined with a
 * newline, {@code image_url} data URLs moved to {@code images} as bare base64 (Ollama cannot fetch a URL,
 * so an http(s) image is refused rather than dropped). Assistant {@code tool_calls} carry their
 * arguments as a JSON object (OpenAI sends a string), {@code reasoning_content} goes back as
 * {@code thinking}, and a {@code tool} result gets Ollama's {@code tool_name}, found through its
 * {@code tool_call_id} when the client did not name it.
 *
 * <p>Tools go natively. {@code tool_choice} cannot be enforced by Ollama: {@code "none"} drops the
 * tools, a named function narrows the tools to that one, {@code "auto"} and {@code "required"} send
 * them all (the model may still answer in text). LiteLLM drops tool_choice silently.
 */
final class OllamaChatRequest {

  private OllamaChatRequest() {
  }

  static JsonObject of(JsonObject req, ModelDeployment deployment, boolean stream) {
    JsonObject body = new JsonObject().put("model", deployment.backendModel())
        .put("messages", messages(req.getJsonArray("messages")))
        .put("stream", stream);
    JsonArray tools = tools(req);
    if (tools != null && !tools.isEmpty()) {
      body.put("tools", tools);
    }
    OllamaOptions.apply(req, deployment, body);
    return body;
  }

  private static JsonArray messages(JsonArray in) {
    Map<String, String> toolNames = new HashMap<>();
    JsonArray out = new JsonArray();
    for (int i = 0; i < in.size(); i++) {
      out.add(message(in.getJsonObject(i), i, toolNames));
    }
    return out;
  }

  private static JsonObject message(JsonObject m, int i, Map<String, String> toolNames) {
    String role = m.getString("role");
    String at = "messages[" + i + "]";
    JsonObject o = new JsonObject();
    switch (role) {
      case "developer" -> o.put("role", "system");
      case "function" -> o.put("role", "tool");
      case "system", "user", "assistant", "tool" -> o.put("role", role);
      default -> throw OllamaOptions.bad(at + ".role: '" + role
          + "' is not one of system, developer, user, assistant, tool", "messages");
    }
    content(m.getValue("content"), o, at);
    if ("assistant".equals(role)) {
      Object reasoning = m.getValue("reasoning_content");
      if (reasoning instanceof String r && !r.isEmpty()) {
        o.put("thinking", r);
      }
      if (m.getValue("tool_calls") instanceof JsonArray calls && !calls.isEmpty()) {
        o.put("tool_calls", toolCalls(calls, at, toolNames));
      }
    }
    if ("tool".equals(role) || "function".equals(role)) {
      String name = m.getString("name");
      if (name == null && m.getValue("tool_call_id") instanceof String id) {
        name = toolNames.get(id);
      }
      if (name != null) {
        o.put("tool_name", name);
      }
    }
    return o;
  }

  /** A string, or OpenAI content parts: text joined, data-URL images to {@code images}. */
  private static void content(Object content, JsonObject o, String at) {
    if (content == null || content instanceof String) {
      o.put("content", content == null ? "" : content);
      return;
    }
    if (!(content instanceof JsonArray parts)) {
      throw OllamaOptions.bad(at + ".content: must be a string or a list of content parts", "messages");
    }
    StringBuilder text = new StringBuilder();
    JsonArray images = new JsonArray();
    for (int p = 0; p < parts.size(); p++) {
      JsonObject part = parts.getValue(p) instanceof JsonObject j ? j : new JsonObject();
      String type = part.getString("type", "");
      switch (type) {
        case "text", "input_text" -> {
          if (text.length() > 0) {
            text.append('\n');
          }
          text.append(part.getString("text", ""));
        }
        case "image_url" -> images.add(imageData(part.getValue("image_url"), at + ".content[" + p + "]"));
        default -> throw OllamaOptions.bad(at + ".content[" + p + "]: part type '" + type
            + "' is not supported by Ollama (text and image_url are)", "messages");
      }
    }
    o.put("content", text.toString());
    if (!images.isEmpty()) {
      o.put("images", images);
    }
  }

  private static String imageData(Object imageUrl, String at) {
    String url = imageUrl instanceof JsonObject j ? j.getString("url") : imageUrl instanceof String s ? s : null;
    int comma = url == null ? -1 : url.indexOf(',');
    if (url == null || !url.startsWith("data:") || comma < 0 || !url.substring(0, comma).endsWith(";base64")) {
      throw OllamaOptions.bad(at + ": Ollama takes images inline; send image_url.url as a base64 data URL "
          + "(data:image/png;base64,...)", "messages");
    }
    return url.substring(comma + 1);
  }

  private static JsonArray toolCalls(JsonArray calls, String at, Map<String, String> toolNames) {
    JsonArray out = new JsonArray();
    for (int c = 0; c < calls.size(); c++) {
      if (!(calls.getValue(c) instanceof JsonObject call) || !(call.getValue("function") instanceof JsonObject fn)) {
        throw OllamaOptions.bad(at + ".tool_calls[" + c + "]: must be {\"type\": \"function\", \"function\": "
            + "{\"name\": ..., \"arguments\": ...}}", "messages");
      }
      String name = fn.getString("name");
      if (call.getValue("id") instanceof String id && name != null) {
        toolNames.put(id, name);
      }
      out.add(new JsonObject().put("function", new JsonObject().put("name", name)
          .put("arguments", arguments(fn.getValue("arguments"), at + ".tool_calls[" + c + "]"))));
    }
    return out;
  }

  /** OpenAI's arguments string → the object Ollama wants. */
  private static JsonObject arguments(Object args, String at) {
    if (args == null || args instanceof String s && s.isBlank()) {
      return new JsonObject();
    }
    if (args instanceof JsonObject o) {
      return o;
    }
    try {
      return new JsonObject((String) args);
    } catch (DecodeException | ClassCastException notAnObject) {
      throw OllamaOptions.bad(at + ".function.arguments: Ollama needs the arguments as a JSON object, got "
          + args, "messages");
    }
  }

  /** {@code tools} (or legacy {@code functions}) as Ollama takes them, after {@code tool_choice}. */
  private static JsonArray tools(JsonObject req) {
    Object given = req.getValue("tools");
    if (given != null && !(given instanceof JsonArray)) {
      throw OllamaOptions.bad("tools: must be a list of tools", "tools");
    }
    JsonArray tools = (JsonArray) given;
    if (tools == null && req.getValue("functions") instanceof JsonArray fns) {
      tools = new JsonArray();
      for (Object f : fns) {
        tools.add(new JsonObject().put("type", "function").put("function", f));
      }
    }
    if (tools == null) {
      return null;
    }
    for (int t = 0; t < tools.size(); t++) {
      if (!(tools.getValue(t) instanceof JsonObject tool) || !(tool.getValue("function") instanceof JsonObject)) {
        throw OllamaOptions.bad("tools[" + t + "]: must be {\"type\": \"function\", \"function\": {\"name\": ..., "
            + "\"parameters\": ...}}", "tools");
      }
    }
    Object choice = req.getValue("tool_choice") != null ? req.getValue("tool_choice") : req.getValue("function_call");
    if ("none".equals(choice)) {
      return null;
    }
    String only = choice instanceof JsonObject c
        ? (c.getValue("function") instanceof JsonObject fn ? fn.getString("name") : c.getString("name")) : null;
    if (only == null) {
      return tools;
    }
    JsonArray narrowed = new JsonArray();
    for (int t = 0; t < tools.size(); t++) {
      JsonObject tool = tools.getJsonObject(t);
      if (only.equals(tool.getJsonObject("function").getString("name"))) {
        narrowed.add(tool);
      }
    }
    return narrowed.isEmpty() ? tools : narrowed;
  }
}
