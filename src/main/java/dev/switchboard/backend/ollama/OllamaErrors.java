package dev.switchboard.backend.ollama;

import dev.switchboard.backend.UpstreamErrors;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;

import java.util.Locale;

/**
 * Ollama's errors ({@code {"error":"..."}} with a status, or such a line inside a 200 stream) as OpenAI
 * errors. Ollama's own message is kept, worded like LiteLLM's ({@code litellm.NotFoundError:
 * OllamaException - ...}), and followed by what to do when the cause is a common one. LiteLLM turns a
 * missing model into a 500 {@code APIConnectionError}; here it stays a 404 that says to pull the model.
 */
final class OllamaErrors {

  private static final int MAX_LINE = 200;

  private OllamaErrors() {
  }

  /** A non-2xx answer. */
  static OpenAiError fromStatus(int status, Buffer body, ModelDeployment deployment) {
    return of(status, UpstreamErrors.messageOf(body), deployment);
  }

  /** An {@code {"error":...}} object where an answer was expected (a 200 body or a stream line). */
  static OpenAiError inBody(String message, ModelDeployment deployment) {
    return of(notFound(message) ? 404 : 500, message, deployment);
  }

  /** A line or body that is not what Ollama writes. */
  static OpenAiError malformed(String what, ModelDeployment deployment) {
    String shown = what.length() > MAX_LINE ? what.substring(0, MAX_LINE) + "…" : what;
    return new OpenAiError(502, "litellm.APIConnectionError: OllamaException - Got unexpected response from Ollama at "
        + deployment.shownApiBase() + " for model=" + deployment.modelName() + ": " + shown,
        "internal_server_error", null);
  }

  private static OpenAiError of(int status, String message, ModelDeployment deployment) {
    String text = "litellm." + UpstreamErrors.litellmClass(status) + ": OllamaException - " + message
        + hint(status, message, deployment);
    return new OpenAiError(status, text, UpstreamErrors.typeFor(status), null);
  }

  private static String hint(int status, String message, ModelDeployment deployment) {
    String m = message.toLowerCase(Locale.ROOT);
    if (notFound(message) || status == 404 && m.contains("model")) {
      return ". The model is not on the Ollama server at " + deployment.shownApiBase() + ": pull it first: ollama pull "
          + deployment.backendModel();
    }
    if (m.contains("does not support tools")) {
      return ". This model's template has no tool support: use a tool-capable model (e.g. qwen3, llama3.1) "
          + "or send the request without tools";
    }
    if (m.contains("does not support thinking")) {
      return ". This model cannot think: send the request without reasoning_effort / think";
    }
    return "";
  }

  private static boolean notFound(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("model") && m.contains("not found");
  }
}
