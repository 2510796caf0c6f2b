package dev.switchboard.responses;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The pieces of a Response object ({@code "object": "response"}): the envelope with what it echoes of
 * its request, output items, and usage from a chat completion's.
 */
public final class ResponseObject {

  private ResponseObject() {
  }

  /** A response id; {@code prefix} says which node stored it (see {@code ResponseStoreVerticle}). */
  public static String newId(String prefix) {
    return "resp_" + prefix + hex(24);
  }

  /** An output item id: {@code msg_}, {@code fc_}, {@code rs_} + random hex. */
  static String itemId(String kind) {
    return kind + "_" + hex(24);
  }

  private static String hex(int chars) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder b = new StringBuilder(chars);
    while (b.length() < chars) {
      b.append(Long.toHexString(r.nextLong() | Long.MIN_VALUE), 1, 16);
    }
    return b.substring(0, chars);
  }

  /** The envelope: {@code status} in_progress, completed, incomplete or failed; output and usage set later. */
  static JsonObject envelope(String id, long createdAt, String model, JsonObject echo, String status) {
    JsonObject r = new JsonObject().put("id", id).put("object", "response").put("created_at", createdAt)
        .put("status", status).put("error", null).put("incomplete_details", null).put("model", model)
        .put("output", new JsonArray()).put("usage", null);
    echo.forEach(e -> r.put(e.getKey(), e.getValue()));
    return r;
  }

  static JsonObject message(String id, String text, String status) {
    return new JsonObject().put("id", id).put("type", "message").put("status", status).put("role", "assistant")
        .put("content", text == null ? new JsonArray() : new JsonArray().add(outputText(text)));
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray())
        .put("logprobs", new JsonArray());
  }

  static JsonObject functionCall(String id, String callId, String upstreamName, String arguments, String status,
                                 ToolNames names) {
    JsonObject call = new JsonObject().put("id", id).put("type", "function_call").put("status", status)
        .put("call_id", callId).put("name", names.clientName(upstreamName)).put("arguments", arguments);
    String ns = names.namespaceOf(upstreamName);
    if (ns != null) {
      call.put("namespace", ns);
    }
    return call;
  }

  /**
   * The item for a call the model made: a {@code custom_tool_call} with its {@code input} when the function
   * stands for a freeform tool, else a {@code function_call}.
   */
  static JsonObject call(String id, String callId, String upstreamName, String arguments, String status,
                         ToolNames names) {
    if (!names.isCustom(upstreamName)) {
      return functionCall(id, callId, upstreamName, arguments, status, names);
    }
    return new JsonObject().put("id", id).put("type", "custom_tool_call").put("status", status)
        .put("call_id", callId).put("name", upstreamName).put("input", customInput(arguments));
  }

  /** A freeform tool's input: the {@code input} argument; arguments that are not such JSON, as they are. */
  static String customInput(String arguments) {
    try {
      if (new JsonObject(arguments).getValue("input") instanceof String input) {
        return input;
      }
    } catch (RuntimeException notJson) {
      // as they are, below
    }
    return arguments;
  }

  /** A reasoning item with the backend's reasoning text as its content; no summary is made up. */
  static JsonObject reasoning(String id, String text) {
    JsonObject r = new JsonObject().put("id", id).put("type", "reasoning").put("summary", new JsonArray());
    if (text != null) {
      r.put("content", new JsonArray().add(reasoningText(text)));
    }
    return r;
  }

  static JsonObject reasoningText(String text) {
    return new JsonObject().put("type", "reasoning_text").put("text", text);
  }

  /** A chat completion's usage as a Response's ({@code input_tokens}, {@code output_tokens}, details). */
  static JsonObject usage(JsonObject chatUsage) {
    if (chatUsage == null) {
      return null;
    }
    long in = number(chatUsage.getValue("prompt_tokens"));
    long out = number(chatUsage.getValue("completion_tokens"));
    long cached = chatUsage.getValue("prompt_tokens_details") instanceof JsonObject d
        ? number(d.getValue("cached_tokens")) : 0;
    long reasoning = chatUsage.getValue("completion_tokens_details") instanceof JsonObject d
        ? number(d.getValue("reasoning_tokens")) : 0;
    return new JsonObject().put("input_tokens", in)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", cached))
        .put("output_tokens", out)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", reasoning))
        .put("total_tokens", chatUsage.getValue("total_tokens") instanceof Number t ? t.longValue() : in + out);
  }

  /** Sets the final status: {@code length} makes a response incomplete with reason max_output_tokens. */
  static void finish(JsonObject response, String finishReason) {
    if ("length".equals(finishReason)) {
      response.put("status", "incomplete")
          .put("incomplete_details", new JsonObject().put("reason", "max_output_tokens"));
    } else if ("content_filter".equals(finishReason)) {
      response.put("status", "incomplete")
          .put("incomplete_details", new JsonObject().put("reason", "content_filter"));
    } else {
      response.put("status", "completed");
    }
  }

  private static long number(Object v) {
    return v instanceof Number n ? n.longValue() : 0;
  }
}
