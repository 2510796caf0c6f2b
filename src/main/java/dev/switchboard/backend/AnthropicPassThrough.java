package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * The answer of a backend that speaks Anthropic's Messages API itself (llama-server, vLLM, ...), passed
 * through: a message, or its events forwarded whole as they complete, with {@code model} re-stamped with
 * the client's name (in {@code message_start} for a stream) and the usage noted for the metrics. Every
 * other byte is the backend's.
 */
final class AnthropicPassThrough implements ResponseTranslator {

  private final String clientModel;
  private final boolean stream;
  private Buffer pending = Buffer.buffer();
  private long inputTokens = -1;
  private long outputTokens = -1;

  AnthropicPassThrough(String clientModel, boolean stream) {
    this.clientModel = clientModel;
    this.stream = stream;
  }

  @Override
  public void onData(Buffer chunk, TranslationSink out) {
    pending.appendBuffer(chunk);
    if (!stream) {
      return;
    }
    Buffer emitted = Buffer.buffer();
    int start = 0;
    for (int end = eventEnd(pending, 0); end > 0; end = eventEnd(pending, start)) {
      emitted.appendBuffer(event(pending.getBuffer(start, end)));
      start = end;
    }
    if (start > 0) {
      pending = pending.getBuffer(start, pending.length());
      out.emit(emitted);
    }
  }

  @Override
  public void onEnd(TranslationSink out) {
    if (!stream) {
      out.emit(message(pending));
    } else if (pending.length() > 0) {
      out.emit(event(pending)); // a last event without its blank line
    }
    if (inputTokens >= 0 || outputTokens >= 0) {
      out.usage(Math.max(0, inputTokens), Math.max(0, outputTokens));
    }
  }

  /** The end of the first event at or after {@code from} (just past its blank line), or -1. */
  private static int eventEnd(Buffer b, int from) {
    for (int i = from; i + 1 < b.length(); i++) {
      if (b.getByte(i) == '\n' && (b.getByte(i + 1) == '\n'
          || b.getByte(i + 1) == '\r' && i + 2 < b.length() && b.getByte(i + 2) == '\n')) {
        return b.getByte(i + 1) == '\n' ? i + 2 : i + 3;
      }
    }
    return -1;
  }

  /** One event: message_start gets the client's model name; usage is noted from it and message_delta. */
  private Buffer event(Buffer event) {
    String text = event.toString(StandardCharsets.UTF_8);
    int data = text.indexOf("data:");
    if (data < 0 || !(text.contains("\"message_start\"") || text.contains("\"message_delta\""))) {
      return event;
    }
    int lineEnd = text.indexOf('\n', data);
    String json = text.substring(data + 5, lineEnd < 0 ? text.length() : lineEnd).trim();
    JsonObject parsed;
    try {
      parsed = new JsonObject(json);
    } catch (RuntimeException notJson) {
      return event;
    }
    if (parsed.getValue("message") instanceof JsonObject message) {
      note(message.getValue("usage"));
      message.put("model", clientModel);
      return Buffer.buffer(text.substring(0, data) + "data: " + parsed.encode()
          + (lineEnd < 0 ? "" : text.substring(lineEnd)));
    }
    note(parsed.getValue("usage"));
    return event;
  }

  private Buffer message(Buffer body) {
    try {
      JsonObject message = new JsonObject(body);
      note(message.getValue("usage"));
      if (!message.containsKey("model")) {
        return body; // a token count, or an error: nothing to re-stamp
      }
      return message.put("model", clientModel).toBuffer();
    } catch (RuntimeException notAMessage) {
      return body;
    }
  }

  private void note(Object usage) {
    if (usage instanceof JsonObject u) {
      if (u.getValue("input_tokens") instanceof Number n) {
        inputTokens = n.longValue();
      }
      if (u.getValue("output_tokens") instanceof Number n) {
        outputTokens = n.longValue();
      }
    }
  }
}
