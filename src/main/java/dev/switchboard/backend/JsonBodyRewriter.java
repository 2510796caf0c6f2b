package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * For a non-streamed answer: collects the body, re-stamps {@code model} with the client's name and
 * notes the usage. A body that is not a JSON object goes through unchanged.
 */
final class JsonBodyRewriter implements ResponseTranslator {

  private final String clientModel;
  private final Buffer body = Buffer.buffer();

  JsonBodyRewriter(String clientModelName) {
    this.clientModel = clientModelName;
  }

  @Override
  public void onData(Buffer chunk, TranslationSink out) {
    body.appendBuffer(chunk);
  }

  @Override
  public void onEnd(TranslationSink out) {
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException notAnObject) {
      out.emit(body);
      return;
    }
    if (json.containsKey("model")) {
      json.put("model", clientModel);
    }
    JsonObject usage = json.getValue("usage") instanceof JsonObject u ? u : null;
    if (usage != null) {
      out.usage(count(usage, "prompt_tokens"), count(usage, "completion_tokens"));
    }
    out.emit(json.toBuffer());
  }

  /** A token count as the backend reported it; anything but a number counts as unknown (0). */
  private static long count(JsonObject usage, String key) {
    return usage.getValue(key) instanceof Number n ? n.longValue() : 0L;
  }
}
