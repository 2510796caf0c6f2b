package dev.switchboard.backend.ollama;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * /api/generate lines → legacy {@code text_completion} stream events. {@code thinking} has no place in a
 * text completion and is left out (it is never mixed into the text).
 */
final class OllamaGenerateStreamTranslator extends OllamaStreamTranslator {

  OllamaGenerateStreamTranslator(Call call, ModelDeployment deployment) {
    super(call, deployment, "cmpl-", "text_completion");
  }

  @Override
  void delta(JsonObject line, Buffer into) {
    String text = line.getString("response");
    if (text != null && !text.isEmpty()) {
      event(into, new JsonArray().add(choice(text).putNull("finish_reason")), null);
    }
  }

  @Override
  JsonObject finalChoice(JsonObject doneLine) {
    return choice("").put("finish_reason", OllamaAnswers.finishReason(doneLine, false));
  }

  static JsonObject choice(String text) {
    return new JsonObject().put("index", 0).put("text", text).putNull("logprobs");
  }
}
