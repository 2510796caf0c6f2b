package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The answer of a backend that speaks OpenAI's Responses API itself (llama-server, vLLM, Ollama's /v1),
 * passed through: a Response object, or its events, with the response's {@code model} re-stamped with
 * the client's name (in the events that carry the response: created, in_progress, completed,
 * incomplete, failed) and the usage noted for the metrics.
 */
final class ResponsesPassThrough extends EventPassThrough {

  ResponsesPassThrough(String clientModel, boolean stream) {
    super(clientModel, stream);
  }

  @Override
  protected Buffer event(Buffer event) {
    Data d = data(event, "\"response\"");
    if (d == null || !(d.json().getValue("response") instanceof JsonObject response)) {
      return event; // deltas and item events, the bulk of a stream, are not parsed
    }
    restamp(response);
    return d.encoded();
  }

  @Override
  protected Buffer body(Buffer body) {
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
    noteUsage(response.getValue("usage"));
  }
}
