package dev.switchboard.anthropic;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An Anthropic Messages request as the OpenAI chat-completions request every deployment serves. What a
 * local backend would reject (thinking blocks in the history, {@code cache_control}, server tools,
 * {@code context_management}, {@code output_config}) is left out rather than forwarded to fail; the
 * attribution block Claude Code puts first in {@code system}, which changes per conversation and defeats
 * a local prompt cache, is dropped. docs/anthropic.md has the whole mapping.
 */
public final class MessagesToChat {

  /** How Claude Code's attribution block begins: a billing header, meaningless to a local model. */
  static final String ATTRIBUTION = "x-anthropic-billing-header:";

  private MessagesToChat() {
  }

  /**
   * The chat-completions body for {@code req}; {@code maxOutputTokens} (a deployment's
   * {@code model_info.max_output_tokens}, 0 when unknown) caps {@code max_tokens}. Throws an
   * {@link OpenAiError.Failure} (400) for a request that is not a Messages request.
   */
  public static JsonObject translate(JsonObject req, long maxOutputTokens) {
    checkTypes(req);
    JsonObject chat = new JsonObject().put("model", req.getValue("model"));
    JsonArray messages = new JsonArray();
    // Every system text goes into one leading system message: the chat templates of local models
    // (Qwen's, Llama's) reject a system message anywhere else, and Claude Code sends some mid-conversation.
    StringBuilder system = new StringBuilder(systemText(req.getValue("system")));
    Object list = req.getValue("messages");
    if (!(list instanceof JsonArray turns) || turns.isEmpty()) {
      throw bad("messages: Field required (a non-empty list of messages)");
    }
    for (int i = 0; i < turns.size(); i++) {
      if (!(turns.getValue(i) instanceof JsonObject turn) || !(turn.getValue("role") instanceof String role)) {
        throw bad("messages." + i + ": each message needs a role and content");
      }
      switch (role) {
        case "user" -> user(turn.getValue("content"), messages, i);
        case "assistant" -> assistant(turn.getValue("content"), messages, i);
        case "system" -> {
          String more = text(turn.getValue("content"));
          system.append(system.length() == 0 || more.isEmpty() ? "" : "\n\n").append(more);
        }
        default -> throw bad("messages." + i + ".role: Input should be 'user' or 'assistant'");
      }
    }
    if (system.length() > 0) {
      messages.add(0, new JsonObject().put("role", "system").put("content", system.toString()));
    }
    chat.put("messages", messages);
    Object maxTokens = req.getValue("max_tokens");
    if (maxTokens == null) {
      throw bad("max_tokens: Field required");
    }
    if (!(maxTokens instanceof Number n) || n.longValue() < 1 || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw bad("max_tokens: Input should be an integer >= 1");
    }
    long max = n.longValue();
    chat.put("max_tokens", maxOutputTokens > 0 ? Math.min(max, maxOutputTokens) : max);
    copy(req, chat, "temperature", "temperature");
    copy(req, chat, "top_p", "top_p");
    copy(req, chat, "top_k", "top_k");
    copy(req, chat, "stop_sequences", "stop");
    if (req.getValue("metadata") instanceof JsonObject meta && meta.getValue("user_id") instanceof String user) {
      chat.put("user", user);
    }
    tools(req, chat);
    String effort = effort(req);
    if (effort != null) {
      chat.put("reasoning_effort", effort);
    }
    if (Boolean.TRUE.equals(req.getValue("stream"))) {
      // The usage chunk is where message_delta's output_tokens come from.
      chat.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return chat;
  }

  /** Fields of the wrong type are a 400 naming them, as Anthropic's API answers, not silently ignored. */
  private static void checkTypes(JsonObject req) {
    Object stream = req.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      throw bad("stream: Input should be a valid boolean");
    }
    Object system = req.getValue("system");
    if (system != null && !(system instanceof String) && !(system instanceof JsonArray)) {
      throw bad("system: Input should be a valid string or a list of text blocks");
    }
    Object tools = req.getValue("tools");
    if (tools != null && !(tools instanceof JsonArray)) {
      throw bad("tools: Input should be a valid list");
    }
    Object toolChoice = req.getValue("tool_choice");
    if (toolChoice != null && !(toolChoice instanceof JsonObject)) {
      throw bad("tool_choice: Input should be an object like {\"type\": \"auto\"}");
    }
  }

  private static OpenAiError.Failure bad(String message) {
    return OpenAiError.badRequest(message, null).asException();
  }

  /** {@code system} as a string or text blocks, Claude Code's attribution block left out. */
  static String systemText(Object system) {
    if (system instanceof String s) {
      return s.startsWith(ATTRIBUTION) ? "" : s;
    }
    if (!(system instanceof JsonArray blocks)) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < blocks.size(); i++) {
      if (blocks.getValue(i) instanceof JsonObject b && b.getValue("text") instanceof String t
          && !t.startsWith(ATTRIBUTION)) {
        out.append(out.length() == 0 ? "" : "\n\n").append(t);
      }
    }
    return out.toString();
  }

  /** A string, or the text of text blocks. */
  private static String text(Object content) {
    if (content instanceof String s) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    if (content instanceof JsonArray blocks) {
      for (int i = 0; i < blocks.size(); i++) {
        if (blocks.getValue(i) instanceof JsonObject b && "text".equals(b.getString("type"))
            && b.getValue("text") instanceof String t) {
          out.append(out.length() == 0 ? "" : "\n").append(t);
        }
      }
    }
    return out.toString();
  }

  /**
   * A user turn: its tool results first, each a {@code tool} message (as OpenAI wants them right after
   * the assistant's calls), then its text and images as one user message.
   */
  private static void user(Object content, JsonArray messages, int index) {
    if (content instanceof String s) {
      messages.add(new JsonObject().put("role", "user").put("content", s));
      return;
    }
    if (!(content instanceof JsonArray blocks)) {
      throw bad("messages." + index + ".content: a string or a list of content blocks");
    }
    JsonArray parts = new JsonArray();
    boolean onlyText = true;
    for (int i = 0; i < blocks.size(); i++) {
      if (!(blocks.getValue(i) instanceof JsonObject b)) {
        continue;
      }
      switch (String.valueOf(b.getValue("type"))) {
        case "text" -> parts.add(new JsonObject().put("type", "text").put("text", b.getString("text", "")));
        case "image" -> {
          JsonObject image = imagePart(b.getValue("source"));
          if (image != null) {
            parts.add(image);
            onlyText = false;
          }
        }
        case "tool_result" -> messages.add(toolResult(b));
        default -> {
          // documents, search results, thinking: nothing a local chat template has a place for
        }
      }
    }
    if (parts.isEmpty()) {
      return;
    }
    if (onlyText) {
      StringBuilder joined = new StringBuilder();
      for (int i = 0; i < parts.size(); i++) {
        joined.append(i == 0 ? "" : "\n").append(parts.getJsonObject(i).getString("text"));
      }
      messages.add(new JsonObject().put("role", "user").put("content", joined.toString()));
    } else {
      messages.add(new JsonObject().put("role", "user").put("content", parts));
    }
  }

  private static JsonObject imagePart(Object source) {
    if (!(source instanceof JsonObject s)) {
      return null;
    }
    String url = "url".equals(s.getString("type")) ? s.getString("url")
        : "base64".equals(s.getString("type"))
            ? "data:" + s.getString("media_type", "image/png") + ";base64," + s.getString("data", "")
            : null;
    return url == null ? null
        : new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", url));
  }

  /** A tool's result; a failed one says so in its text, since OpenAI's tool message has no error flag. */
  private static JsonObject toolResult(JsonObject b) {
    String content = text(b.getValue("content"));
    if (Boolean.TRUE.equals(b.getValue("is_error"))) {
      content = "Error: " + content;
    }
    return new JsonObject().put("role", "tool").put("tool_call_id", b.getString("tool_use_id", ""))
        .put("content", content);
  }

  /** An assistant turn: its text, and its tool calls with their ids; thinking blocks are not replayed. */
  private static void assistant(Object content, JsonArray messages, int index) {
    JsonObject msg = new JsonObject().put("role", "assistant");
    if (content instanceof String s) {
      messages.add(msg.put("content", s));
      return;
    }
    if (!(content instanceof JsonArray blocks)) {
      throw bad("messages." + index + ".content: a string or a list of content blocks");
    }
    StringBuilder text = new StringBuilder();
    JsonArray calls = new JsonArray();
    for (int i = 0; i < blocks.size(); i++) {
      if (!(blocks.getValue(i) instanceof JsonObject b)) {
        continue;
      }
      String type = String.valueOf(b.getValue("type"));
      if (type.equals("text")) {
        text.append(b.getString("text", ""));
      } else if (type.equals("tool_use")) {
        Object input = b.getValue("input");
        calls.add(new JsonObject().put("id", b.getString("id", "")).put("type", "function")
            .put("function", new JsonObject().put("name", b.getString("name", ""))
                .put("arguments", input instanceof JsonObject o ? o.encode() : "{}")));
      }
    }
    msg.put("content", text.length() == 0 && !calls.isEmpty() ? null : text.toString());
    if (!calls.isEmpty()) {
      msg.put("tool_calls", calls);
    }
    messages.add(msg);
  }

  /** Client tools become functions; server tools (web search, code execution, ...) no local model can run are left out. */
  private static void tools(JsonObject req, JsonObject chat) {
    if (!(req.getValue("tools") instanceof JsonArray tools)) {
      return;
    }
    JsonArray functions = new JsonArray();
    for (int i = 0; i < tools.size(); i++) {
      if (tools.getValue(i) instanceof JsonObject t && t.getValue("name") instanceof String name
          && (t.getValue("type") == null || "custom".equals(t.getValue("type")))) {
        JsonObject fn = new JsonObject().put("name", name)
            .put("parameters", t.getValue("input_schema") instanceof JsonObject s ? s : new JsonObject()
                .put("type", "object"));
        if (t.getValue("description") instanceof String d) {
          fn.put("description", d);
        }
        functions.add(new JsonObject().put("type", "function").put("function", fn));
      }
    }
    if (functions.isEmpty()) {
      return;
    }
    chat.put("tools", functions);
    if (req.getValue("tool_choice") instanceof JsonObject choice) {
      switch (String.valueOf(choice.getValue("type"))) {
        case "any" -> chat.put("tool_choice", "required");
        case "none" -> chat.put("tool_choice", "none");
        case "tool" -> chat.put("tool_choice", new JsonObject().put("type", "function")
            .put("function", new JsonObject().put("name", choice.getString("name", ""))));
        default -> chat.put("tool_choice", "auto");
      }
      if (Boolean.TRUE.equals(choice.getValue("disable_parallel_tool_use"))) {
        chat.put("parallel_tool_calls", false);
      }
    }
  }

  /**
   * {@code thinking} as OpenAI's {@code reasoning_effort}, as LiteLLM buckets it: a budget below 4096
   * tokens is low, below 16384 medium, else high; adaptive thinking takes {@code output_config.effort}
   * (medium without one); disabled or absent thinking sets nothing.
   */
  static String effort(JsonObject req) {
    if (!(req.getValue("thinking") instanceof JsonObject thinking)) {
      return null;
    }
    String type = String.valueOf(thinking.getValue("type"));
    if (type.equals("enabled")) {
      long budget = thinking.getValue("budget_tokens") instanceof Number n ? n.longValue() : 0;
      return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
    }
    if (type.equals("adaptive")) {
      Object effort = req.getValue("output_config") instanceof JsonObject oc ? oc.getValue("effort") : null;
      return effort instanceof String e && (e.equals("low") || e.equals("medium") || e.equals("high")) ? e
          : "medium";
    }
    return null;
  }

  private static void copy(JsonObject from, JsonObject to, String key, String as) {
    Object v = from.getValue(key);
    if (v != null) {
      to.put(as, v);
    }
  }
}
