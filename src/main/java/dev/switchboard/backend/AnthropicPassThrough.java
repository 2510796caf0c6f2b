package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The answer of a backend that speaks Anthropic's Messages API itself (llama-server, vLLM, ...), passed
 * through: a message, or its events, with {@code model} re-stamped with the client's name (in
 * {@code message_start} for a stream) and the usage noted from it and {@code message_delta}.
 */
final class AnthropicPassThrough extends EventPassThrough {

  AnthropicPassThrough(String clientModel, boolean stream) {
    super(clientModel, stream);
  }

  @Override
  protected Buffer event(Buffer event) {
    Data d = data(event, "\"message_");
    if (d == null) {
      return event;
    }
    if (d.json().getValue("message") instanceof JsonObject message) {
      noteUsage(message.getValue("usage"));
      message.put("model", clientModel);
      return d.encoded();
    }
    noteUsage(d.json().getValue("usage"));
    return event;
  }

  @Override
  protected Buffer body(Buffer body) {
    try {
      JsonObject message = new JsonObject(body);
      noteUsage(message.getValue("usage"));
      if (!message.containsKey("model")) {
        return body; // a token count, or an error: nothing to re-stamp
      }
      return message.put("model", clientModel).toBuffer();
    } catch (RuntimeException notAMessage) {
      return body;
    }
  }
}
