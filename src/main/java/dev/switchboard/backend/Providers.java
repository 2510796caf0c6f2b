package dev.switchboard.backend;

import dev.switchboard.config.ProviderKind;

/** The provider (translator) for each kind of backend. */
final class Providers {

  private static final Provider OPENAI = new OpenAiCompatibleProvider();

  private Providers() {
  }

  /** The provider for {@code kind}; MOCK has none (it never makes an HTTP call). */
  static Provider forKind(ProviderKind kind) {
    return switch (kind) {
      case OPENAI_COMPATIBLE -> OPENAI;
      case OLLAMA -> OPENAI; // replaced by the Ollama translator (issue: Ollama backends)
      case MOCK -> null;
    };
  }
}
