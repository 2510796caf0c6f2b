package dev.switchboard.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code model_name} with {@code *} in it (LiteLLM's wildcard routing): {@code "ollama/*"},
 * {@code "*"}, {@code "team-a/*"}. It matches a requested name, and the parts the stars matched fill
 * the stars of the backend model ({@code "ollama/*"} → {@code "llama3"} for {@code ollama/llama3}).
 */
public final class WildcardPattern {

  private final String pattern;
  private final String[] literals;

  public WildcardPattern(String pattern) {
    this.pattern = pattern;
    this.literals = pattern.split("\\*", -1);
  }

  public static boolean isPattern(String modelName) {
    return modelName.indexOf('*') >= 0;
  }

  /** How many literal characters it has: among patterns that match, the one with most wins. */
  public int specificity() {
    return pattern.length() - (literals.length - 1);
  }

  public String pattern() {
    return pattern;
  }

  /** What each star matched in {@code name}, or null when it does not match. */
  public List<String> match(String name) {
    if (!name.startsWith(literals[0])) {
      return null;
    }
    List<String> parts = new ArrayList<>(literals.length - 1);
    int at = literals[0].length();
    for (int i = 1; i < literals.length; i++) {
      String lit = literals[i];
      int next;
      if (i == literals.length - 1) {
        next = name.length() - lit.length();
        if (next < at || !name.endsWith(lit)) {
          return null;
        }
      } else {
        next = lit.isEmpty() ? at : name.indexOf(lit, at);
        if (next < 0) {
          return null;
        }
      }
      parts.add(name.substring(at, next));
      at = next + lit.length();
    }
    return parts;
  }

  /**
   * {@code template} with its stars replaced by {@code parts} in order; a template with fewer stars
   * than parts takes the last part (LiteLLM: {@code model_name: "*"} + {@code model: "openai/*"}).
   */
  public static String fill(String template, List<String> parts) {
    if (parts.isEmpty() || template.indexOf('*') < 0) {
      return template;
    }
    StringBuilder out = new StringBuilder();
    int part = 0;
    int stars = (int) template.chars().filter(c -> c == '*').count();
    int skip = Math.max(0, parts.size() - stars);
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '*') {
        out.append(parts.get(Math.min(parts.size() - 1, skip + part++)));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
