package dev.switchboard.backend.ollama;

import dev.switchboard.backend.ResponseTranslator;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A whole (non-streamed) Ollama answer, one JSON object, as one OpenAI body. Collects the body, then
 * lets the subclass translate it; a body that is not JSON, or an {@code {"error":...}} with status 200,
 * fails the call with Ollama's message.
 */
abstract class OllamaBodyTranslator implements ResponseTranslator {

  protected final ModelDeployment deployment;
  private final Buffer body = Buffer.buffer();
  private OpenAiError failure;
  private Usage usage;

  OllamaBodyTranslator(ModelDeployment deployment) {
    this.deployment = deployment;
  }

  /** The OpenAI answer for Ollama's. */
  abstract JsonObject translate(JsonObject answer);

  /** Ollama's token counts, as the answer reports them. */
  abstract Usage usage(JsonObject answer);

  @Override
  public final Buffer translate(Buffer chunk) {
    body.appendBuffer(chunk);
    return Buffer.buffer();
  }

  @Override
  public final Buffer end() {
    JsonObject answer;
    try {
      answer = new JsonObject(body);
    } catch (DecodeException | ClassCastException notJson) {
      failure = OllamaErrors.malformed(body.toString(), deployment);
      return Buffer.buffer();
    }
    String error = OllamaAnswers.error(answer);
    if (error != null) {
      failure = OllamaErrors.inBody(error, deployment);
      return Buffer.buffer();
    }
    usage = usage(answer);
    return translate(answer).toBuffer();
  }

  @Override
  public final OpenAiError failure() {
    return failure;
  }

  @Override
  public final Usage usage() {
    return usage;
  }
}
