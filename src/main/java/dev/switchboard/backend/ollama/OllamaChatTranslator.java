package dev.switchboard.backend.ollama;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A whole /api/chat answer as a {@code chat.completion}: content, {@code thinking} as
 * {@code reasoning_content}, tool calls with generated ids and string arguments, finish_reason
 * {@code tool_calls} whenever tool calls came back (LiteLLM says {@code stop}), usage from Ollama's counts.
 */
final class OllamaChatTranslator extends OllamaBodyTranslator {

  private final String clientModel;

  OllamaChatTranslator(Call call, ModelDeployment deployment) {
    super(deployment);
    this.clientModel = call.modelName();
  }

  @Override
  JsonObject translate(JsonObject answer) {
    JsonObject m = answer.getValue("message") instanceof JsonObject j ? j : new JsonObject();
    JsonObject message = new JsonObject().put("role", "assistant");
    String content = m.getString("content", "");
    JsonArray calls = m.getValue("tool_calls") instanceof JsonArray c && !c.isEmpty() ? c : null;
    message.put("content", calls != null && content.isEmpty() ? null : content);
    String thinking = m.getString("thinking");
    if (thinking != null && !thinking.isEmpty()) {
      message.put("reasoning_content", thinking);
    }
    if (calls != null) {
      message.put("tool_calls", OllamaAnswers.toolCalls(calls, 0, false));
    }
    return new JsonObject().put("id", OllamaAnswers.id("chatcmpl-")).put("object", "chat.completion")
        .put("created", OllamaAnswers.created(answer)).put("model", clientModel)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
            .put("finish_reason", OllamaAnswers.finishReason(answer, calls != null))))
        .put("usage", OllamaAnswers.usage(answer));
  }

  @Override
  Usage usage(JsonObject answer) {
    return new Usage(OllamaAnswers.promptTokens(answer), OllamaAnswers.completionTokens(answer));
  }
}
