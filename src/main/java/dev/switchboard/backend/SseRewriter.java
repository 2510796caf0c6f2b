package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Passes an OpenAI-style SSE stream through, event by event, re-stamping each event's {@code model}
 * with the name the client asked for and noting the usage the backend reports. Upstream chunks may
 * split or merge events: complete events are forwarded as soon as their blank line arrives, the rest
 * waits for the next chunk. Nothing else in an event is touched.
 *
 * <p>A stream the backend ended cleanly without {@code data: [DONE]} gets one, as LiteLLM's proxy ends
 * every stream with it (some clients wait for it; llama.cpp's server left it out in some versions).
 *
 * <p>An error event the backend sends ({@code data: {"error": {...}}}, llama.cpp's shape has a numeric
 * {@code code} and no {@code param}) ends the call as a failure: the client gets it in the one shape
 * of Switchboard's own errors ({@code code} a string, {@code param} present, the backend's message kept
 * and worded as for an HTTP error), and no {@code [DONE]}, as LiteLLM ends such a stream.
 */
final class SseRewriter implements ResponseTranslator {

  private static final byte[] MODEL_KEY = "\"model\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ERROR_KEY = "\"error\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
  static final String DONE_EVENT = "data: [DONE]\n\n";

  private final byte[] clientModel;
  private byte[] pending = new byte[0];
  /** What the last event said: [DONE], an error, or something else (or nothing yet). */
  private boolean lastWasDone;
  private boolean lastWasError;
  /** An error event ended the call: nothing more goes to the client. */
  private boolean failed;

  SseRewriter(String clientModelName) {
    this.clientModel = JsonBytes.quoted(clientModelName);
  }

  @Override
  public void onData(Buffer chunk, TranslationSink out) {
    if (failed) {
      return;
    }
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
      int mark = emitted.length();
      rewrite(b, start, end, emitted, out);
      if (failed(b, start, end, emitted.getBuffer(0, mark), out)) {
        return;
      }
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
    if (failed) {
      return;
    }
    Buffer rest = Buffer.buffer(pending.length + 32);
    if (pending.length > 0) {
      boolean whitespaceOnly = isBlank(pending, 0, pending.length);
      rewrite(pending, 0, pending.length, rest, out);
      if (failed(pending, 0, pending.length, Buffer.buffer(), out)) {
        return;
      }
      if (!whitespaceOnly) {
        // An event still pending has no blank line (else it would have gone): end it, so that it is
        // delivered and [DONE] does not join it.
        rest.appendString(pending[pending.length - 1] == '\n' ? "\n" : "\n\n");
      }
      pending = new byte[0];
    }
    if (!lastWasDone && !lastWasError) {
      rest.appendString(DONE_EVENT);
    }
    if (rest.length() > 0) {
      out.emit(rest);
    }
  }

  /**
   * If the event {@code b[from, to)} is an error event, sends {@code before} (the events ahead of it)
   * and ends the call with the backend's error instead; true then. An error event that is not JSON
   * goes through as it came.
   */
  private boolean failed(byte[] b, int from, int to, Buffer before, TranslationSink out) {
    if (!lastWasError) {
      return false;
    }
    JsonObject event = dataOf(b, from, to);
    if (event == null || event.getValue("error") == null || event.containsKey("choices")) {
      return false;
    }
    failed = true;
    pending = new byte[0];
    if (before.length() > 0) {
      out.emit(before);
    }
    Object code = event.getValue("error") instanceof JsonObject e ? e.getValue("code") : null;
    int status = 500;
    try {
      int c = code instanceof Number n ? n.intValue() : code instanceof String s ? Integer.parseInt(s.trim()) : 500;
      status = c >= 400 && c <= 599 ? c : 500;
    } catch (NumberFormatException notAStatus) {
      // e.g. "context_length_exceeded": not an HTTP status, the backend failed
    }
    out.fail(UpstreamErrors.fromOpenAi(status, Buffer.buffer(event.encode()), "OpenAI"));
    return true;
  }

  /** The JSON of an event's {@code data:} lines, or null when it has none or it is not a JSON object. */
  private static JsonObject dataOf(byte[] b, int from, int to) {
    StringBuilder data = new StringBuilder();
    for (String line : new String(b, from, to - from, StandardCharsets.UTF_8).split("\r?\n")) {
      if (line.startsWith("data:")) {
        data.append(line.substring(5).trim());
      }
    }
    try {
      return data.length() == 0 ? null : new JsonObject(data.toString());
    } catch (RuntimeException notJson) {
      return null;
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
    if (!isBlank(b, from, to)) {
      lastWasDone = isDone(b, from, to);
      lastWasError = !lastWasDone && JsonBytes.valueOf(b, from, to, ERROR_KEY) >= 0;
    }
    noteUsage(b, from, to, out);
    int value = JsonBytes.valueOf(b, from, to, MODEL_KEY);
    int valueEnd = value >= 0 && value < to && b[value] == '"' ? JsonBytes.endOfString(b, value, to) : -1;
    if (valueEnd < 0) {
      into.appendBytes(b, from, to - from);
      return;
    }
    into.appendBytes(b, from, value - from).appendBytes(clientModel).appendBytes(b, valueEnd, to - valueEnd);
  }

  /** {@code data: [DONE]} or {@code data:[DONE]}, whatever whitespace is around it. */
  private static boolean isDone(byte[] b, int from, int to) {
    int i = JsonBytes.skipSpace(b, from, to);
    if (to - i < 5 || b[i] != 'd' || b[i + 1] != 'a' || b[i + 2] != 't' || b[i + 3] != 'a' || b[i + 4] != ':') {
      return false;
    }
    i = JsonBytes.skipSpace(b, i + 5, to);
    if (to - i < DONE.length || !java.util.Arrays.equals(b, i, i + DONE.length, DONE, 0, DONE.length)) {
      return false;
    }
    return isBlank(b, i + DONE.length, to);
  }

  private static boolean isBlank(byte[] b, int from, int to) {
    return JsonBytes.skipSpace(b, from, to) == to;
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
