package dev.switchboard.config;

/**
 * How a BackendVerticle talks to a backend. Several LiteLLM prefixes share one kind
 * (e.g. {@code openai/}, {@code hosted_vllm/} and {@code openai_like/} are all OpenAI-compatible).
 */
public enum ProviderKind {
  /** A server that already speaks OpenAI's API (llama.cpp's llama-server, vLLM, LM Studio, ...). */
  OPENAI_COMPATIBLE,
  /** Ollama's native API ({@code /api/chat}, {@code /api/generate}, {@code /api/embed}). */
  OLLAMA,
  /** No backend at all: answers with {@code mock_response}. For trying and testing only. */
  MOCK
}
