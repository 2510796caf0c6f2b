package dev.switchboard.anthropic;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ThreadLocalRandom;

/** A chat completion as Anthropic's Messages answer: content blocks, stop reason, usage. */
public final class ChatToMessage {

  private ChatToMessage() {
  }

  /** {@code msg_} and 24 random hex digits, as Anthropic's ids look. */
  static String messageId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "msg_" + Long.toHexString(r.nextLong() | Long.MIN_VALUE) + Integer.toHexString(r.nextInt() | Integer.MIN_VALUE);
  }

  /** {@code model}: the name the client asked for. */
  public static JsonObject translate(JsonObject completion, String model) {
    JsonObject choice = completion.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject c ? c : new JsonObject();
    JsonObject message = choice.getValue("message") instanceof JsonObject m ? m : new JsonObject();
    JsonArray content = new JsonArray();
    String reasoning = reasoning(message);
    if (reasoning != null && !reasoning.isEmpty()) {
      content.add(new JsonObject().put("type", "thinking").put("thinking", reasoning).put("signature", ""));
    }
    if (message.getValue("content") instanceof String text && !text.isEmpty()) {
      content.add(new JsonObject().put("type", "text").put("text", text));
    }
    if (message.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call && call.getValue("function") instanceof JsonObject fn) {
          content.add(new JsonObject().put("type", "tool_use").put("id", call.getString("id", "toolu_" + i))
              .put("name", fn.getString("name", "")).put("input", input(fn.getValue("arguments"))));
        }
      }
    }
    return new JsonObject().put("id", messageId()).put("type", "message").put("role", "assistant")
        .put("model", model).put("content", content)
        .put("stop_reason", stopReason(choice.getString("finish_reason"), content))
        .put("stop_sequence", null)
        .put("usage", usage(completion.getValue("usage") instanceof JsonObject u ? u : null, -1));
  }

  /** {@code reasoning_content} (vLLM, llama.cpp, Ollama's translation) or {@code reasoning} (newer vLLM). */
  static String reasoning(JsonObject messageOrDelta) {
    Object r = messageOrDelta.getValue("reasoning_content");
    if (!(r instanceof String)) {
      r = messageOrDelta.getValue("reasoning");
    }
    return r instanceof String s ? s : null;
  }

  /** Arguments as the object Anthropic's {@code input} is; text that is no JSON object is kept under one key. */
  static JsonObject input(Object arguments) {
    if (arguments instanceof JsonObject o) {
      return o;
    }
    if (!(arguments instanceof String s) || s.isBlank()) {
      return new JsonObject();
    }
    try {
      return new JsonObject(s);
    } catch (RuntimeException notAnObject) {
      return new JsonObject().put("arguments", s);
    }
  }

  /** OpenAI's finish reason as Anthropic's stop reason. */
  static String stopReason(String finish, JsonArray content) {
    if (finish == null) {
      return "end_turn";
    }
    return switch (finish) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      default -> content != null && content.stream().anyMatch(b -> b instanceof JsonObject o
          && "tool_use".equals(o.getString("type"))) ? "tool_use" : "end_turn";
    };
  }

  /**
   * Anthropic's usage from OpenAI's: cached prompt tokens are {@code cache_read_input_tokens}, the rest
   * {@code input_tokens}. {@code estimatedInput} stands in when the backend reported none (-1: zero).
   */
  static JsonObject usage(JsonObject u, long estimatedInput) {
    long prompt = u != null && u.getValue("prompt_tokens") instanceof Number n ? n.longValue() : Math.max(0, estimatedInput);
    long completion = u != null && u.getValue("completion_tokens") instanceof Number n ? n.longValue() : 0;
    long cached = u != null && u.getValue("prompt_tokens_details") instanceof JsonObject d
        && d.getValue("cached_tokens") instanceof Number n ? n.longValue() : 0;
    return new JsonObject().put("input_tokens", Math.max(0, prompt - cached))
        .put("cache_creation_input_tokens", 0).put("cache_read_input_tokens", cached)
        .put("output_tokens", completion);
  }
}
