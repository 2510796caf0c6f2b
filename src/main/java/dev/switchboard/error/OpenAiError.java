package dev.switchboard.error;

import io.vertx.core.json.JsonObject;

/**
 * A failure as a value: an HTTP status and the error object OpenAI clients expect,
 * {@code {"error":{"message","type","param","code"}}}, where {@code code} is the status as a string
 * (LiteLLM's convention, which the OpenAI SDKs accept). Mapped to a response at one edge, the API verticle.
 */
public record OpenAiError(int status, String message, String type, String param, Integer retryAfterSeconds) {

  public OpenAiError(int status, String message, String type, String param) {
    this(status, message, type, param, null);
  }

  /** The same error with a {@code Retry-After} hint for the client (seconds). */
  public OpenAiError withRetryAfter(int seconds) {
    return new OpenAiError(status, message, type, param, seconds);
  }

  public static OpenAiError badRequest(String message, String param) {
    return new OpenAiError(400, message, "invalid_request_error", param);
  }

  public static OpenAiError unavailable(String message) {
    return new OpenAiError(503, message, "service_unavailable_error", null);
  }

  public static OpenAiError timeout(String message) {
    return new OpenAiError(408, message, "timeout_error", null);
  }

  public static OpenAiError tooManyRequests(String message) {
    return new OpenAiError(429, message, "rate_limit_error", null);
  }

  public static OpenAiError internal(String message) {
    return new OpenAiError(500, message, "internal_server_error", null);
  }

  /**
   * Whether sending the same request again soon cannot succeed: a client error other than a timeout,
   * a conflict or a rate limit (a wrong key, an unknown model, a malformed body), or a model whose
   * backend Switchboard knows to be down (its 503s say "is down (" or "Cannot connect to the backend").
   * Such answers say {@code x-should-retry: false}, which Stainless-generated SDKs (OpenAI's,
   * Anthropic's) obey instead of retrying with backoff for seconds or minutes.
   */
  public boolean retryCannotHelp() {
    if (status == 408 || status == 409 || status == 429) {
      return false;
    }
    if (status >= 400 && status < 500) {
      return true;
    }
    return status == 503 && message != null
        && (message.contains(" is down (") || message.contains("Cannot connect to the backend"));
  }

  /** The error object itself: {@code {"message","type","param","code"}}. */
  public JsonObject toObject() {
    return new JsonObject()
        .put("message", message)
        .put("type", type)
        .put("param", param)
        .put("code", String.valueOf(status));
  }

  /**
   * The error object plus Switchboard's transport-only keys (the Retry-After hint), as it travels on
   * the bus; {@link #fromObject} reads it back.
   */
  public JsonObject toWire() {
    JsonObject o = toObject();
    if (retryAfterSeconds != null) {
      o.put("retry_after", retryAfterSeconds);
    }
    return o;
  }

  /** The whole response body: {@code {"error":{...}}}. */
  public JsonObject toBody() {
    return new JsonObject().put("error", toObject());
  }

  /** Reads an error object written by {@link #toObject()} (e.g. from an ERROR frame). */
  public static OpenAiError fromObject(int status, JsonObject error) {
    if (error == null) {
      return internal("backend failed without a reason");
    }
    Object retryAfter = error.getValue("retry_after");
    return new OpenAiError(status, error.getString("message", ""), error.getString("type"),
        error.getString("param"), retryAfter instanceof Number n ? n.intValue() : null);
  }

  /** An exception carrying this error, for future chains; it has no stack trace (it is not a bug). */
  public Failure asException() {
    return new Failure(this);
  }

  /** Carries an {@link OpenAiError} through a failed future. */
  public static final class Failure extends RuntimeException {
    private final OpenAiError error;

    Failure(OpenAiError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }

    public OpenAiError error() {
      return error;
    }
  }
}
