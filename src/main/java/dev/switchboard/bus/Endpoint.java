package dev.switchboard.bus;

/** The endpoints a call can be for. The path is relative to a backend's OpenAI base URL ({@code .../v1}). */
public enum Endpoint {
  CHAT("/chat/completions"),
  COMPLETIONS("/completions"),
  EMBEDDINGS("/embeddings"),
  /** Anthropic's Messages API, passed through to a deployment that serves it itself (docs/anthropic.md). */
  MESSAGES("/messages"),
  /** Anthropic's token count, asked of a deployment that serves Messages itself. */
  COUNT_TOKENS("/messages/count_tokens"),
  /** OpenAI's Responses API, passed through to a deployment that serves it itself (docs/responses.md). */
  RESPONSES("/responses"),
  /** OpenAI's input-token count, asked of a deployment that serves Responses itself (llama-server has it). */
  INPUT_TOKENS("/responses/input_tokens");

  private final String path;

  Endpoint(String path) {
    this.path = path;
  }

  /** The OpenAI path, e.g. {@code /chat/completions}. */
  public String path() {
    return path;
  }
}
