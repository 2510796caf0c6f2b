package dev.switchboard.backend.ollama;

import dev.switchboard.backend.ResponseTranslator;
import dev.switchboard.backend.TranslationSink;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A whole (non-streamed) Ollama answer, one JSON object, as one OpenAI body. Collects the body, then
 * lets the subclass translate it; a body that is not JSON, or an {@code {"error":...}} with status 200,
 * fails the call with Ollama's message.
 */
abstract class OllamaBodyTranslator implements ResponseTranslator {

  protected final ModelDeployment d;
  private final Buffer body = Buffer.buffer();

  OllamaBodyTranslator(ModelDeployment d) {
    this.d = d;
  }

  /** The OpenAI answer for Ollama's; reports usage to {@code out}. */
  abstract JsonObject translate(JsonObject answer, TranslationSink out);

  @Override
  public final void onData(Buffer chunk, TranslationSink out) {
    body.appendBuffer(chunk);
  }

  @Override
  public final void onEnd(TranslationSink out) {
    JsonObject answer;
    try {
      answer = new JsonObject(body);
    } catch (DecodeException | ClassCastException notJson) {
      out.fail(OllamaErrors.malformed(body.toString(), d));
      return;
    }
    String error = OllamaAnswers.error(answer);
    if (error != null) {
      out.fail(OllamaErrors.inBody(error, d));
      return;
    }
    out.emit(translate(answer, out).toBuffer());
  }
}
