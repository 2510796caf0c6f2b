package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * For a stream the backend answered with one JSON body instead (a server that ignores {@code stream},
 * or one behind a proxy that buffers): the answer as the stream the client asked for, one chunk per
 * choice with the whole message as its delta, the usage chunk when the client asked for usage, then
 * {@code data: [DONE]}. LiteLLM streams a non-streaming provider's answer the same way; relayed as it
 * was, an SSE client would read nothing from it. A body that is not a completion goes through as it was.
 */
final class JsonAnswerAsStream implements ResponseTranslator {

  private final String clientModel;
  private final boolean includeUsage;
  private final Buffer body = Buffer.buffer();

  JsonAnswerAsStream(String clientModel, boolean includeUsage) {
    this.clientModel = clientModel;
    this.includeUsage = includeUsage;
  }

  @Override
  public void onData(Buffer chunk, TranslationSink out) {
    body.appendBuffer(chunk);
  }

  @Override
  public void onEnd(TranslationSink out) {
    JsonObject answer;
    try {
      answer = new JsonObject(body);
    } catch (RuntimeException notAnObject) {
      out.emit(body.copy().appendString("\n\n" + SseRewriter.DONE_EVENT));
      return;
    }
    if (!(answer.getValue("choices") instanceof JsonArray choices) || !isCompletion(answer, choices)) {
      out.emit(body.copy().appendString("\n\n" + SseRewriter.DONE_EVENT));
      return;
    }
    boolean chat = isChat(answer, choices);
    Buffer events = Buffer.buffer(body.length() + 256);
    for (Object c : choices) {
      if (c instanceof JsonObject choice) {
        events.appendString(event(chunk(answer, chat, new JsonArray().add(chat ? asDelta(choice) : choice.copy()))));
      }
    }
    if (answer.getValue("usage") instanceof JsonObject usage) {
      out.usage(count(usage, "prompt_tokens"), count(usage, "completion_tokens"));
      if (includeUsage) {
        events.appendString(event(chunk(answer, chat, new JsonArray()).put("usage", usage.copy())));
      }
    }
    out.emit(events.appendString(SseRewriter.DONE_EVENT));
  }

  /** By its {@code object}, or, from a server that leaves it out, by what its first choice holds. */
  private static boolean isCompletion(JsonObject answer, JsonArray choices) {
    Object object = answer.getValue("object");
    return "chat.completion".equals(object) || "text_completion".equals(object)
        || object == null && !choices.isEmpty() && choices.getValue(0) instanceof JsonObject first
        && (first.getValue("message") instanceof JsonObject || first.getValue("text") instanceof String);
  }

  private static boolean isChat(JsonObject answer, JsonArray choices) {
    Object object = answer.getValue("object");
    return "chat.completion".equals(object)
        || object == null && !choices.isEmpty() && choices.getValue(0) instanceof JsonObject first && first.containsKey("message");
  }

  private static String event(JsonObject chunk) {
    return "data: " + chunk.encode() + "\n\n";
  }

  private JsonObject chunk(JsonObject answer, boolean chat, JsonArray choices) {
    JsonObject chunk = new JsonObject()
        .put("id", answer.getValue("id"))
        .put("object", chat ? "chat.completion.chunk" : "text_completion")
        .put("created", answer.getValue("created"))
        .put("model", clientModel);
    if (answer.getValue("system_fingerprint") != null) {
      chunk.put("system_fingerprint", answer.getValue("system_fingerprint"));
    }
    return chunk.put("choices", choices);
  }

  /** A chat choice's {@code message} as a stream's {@code delta}; tool calls get the index a delta carries. */
  private static JsonObject asDelta(JsonObject choice) {
    JsonObject delta = choice.getValue("message") instanceof JsonObject m ? m.copy() : new JsonObject();
    if (delta.getValue("tool_calls") instanceof JsonArray calls) {
      for (int i = 0; i < calls.size(); i++) {
        if (calls.getValue(i) instanceof JsonObject call && !call.containsKey("index")) {
          call.put("index", i);
        }
      }
    }
    JsonObject out = new JsonObject().put("index", choice.getValue("index", 0)).put("delta", delta)
        .put("finish_reason", choice.getValue("finish_reason"));
    if (choice.containsKey("logprobs")) {
      out.put("logprobs", choice.getValue("logprobs"));
    }
    return out;
  }

  private static long count(JsonObject usage, String key) {
    return usage.getValue(key) instanceof Number n ? n.longValue() : 0L;
  }
}
