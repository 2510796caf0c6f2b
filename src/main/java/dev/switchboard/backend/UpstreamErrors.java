package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Turns a backend's error answer into the client's error, keeping the backend's status and message
 * and wording it as LiteLLM does ({@code litellm.BadRequestError: OpenAIException - <message>}), so
 * that clients and people who grep for LiteLLM's messages find them.
 */
public final class UpstreamErrors {

  private static final int MAX_MESSAGE = 4096;

  private UpstreamErrors() {
  }

  /** The backend's own message: {@code error.message}, {@code error} as a string, {@code detail}, or the raw text. */
  public static String messageOf(Buffer body) {
    String text = body == null ? "" : body.toString();
    try {
      JsonObject json = new JsonObject(text);
      Object error = json.getValue("error");
      if (error instanceof JsonObject e && e.getValue("message") != null) {
        return String.valueOf(e.getValue("message"));
      }
      if (error instanceof String s) {
        return s;
      }
      for (String key : new String[] {"detail", "message"}) {
        if (json.getValue(key) != null) {
          return String.valueOf(json.getValue(key));
        }
      }
    } catch (RuntimeException notJson) {
      // fall through to the raw text
    }
    return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "…" : text;
  }

  /** The backend's own {@code error.type} / {@code error.param}, when it gave them. */
  private static String field(Buffer body, String name) {
    try {
      JsonObject e = new JsonObject(body).getJsonObject("error");
      return e == null ? null : e.getString(name);
    } catch (RuntimeException notThere) {
      return null;
    }
  }

  /** LiteLLM's exception class name for an HTTP status. */
  public static String litellmClass(int status) {
    return switch (status) {
      case 400 -> "BadRequestError";
      case 401 -> "AuthenticationError";
      case 403 -> "PermissionDeniedError";
      case 404 -> "NotFoundError";
      case 408 -> "Timeout";
      case 422 -> "UnprocessableEntityError";
      case 429 -> "RateLimitError";
      case 503 -> "ServiceUnavailableError";
      default -> status >= 500 ? "InternalServerError" : "APIError";
    };
  }

  /** OpenAI's error type for an HTTP status, when the backend gave none. */
  public static String typeFor(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 408 -> "timeout_error";
      case 429 -> "rate_limit_error";
      default -> status >= 500 ? "internal_server_error" : "invalid_request_error";
    };
  }

  /** An error answer from an OpenAI-compatible backend. */
  public static OpenAiError fromOpenAi(int status, Buffer body, String providerLabel) {
    String type = field(body, "type");
    String message = "litellm." + litellmClass(status) + ": " + providerLabel + "Exception - " + messageOf(body);
    return new OpenAiError(status, message, type != null ? type : typeFor(status), field(body, "param"));
  }
}
