package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * The answer of a backend that speaks OpenAI's Responses API itself (llama-server, vLLM, Ollama's /v1),
 * passed through: a Response object, or its events forwarded whole as they complete, with the response's
 * {@code model} re-stamped with the client's name (in the events that carry the response: created,
 * in_progress, completed, incomplete, failed) and the usage noted for the metrics. Every other byte is
 * the backend's.
 */
final class ResponsesPassThrough implements ResponseTranslator {

  private final String clientModel;
  private final boolean stream;
  private Buffer pending = Buffer.buffer();
  private long inputTokens = -1;
  private long outputTokens = -1;

  ResponsesPassThrough(String clientModel, boolean stream) {
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
      out.emit(response(pending));
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

  /** One event: one that carries the response gets the client's model name, and gives the usage. */
  private Buffer event(Buffer event) {
    String text = event.toString(StandardCharsets.UTF_8);
    int data = text.indexOf("data:");
    if (data < 0 || !text.contains("\"response\"")) {
      return event; // deltas and item events, the bulk of a stream, are not parsed
    }
    int lineEnd = text.indexOf('\n', data);
    String json = text.substring(data + 5, lineEnd < 0 ? text.length() : lineEnd).trim();
    JsonObject parsed;
    try {
      parsed = new JsonObject(json);
    } catch (RuntimeException notJson) {
      return event;
    }
    if (!(parsed.getValue("response") instanceof JsonObject response)) {
      return event;
    }
    restamp(response);
    return Buffer.buffer(text.substring(0, data) + "data: " + parsed.encode()
        + (lineEnd < 0 ? "" : text.substring(lineEnd)));
  }

  private Buffer response(Buffer body) {
    try {
      JsonObject response = new JsonObject(body);
      restamp(response);
      return response.toBuffer();
    } catch (RuntimeException notAResponse) {
      return body;
    }
  }

  private void restamp(JsonObject response) {
    if (response.containsKey("model")) {
      response.put("model", clientModel);
    }
    if (response.getValue("usage") instanceof JsonObject u) {
      if (u.getValue("input_tokens") instanceof Number n) {
        inputTokens = n.longValue();
      }
      if (u.getValue("output_tokens") instanceof Number n) {
        outputTokens = n.longValue();
      }
    }
  }
}
