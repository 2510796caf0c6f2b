package dev.switchboard.backend.ollama;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * {@code /v1/embeddings} on Ollama's {@code POST /api/embed}: the request (input a string or a list of
 * strings; {@code dimensions}, {@code truncate}, {@code keep_alive}, {@code options} pass through) and the
 * answer, OpenAI's list with usage from {@code prompt_eval_count}. {@code encoding_format: "base64"} is
 * honoured as OpenAI does it: the base64 of the vector as little-endian float32.
 */
final class OllamaEmbed extends OllamaBodyTranslator {

  private final String clientModel;
  private final boolean base64;

  OllamaEmbed(Call call, ModelDeployment deployment) {
    super(deployment);
    this.clientModel = call.modelName();
    this.base64 = "base64".equals(call.body().get("encoding_format"));
  }

  static JsonObject request(JsonObject req, ModelDeployment deployment) {
    Object input = req.getValue("input");
    boolean strings = input instanceof String
        || input instanceof JsonArray list && !list.isEmpty() && list.stream().allMatch(String.class::isInstance);
    if (!strings) {
      throw OllamaOptions.bad("input: Ollama's /api/embed takes a string or a non-empty list of strings "
          + "(token ids are not supported)", "input");
    }
    Object format = req.getValue("encoding_format");
    if (format != null && !"float".equals(format) && !"base64".equals(format)) {
      throw OllamaOptions.bad("encoding_format: must be float or base64, got " + format, "encoding_format");
    }
    JsonObject body = new JsonObject().put("model", deployment.backendModel()).put("input", input);
    for (JsonObject layer : new JsonObject[] {deployment.litellmParams(), req}) {
      for (String key : new String[] {"dimensions", "truncate", "keep_alive", "options"}) {
        if (layer.getValue(key) != null) {
          body.put(key, layer.getValue(key));
        }
      }
    }
    return body;
  }

  @Override
  JsonObject translate(JsonObject answer) {
    JsonArray embeddings = answer.getValue("embeddings") instanceof JsonArray e ? e : new JsonArray();
    JsonArray data = new JsonArray();
    for (int i = 0; i < embeddings.size(); i++) {
      JsonArray vector = embeddings.getJsonArray(i);
      data.add(new JsonObject().put("object", "embedding").put("index", i)
          .put("embedding", base64 ? encode(vector) : vector));
    }
    long prompt = OllamaAnswers.promptTokens(answer);
    return new JsonObject().put("object", "list").put("data", data).put("model", clientModel)
        .put("usage", new JsonObject().put("prompt_tokens", prompt).put("total_tokens", prompt));
  }

  @Override
  Usage usage(JsonObject answer) {
    return new Usage(OllamaAnswers.promptTokens(answer), 0);
  }

  private static String encode(JsonArray vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < vector.size(); i++) {
      bytes.putFloat(((Number) vector.getValue(i)).floatValue());
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
