package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * For a non-streamed answer: collects the body, re-stamps its top-level {@code model} with the
 * client's name and notes the usage. Works on the bytes, like {@link SseRewriter}: the body is not
 * parsed and re-encoded (that cost grows with the answer), only the small {@code usage} object is
 * parsed. A body that is not a JSON object goes through unchanged.
 */
final class JsonBodyRewriter implements ResponseTranslator {

  private static final byte[] MODEL_KEY = "\"model\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);

  private final byte[] clientModel;
  private final Buffer body = Buffer.buffer();
  private Usage usage;

  JsonBodyRewriter(String clientModelName) {
    this.clientModel = JsonBytes.quoted(clientModelName);
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
    byte[] b = body.getBytes();
    noteUsage(b);
    int value = JsonBytes.topLevelValueOf(b, 0, b.length, MODEL_KEY);
    int valueEnd = value < 0 ? -1 : JsonBytes.endOfValue(b, value, b.length);
    if (valueEnd < 0) {
      return body;
    }
    return Buffer.buffer(b.length + clientModel.length)
        .appendBytes(b, 0, value).appendBytes(clientModel).appendBytes(b, valueEnd, b.length - valueEnd);
  }

  private void noteUsage(byte[] b) {
    int value = JsonBytes.topLevelValueOf(b, 0, b.length, USAGE_KEY);
    if (value < 0 || b[value] != '{') {
      return;
    }
    int end = JsonBytes.endOfValue(b, value, b.length);
    if (end < 0) {
      return;
    }
    try {
      usage = usage(new JsonObject(Buffer.buffer(Arrays.copyOfRange(b, value, end))));
    } catch (DecodeException notJson) {
      // Not our business to fail an answer over accounting; the client gets the body as it was.
    }
  }

  /** An OpenAI {@code usage} object's token counts, for the accounting (JsonAnswerAsStream's too). */
  static Usage usage(JsonObject usage) {
    return new Usage(count(usage, "prompt_tokens"), count(usage, "completion_tokens"));
  }

  /** A token count as the backend reported it; anything but a number counts as unknown (0). */
  private static long count(JsonObject usage, String key) {
    return usage.getValue(key) instanceof Number n ? n.longValue() : 0L;
  }
}
