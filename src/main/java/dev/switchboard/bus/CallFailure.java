package dev.switchboard.bus;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonObject;

/**
 * A call that ended with an error: the OpenAI error the client gets, and the call's accounting as far
 * as it goes (docs/event-bus.md, ERROR). {@code refused}: no backend took the call (no node acknowledged
 * it, or one turned it away): the accounting is then only {@code outcome}, {@code error_type} and
 * {@code unsent}.
 */
public final class CallFailure extends VertxException {

  private final OpenAiError error;
  private final JsonObject accounting;
  private final boolean refused;

  public CallFailure(OpenAiError error, JsonObject accounting, boolean refused) {
    super(error.message(), true);
    this.error = error;
    this.accounting = accounting == null ? new JsonObject() : accounting;
    this.refused = refused;
  }

  /** The failure {@code err} stands for: itself, or an internal error for anything else (a bug). */
  public static CallFailure of(Throwable err) {
    if (err instanceof CallFailure f) {
      return f;
    }
    OpenAiError error = err instanceof OpenAiError.Failure f ? f.error()
        : OpenAiError.internal("Internal error in Switchboard: " + err);
    return new CallFailure(error, new JsonObject().put("outcome", "error").put("error_type", error.type()), false);
  }

  public OpenAiError error() {
    return error;
  }

  /** Read-only: frames are shared; copy before changing. */
  public JsonObject accounting() {
    return accounting;
  }

  public boolean refused() {
    return refused;
  }
}
