package dev.switchboard.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** LiteLLM's wildcard model names: what a pattern matches and what it sends to the backend. */
class WildcardPatternTest {

  @Test
  void starsMatchAndFillTheBackendModel() {
    assertThat(new WildcardPattern("ollama/*").match("ollama/llama3:8b")).containsExactly("llama3:8b");
    assertThat(new WildcardPattern("ollama/*").match("openai/gpt")).isNull();
    assertThat(new WildcardPattern("*").match("anything/at/all")).containsExactly("anything/at/all");
    assertThat(new WildcardPattern("fo::*:static::*").match("fo::a:static::b")).containsExactly("a", "b");
    assertThat(WildcardPattern.fill("openai/*", List.of("qwen3"))).isEqualTo("openai/qwen3");
    assertThat(WildcardPattern.fill("*", List.of("a", "b"))).as("fewer stars: the last part").isEqualTo("b");
    assertThat(WildcardPattern.fill("plain", List.of("x"))).isEqualTo("plain");
  }

  @Test
  void moreLiteralCharactersIsMoreSpecific() {
    assertThat(new WildcardPattern("team-a/*").specificity()).isGreaterThan(new WildcardPattern("*").specificity());
    assertThat(new WildcardPattern("*").specificity()).isZero();
  }
}
