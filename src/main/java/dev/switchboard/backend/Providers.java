package dev.switchboard.backend;

import dev.switchboard.backend.ollama.OllamaProvider;
import dev.switchboard.config.ProviderKind;

/** The provider (translator) for each kind of backend. */
final class Providers {

  private static final Provider OPENAI = new OpenAiCompatibleProvider();
  private static final Provider OLLAMA = new OllamaProvider();

  private Providers() {
  }

  /** The provider for {@code kind}; MOCK has none (it never makes an HTTP call). */
  static Provider forKind(ProviderKind kind) {
    return switch (kind) {
      case OPENAI_COMPATIBLE -> OPENAI;
      case OLLAMA -> OLLAMA;
      case MOCK -> null;
    };
  }
}
