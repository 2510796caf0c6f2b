package dev.switchboard.bus;

/** The OpenAI endpoints a call can be for. The path is relative to a backend's OpenAI base URL. */
public enum Endpoint {
  CHAT("/chat/completions"),
  COMPLETIONS("/completions"),
  EMBEDDINGS("/embeddings");

  private final String path;

  Endpoint(String path) {
    this.path = path;
  }

  /** The OpenAI path, e.g. {@code /chat/completions}. */
  public String path() {
    return path;
  }
}
