package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Passes an OpenAI-style SSE stream through, event by event, re-stamping each event's {@code model}
 * with the name the client asked for and noting the usage the backend reports. Upstream chunks may
 * split or merge events ({@link SseEvents} cuts them): complete events are forwarded as soon as their
 * blank line arrives, the rest waits for the next chunk. Nothing else in an event is touched.
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
  private final SseEvents events = new SseEvents();
  /** What the last event said: [DONE], an error, or something else (or nothing yet). */
  private boolean lastWasDone;
  private boolean lastWasError;
  /** An error event ended the call: nothing more goes to the client. */
  private OpenAiError failure;
  private Usage usage;

  SseRewriter(String clientModelName) {
    this.clientModel = JsonBytes.quoted(clientModelName);
  }

  @Override
  public Buffer translate(Buffer chunk) {
    Buffer out = Buffer.buffer(chunk.length() + 32);
    if (failure != null) {
      return out;
    }
    for (Buffer event : events.feed(chunk)) {
      byte[] b = event.getBytes();
      int mark = out.length();
      rewrite(b, 0, b.length, out);
      if (failed(b, 0, b.length)) {
        return out.getBuffer(0, mark); // the events ahead of the error go out; the error ends the call
      }
    }
    return out;
  }

  @Override
  public Buffer end() {
    Buffer rest = Buffer.buffer(64);
    if (failure != null) {
      return rest;
    }
    byte[] pending = events.rest().getBytes();
    if (pending.length > 0) {
      boolean whitespaceOnly = isBlank(pending, 0, pending.length);
      rewrite(pending, 0, pending.length, rest);
      if (failed(pending, 0, pending.length)) {
        return Buffer.buffer();
      }
      if (!whitespaceOnly) {
        // An event still pending has no blank line (else it would have gone): end it, so that it is
        // delivered and [DONE] does not join it.
        rest.appendString(pending[pending.length - 1] == '\n' ? "\n" : "\n\n");
      }
    }
    if (!lastWasDone && !lastWasError) {
      rest.appendString(DONE_EVENT);
    }
    return rest;
  }

  @Override
  public OpenAiError failure() {
    return failure;
  }

  @Override
  public Usage usage() {
    return usage;
  }

  /**
   * If the event {@code b[from, to)} is an error event, the call ends with the backend's error instead
   * (the events ahead of it go out); true then. An error event that is not JSON goes through as it came.
   */
  private boolean failed(byte[] b, int from, int to) {
    if (!lastWasError) {
      return false;
    }
    JsonObject event = dataOf(b, from, to);
    if (event == null || event.getValue("error") == null || event.containsKey("choices")) {
      return false;
    }
    Object code = event.getValue("error") instanceof JsonObject e ? e.getValue("code") : null;
    int status = 500;
    try {
      int c = code instanceof Number n ? n.intValue() : code instanceof String s ? Integer.parseInt(s.trim()) : 500;
      status = c >= 400 && c <= 599 ? c : 500;
    } catch (NumberFormatException notAStatus) {
      // e.g. "context_length_exceeded": not an HTTP status, the backend failed
    }
    failure = UpstreamErrors.fromOpenAi(status, Buffer.buffer(event.encode()), "OpenAI");
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

  private void rewrite(byte[] b, int from, int to, Buffer into) {
    if (!isBlank(b, from, to)) {
      lastWasDone = isDone(b, from, to);
      lastWasError = !lastWasDone && JsonBytes.valueOf(b, from, to, ERROR_KEY) >= 0;
    }
    noteUsage(b, from, to);
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
    if (to - i < DONE.length || !Arrays.equals(b, i, i + DONE.length, DONE, 0, DONE.length)) {
      return false;
    }
    return isBlank(b, i + DONE.length, to);
  }

  private static boolean isBlank(byte[] b, int from, int to) {
    return JsonBytes.skipSpace(b, from, to) == to;
  }

  /** Usage comes in one event near the end (when asked for); only that event is parsed. */
  private void noteUsage(byte[] b, int from, int to) {
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
      JsonObject json = new JsonObject(event.substring(brace)).getJsonObject("usage");
      usage = new Usage(usage(json, "prompt_tokens"), usage(json, "completion_tokens"));
    } catch (RuntimeException notJson) {
      // Not our business to fail a stream over accounting; the client gets the event as it was.
    }
  }

  private static long usage(JsonObject usage, String key) {
    return usage.getLong(key, 0L);
  }
}
