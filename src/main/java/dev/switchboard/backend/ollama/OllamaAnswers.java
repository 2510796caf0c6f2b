package dev.switchboard.backend.ollama;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/** What OpenAI's answers need from Ollama's lines, shared by the stream and whole-body translators. */
final class OllamaAnswers {

  private OllamaAnswers() {
  }

  /** A fresh OpenAI-style id, e.g. {@code chatcmpl-<uuid>}. */
  static String id(String prefix) {
    return prefix + UUID.randomUUID();
  }

  /** A tool call id in OpenAI's style, for Ollama versions that give none. */
  static String toolCallId() {
    return "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
  }

  /** {@code created_at} (RFC 3339, nanoseconds and offset) as epoch seconds; now when absent or odd. */
  static long created(JsonObject line) {
    String at = line.getString("created_at");
    if (at != null) {
      try {
        return OffsetDateTime.parse(at).toEpochSecond();
      } catch (DateTimeParseException odd) {
        // fall through: a timestamp is not worth failing an answer over
      }
    }
    return System.currentTimeMillis() / 1000;
  }

  /** OpenAI's finish_reason: tool_calls when any came back, else Ollama's done_reason (stop, length). */
  static String finishReason(JsonObject doneLine, boolean sawToolCalls) {
    if (sawToolCalls) {
      return "tool_calls";
    }
    String reason = doneLine.getString("done_reason");
    return "length".equals(reason) ? "length" : "stop";
  }

  static long promptTokens(JsonObject line) {
    return line.getValue("prompt_eval_count") instanceof Number n ? n.longValue() : 0L;
  }

  static long completionTokens(JsonObject line) {
    return line.getValue("eval_count") instanceof Number n ? n.longValue() : 0L;
  }

  /** OpenAI's usage object from Ollama's counts. */
  static JsonObject usage(JsonObject doneLine) {
    long prompt = promptTokens(doneLine);
    long completion = completionTokens(doneLine);
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion);
  }

  /**
   * Ollama's tool calls ({@code arguments} an object, id and index only in recent versions) as OpenAI's:
   * each with an id, {@code type: "function"} and the arguments as a JSON string; with {@code index} set
   * from {@code firstIndex} on when {@code indexed} (stream deltas need it).
   */
  static JsonArray toolCalls(JsonArray ollama, int firstIndex, boolean indexed) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < ollama.size(); i++) {
      JsonObject call = ollama.getValue(i) instanceof JsonObject c ? c : new JsonObject();
      JsonObject fn = call.getJsonObject("function", new JsonObject());
      Object args = fn.getValue("arguments");
      String argString = args == null ? "{}" : args instanceof String s ? s : Json.encode(args);
      JsonObject o = new JsonObject();
      if (indexed) {
        o.put("index", firstIndex + i);
      }
      String id = call.getValue("id") instanceof String s && !s.isEmpty() ? s : toolCallId();
      out.add(o.put("id", id).put("type", "function")
          .put("function", new JsonObject().put("name", fn.getString("name", "")).put("arguments", argString)));
    }
    return out;
  }

  /** The line's {@code error}, when Ollama reported one instead of an answer; else null. */
  static String error(JsonObject line) {
    Object e = line.getValue("error");
    return e == null ? null : e instanceof JsonObject o ? o.getString("message", o.encode()) : String.valueOf(e);
  }
}
