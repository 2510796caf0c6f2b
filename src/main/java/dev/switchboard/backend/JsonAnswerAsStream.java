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
  private Usage usage;

  JsonAnswerAsStream(String clientModel, boolean includeUsage) {
    this.clientModel = clientModel;
    this.includeUsage = includeUsage;
  }

  @Override
  public Buffer translate(Buffer chunk) {
    body.appendBuffer(chunk);
    return Buffer.buffer();
  }

  @Override
  public Usage usage() {
    return usage;
  }

  @Override
  public Buffer end() {
    JsonObject answer = parse(body);
    String kind = answer != null && answer.getValue("choices") instanceof JsonArray a ? kind(answer, a) : null;
    if (kind == null) {
      return body.copy().appendString("\n\n" + SseRewriter.DONE_EVENT);
    }
    JsonArray choices = answer.getJsonArray("choices");
    boolean chat = kind.equals("chat.completion");
    Buffer events = Buffer.buffer(body.length() + 256);
    for (Object c : choices) {
      if (c instanceof JsonObject choice) {
        events.appendString(event(chunk(answer, chat, new JsonArray().add(chat ? asDelta(choice) : choice.copy()))));
      }
    }
    if (answer.getValue("usage") instanceof JsonObject usage) {
      this.usage = JsonBodyRewriter.usage(usage);
      if (includeUsage) {
        events.appendString(event(chunk(answer, chat, new JsonArray()).put("usage", usage.copy())));
      }
    }
    return events.appendString(SseRewriter.DONE_EVENT);
  }

  private static JsonObject parse(Buffer body) {
    try {
      return new JsonObject(body);
    } catch (RuntimeException notAnObject) {
      return null;
    }
  }

  /**
   * {@code chat.completion}, {@code text_completion}, or null for anything else: by its {@code object},
   * or, from a server that leaves it out, by what its first choice holds.
   */
  private static String kind(JsonObject answer, JsonArray choices) {
    Object object = answer.getValue("object");
    if (object != null) {
      return "chat.completion".equals(object) || "text_completion".equals(object) ? (String) object : null;
    }
    if (choices.isEmpty() || !(choices.getValue(0) instanceof JsonObject first)) {
      return null;
    }
    return first.getValue("message") instanceof JsonObject ? "chat.completion"
        : first.getValue("text") instanceof String ? "text_completion" : null;
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
}
