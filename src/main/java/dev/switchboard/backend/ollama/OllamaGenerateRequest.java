package dev.switchboard.backend.ollama;

import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A legacy {@code /v1/completions} request as the body of Ollama's {@code POST /api/generate}: the prompt
 * goes as it is (one string, or a list of one string), {@code suffix} passes through, and the options
 * map as for chat. What /api/generate cannot do is refused rather than answered wrongly: several
 * prompts, token-id prompts, {@code echo}, {@code n} above 1.
 */
final class OllamaGenerateRequest {

  private OllamaGenerateRequest() {
  }

  static JsonObject of(JsonObject req, ModelDeployment deployment, boolean stream) {
    JsonObject body = new JsonObject().put("model", deployment.backendModel())
        .put("prompt", prompt(req.getValue("prompt")))
        .put("stream", stream);
    if (req.getValue("suffix") instanceof String suffix) {
      body.put("suffix", suffix);
    }
    for (String native_ : new String[] {"system", "raw", "images"}) {
      if (req.getValue(native_) != null) {
        body.put(native_, req.getValue(native_));
      }
    }
    if (Boolean.TRUE.equals(req.getValue("echo"))) {
      throw OllamaOptions.bad("echo: Ollama's /api/generate cannot echo the prompt", "echo");
    }
    OllamaOptions.apply(req, deployment, body);
    return body;
  }

  private static String prompt(Object prompt) {
    if (prompt instanceof String s) {
      return s;
    }
    if (prompt instanceof JsonArray list && list.size() == 1 && list.getValue(0) instanceof String s) {
      return s;
    }
    throw OllamaOptions.bad("prompt: Ollama's /api/generate takes one prompt string (or a list of one string); "
        + "send several prompts as several requests", "prompt");
  }
}
