package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * What a native front-door backend's answer (Anthropic Messages, OpenAI Responses) needs on its way
 * through: a whole body, or SSE events forwarded whole as they complete; a subclass re-stamps the
 * client's model name where its API carries it and notes the usage ({@code input_tokens},
 * {@code output_tokens}) for the metrics. Every other byte is the backend's.
 */
abstract class EventPassThrough implements ResponseTranslator {

  protected final String clientModel;
  private final boolean stream;
  private final SseEvents events = new SseEvents();
  private final Buffer body = Buffer.buffer();
  private long inputTokens = -1;
  private long outputTokens = -1;

  EventPassThrough(String clientModel, boolean stream) {
    this.clientModel = clientModel;
    this.stream = stream;
  }

  /** One whole event as the client gets it. */
  protected abstract Buffer event(Buffer event);

  /** A whole non-streamed body as the client gets it. */
  protected abstract Buffer body(Buffer body);

  @Override
  public Buffer translate(Buffer chunk) {
    if (!stream) {
      body.appendBuffer(chunk);
      return Buffer.buffer();
    }
    Buffer out = Buffer.buffer(chunk.length());
    for (Buffer e : events.feed(chunk)) {
      out.appendBuffer(event(e));
    }
    return out;
  }

  @Override
  public Buffer end() {
    if (!stream) {
      return body(body);
    }
    Buffer rest = events.rest();
    return rest.length() > 0 ? event(rest) : rest; // a last event without its blank line
  }

  @Override
  public Usage usage() {
    return inputTokens >= 0 || outputTokens >= 0 ? new Usage(Math.max(0, inputTokens), Math.max(0, outputTokens))
        : null;
  }

  /**
   * The event's data line parsed, for an event that {@code mentions} names (the others, the bulk of a
   * stream, are never parsed); null when it has none or it is not JSON.
   */
  protected static Data data(Buffer event, String mentions) {
    String text = event.toString(StandardCharsets.UTF_8);
    int data = text.indexOf("data:");
    if (data < 0 || !text.contains(mentions)) {
      return null;
    }
    int lineEnd = text.indexOf('\n', data);
    try {
      return new Data(text, data, lineEnd, new JsonObject(text.substring(data + 5,
          lineEnd < 0 ? text.length() : lineEnd).trim()));
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  /** An event's text, where its data line is, and that line's JSON (edit it, then {@link #encoded}). */
  protected record Data(String text, int start, int lineEnd, JsonObject json) {
    /** The event with its data line re-encoded from {@code json}. */
    Buffer encoded() {
      return Buffer.buffer(text.substring(0, start) + "data: " + json.encode()
          + (lineEnd < 0 ? "" : text.substring(lineEnd)));
    }
  }

  /** Notes {@code input_tokens} and {@code output_tokens} from a usage object, if it is one. */
  protected void noteUsage(Object usage) {
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
