package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Passes an OpenAI-style SSE stream through, event by event, re-stamping each event's {@code model}
 * with the name the client asked for and noting the usage the backend reports. Upstream chunks may
 * split or merge events: complete events are forwarded as soon as their blank line arrives, the rest
 * waits for the next chunk. Nothing else in an event is touched.
 */
final class SseRewriter implements ResponseTranslator {

  private static final byte[] MODEL_KEY = "\"model\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

  private final byte[] clientModel;
  private byte[] pending = new byte[0];

  SseRewriter(String clientModelName) {
    this.clientModel = JsonBytes.quoted(clientModelName);
  }

  @Override
  public void onData(Buffer chunk, TranslationSink out) {
    byte[] b = concat(pending, chunk.getBytes());
    Buffer emitted = null;
    int start = 0;
    for (int i = 0; i < b.length; i++) {
      int end = eventEnd(b, i);
      if (end < 0) {
        continue;
      }
      if (emitted == null) {
        emitted = Buffer.buffer(b.length + 32);
      }
      rewrite(b, start, end, emitted, out);
      start = end;
      i = end - 1;
    }
    pending = start == 0 ? b : java.util.Arrays.copyOfRange(b, start, b.length);
    if (emitted != null) {
      out.emit(emitted);
    }
  }

  @Override
  public void onEnd(TranslationSink out) {
    if (pending.length > 0) {
      Buffer rest = Buffer.buffer(pending.length + 32);
      rewrite(pending, 0, pending.length, rest, out);
      pending = new byte[0];
      out.emit(rest);
    }
  }

  /** If an event ends at {@code i} (a blank line: LF LF or CR LF CR LF), the index past it; else -1. */
  private static int eventEnd(byte[] b, int i) {
    if (b[i] != '\n') {
      return -1;
    }
    if (i + 1 < b.length && b[i + 1] == '\n') {
      return i + 2;
    }
    if (i + 2 < b.length && b[i + 1] == '\r' && b[i + 2] == '\n') {
      return i + 3;
    }
    return -1;
  }

  private void rewrite(byte[] b, int from, int to, Buffer into, TranslationSink out) {
    noteUsage(b, from, to, out);
    int value = JsonBytes.valueOf(b, from, to, MODEL_KEY);
    int valueEnd = value >= 0 && value < to && b[value] == '"' ? JsonBytes.endOfString(b, value, to) : -1;
    if (valueEnd < 0) {
      into.appendBytes(b, from, to - from);
      return;
    }
    into.appendBytes(b, from, value - from).appendBytes(clientModel).appendBytes(b, valueEnd, to - valueEnd);
  }

  /** Usage comes in one event near the end (when asked for); only that event is parsed. */
  private static void noteUsage(byte[] b, int from, int to, TranslationSink out) {
    int value = JsonBytes.valueOf(b, from, to, USAGE_KEY);
    if (value < 0 || value >= to || b[value] != '{') {
      return;
    }
    String event = new String(b, from, to - from, StandardCharsets.UTF_8).trim();
    int brace = event.indexOf('{');
    if (!event.startsWith("data:") || brace < 0) {
      return;
    }
    try {
      JsonObject usage = new JsonObject(event.substring(brace)).getJsonObject("usage");
      out.usage(usage.getLong("prompt_tokens", 0L), usage.getLong("completion_tokens", 0L));
    } catch (RuntimeException notJson) {
      // Not our business to fail a stream over accounting; the client gets the event as it was.
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0) {
      return b;
    }
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
