package dev.switchboard.anthropic;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.json.JsonObject;

/**
 * Errors in Anthropic's shape: {@code {"type":"error","error":{"type":...,"message":...}}}, the type
 * told by the HTTP status as Anthropic's API does. The message is Switchboard's or the backend's, kept.
 */
public final class AnthropicErrors {

  private AnthropicErrors() {
  }

  /** Anthropic's error type for an HTTP status. */
  public static String type(int status) {
    return switch (status) {
      case 400, 405, 422 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 503, 529 -> "overloaded_error";
      default -> status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
    };
  }

  public static JsonObject body(OpenAiError error) {
    return body(error.status(), error.message());
  }

  public static JsonObject body(int status, String message) {
    return new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", type(status)).put("message", message));
  }

  /**
   * A backend's error body (OpenAI's {@code {"error":{"message":...}}}, or anything else) as Anthropic's,
   * its message kept.
   */
  public static JsonObject fromBackend(int status, String body) {
    String message = body;
    try {
      JsonObject parsed = new JsonObject(body);
      Object error = parsed.getValue("error");
      if (error instanceof JsonObject e && e.getValue("message") instanceof String m) {
        message = m;
      } else if (error instanceof String s) {
        message = s;
      } else if (parsed.getValue("message") instanceof String m) {
        message = m;
      }
    } catch (RuntimeException notJson) {
      // the body as it came is the message
    }
    return body(status, message == null || message.isBlank() ? "backend answered HTTP " + status : message);
  }
}
