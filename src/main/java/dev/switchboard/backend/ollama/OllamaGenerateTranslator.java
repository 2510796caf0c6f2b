package dev.switchboard.backend.ollama;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A whole /api/generate answer as a legacy {@code text_completion}. */
final class OllamaGenerateTranslator extends OllamaBodyTranslator {

  private final String clientModel;

  OllamaGenerateTranslator(Call call, ModelDeployment deployment) {
    super(deployment);
    this.clientModel = call.modelName();
  }

  @Override
  JsonObject translate(JsonObject answer) {
    JsonObject choice = OllamaGenerateStreamTranslator.choice(answer.getString("response", ""))
        .put("finish_reason", OllamaAnswers.finishReason(answer, false));
    return new JsonObject().put("id", OllamaAnswers.id("cmpl-")).put("object", "text_completion")
        .put("created", OllamaAnswers.created(answer)).put("model", clientModel)
        .put("choices", new JsonArray().add(choice))
        .put("usage", OllamaAnswers.usage(answer));
  }

  @Override
  Usage usage(JsonObject answer) {
    return new Usage(OllamaAnswers.promptTokens(answer), OllamaAnswers.completionTokens(answer));
  }
}
