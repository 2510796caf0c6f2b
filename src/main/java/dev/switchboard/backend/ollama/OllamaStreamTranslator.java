package dev.switchboard.backend.ollama;

import dev.switchboard.backend.ResponseTranslator;
import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Ollama's NDJSON stream (one JSON object a line, the last with {@code "done": true}) as OpenAI's SSE
 * events. What every such stream shares lives here; subclasses say what one line's delta and the last
 * choice look like.
 *
 * <p>Each upstream chunk gives the events of every line the chunk completed; a partial line waits for its end, a complete one never waits. The {@code done} line gives
 * the {@code finish_reason} chunk, a usage chunk ({@code choices: []}) when the client asked for
 * {@code stream_options.include_usage}, and {@code data: [DONE]}. A line that is not JSON, an
 * {@code {"error":...}} line, or a body that ends before {@code done} ends the stream with an error
 * event: never a hang and never a silent truncation.
 */
abstract class OllamaStreamTranslator implements ResponseTranslator {

  protected final ModelDeployment deployment;
  private final NdjsonLines lines = new NdjsonLines();
  private final String id;
  private final String object;
  private final String clientModel;
  private final boolean includeUsage;
  private long created = -1;
  private boolean over;
  private OpenAiError failure;
  private Usage usage;

  OllamaStreamTranslator(Call call, ModelDeployment deployment, String idPrefix, String object) {
    this.deployment = deployment;
    this.id = OllamaAnswers.id(idPrefix);
    this.object = object;
    this.clientModel = call.modelName();
    this.includeUsage = call.body().get("stream_options") instanceof JsonObject o
        && Boolean.TRUE.equals(o.getValue("include_usage"));
  }

  /** Appends the events for what a line carries (content, thinking, tool calls); the done line too. */
  abstract void delta(JsonObject line, Buffer into);

  /** The last choice, with its {@code finish_reason}. */
  abstract JsonObject finalChoice(JsonObject doneLine);

  @Override
  public final Buffer translate(Buffer chunk) {
    Buffer into = Buffer.buffer();
    if (over) {
      return into;
    }
    for (String line : lines.feed(chunk)) {
      if (!line(line, into)) {
        break;
      }
    }
    return into;
  }

  @Override
  public final Buffer end() {
    Buffer into = Buffer.buffer();
    if (over) {
      return into;
    }
    String last = lines.rest();
    if (last != null && !line(last, into)) {
      return into;
    }
    if (!over) {
      fail(OllamaErrors.malformed("the stream ended before its \"done\": true line", deployment));
    }
    return into;
  }

  @Override
  public final OpenAiError failure() {
    return failure;
  }

  @Override
  public final Usage usage() {
    return usage;
  }

  /** Handles one line; false when it ended the stream with an error (the events before it stand). */
  private boolean line(String text, Buffer into) {
    if (over) {
      return true;
    }
    JsonObject line;
    try {
      line = new JsonObject(text);
    } catch (DecodeException | ClassCastException notJson) {
      fail(OllamaErrors.malformed(text, deployment));
      return false;
    }
    String error = OllamaAnswers.error(line);
    if (error != null) {
      fail(OllamaErrors.inBody(error, deployment));
      return false;
    }
    if (created < 0) {
      created = OllamaAnswers.created(line);
    }
    delta(line, into);
    if (Boolean.TRUE.equals(line.getValue("done"))) {
      over = true;
      event(into, new JsonArray().add(finalChoice(line)), null);
      usage = new Usage(OllamaAnswers.promptTokens(line), OllamaAnswers.completionTokens(line));
      if (includeUsage) {
        event(into, new JsonArray(), OllamaAnswers.usage(line));
      }
      into.appendString("data: [DONE]\n\n");
    }
    return true;
  }

  /** Appends one {@code data:} event with these choices (and usage, for the usage chunk). */
  final void event(Buffer into, JsonArray choices, JsonObject usage) {
    JsonObject e = new JsonObject().put("id", id).put("object", object).put("created", created)
        .put("model", clientModel).put("choices", choices);
    if (usage != null) {
      e.put("usage", usage);
    }
    into.appendString("data: ").appendBuffer(e.toBuffer()).appendString("\n\n");
  }

  private void fail(OpenAiError error) {
    over = true;
    failure = error;
  }
}
