package dev.switchboard.responses;

import java.util.Locale;

/** Error codes as OpenAI's Responses API names them, which Codex acts on (a context overflow, a rate limit). */
public final class ResponsesErrors {

  private ResponsesErrors() {
  }

  /** The {@code error.code} of a failed response, from the HTTP status and message Switchboard has. */
  public static String code(int status, String message) {
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (m.contains("context length") || m.contains("context_length") || m.contains("context window")
        || m.contains("maximum context") || m.contains("exceeds the available context")) {
      return "context_length_exceeded";
    }
    if (status == 429) {
      return "rate_limit_exceeded";
    }
    return status >= 500 ? "server_error" : "invalid_prompt";
  }
}
