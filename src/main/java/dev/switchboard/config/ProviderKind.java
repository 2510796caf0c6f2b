package dev.switchboard.config;

import java.util.Map;
import java.util.Set;

/**
 * How a BackendVerticle talks to a backend, and what a config entry of that kind may leave out: the LiteLLM
 * prefixes ({@code openai/}, {@code hosted_vllm/}, ...) that mean this kind, and where LiteLLM sends a
 * prefix's requests when {@code api_base} is not set. Each kind but MOCK has one translator,
 * {@code backend.Provider}, registered in {@code backend.Providers}: adding a backend kind is a constant
 * here and a provider there.
 */
public enum ProviderKind {
  /** A server that already speaks OpenAI's API (llama.cpp's llama-server, vLLM, LM Studio, ...). */
  OPENAI_COMPATIBLE(Set.of("openai", "hosted_vllm", "openai_like", "custom_openai", "text-completion-openai",
      "litellm_proxy", "lm_studio", "llamafile", "vllm", "xinference"),
      Map.of("openai", "https://api.openai.com/v1", "lm_studio", "http://localhost:1234/v1",
          "llamafile", "http://127.0.0.1:8080/v1"),
      null),
  /** Ollama's native API ({@code /api/chat}, {@code /api/generate}, {@code /api/embed}). */
  OLLAMA(Set.of("ollama", "ollama_chat"), Map.of("ollama", "http://localhost:11434",
      "ollama_chat", "http://localhost:11434"), "OLLAMA_API_BASE"),
  /** No backend at all: answers with {@code mock_response}. For trying and testing only. */
  MOCK(Set.of(), Map.of(), null);

  private final Set<String> prefixes;
  private final Map<String, String> defaultApiBases;
  /** An environment variable that, when set, replaces the default api_base (as LiteLLM reads it). */
  private final String apiBaseVariable;

  ProviderKind(Set<String> prefixes, Map<String, String> defaultApiBases, String apiBaseVariable) {
    this.prefixes = prefixes;
    this.defaultApiBases = defaultApiBases;
    this.apiBaseVariable = apiBaseVariable;
  }

  /** The kind a LiteLLM prefix means, or null when Switchboard cannot serve it. */
  public static ProviderKind ofPrefix(String prefix) {
    for (ProviderKind k : values()) {
      if (k.prefixes.contains(prefix)) {
        return k;
      }
    }
    return null;
  }

  /** The environment variable whose value replaces the default api_base, or null. */
  public String apiBaseVariable() {
    return apiBaseVariable;
  }

  /** Where a {@code prefix} entry without api_base goes, or null when it must say. */
  public String defaultApiBase(String prefix) {
    return defaultApiBases.get(prefix);
  }

  /**
   * The api_base as this kind's server expects it. Ollama's native API is not under {@code /v1}, which
   * users copy from OpenAI-style examples: the suffix is dropped (with a warning by the caller).
   */
  public String normalisedApiBase(String url) {
    if (this == OLLAMA && url.endsWith("/v1")) {
      return url.substring(0, url.length() - 3).replaceAll("/+$", "");
    }
    return url;
  }
}
