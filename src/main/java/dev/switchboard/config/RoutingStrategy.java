package dev.switchboard.config;

import java.util.Locale;

/** {@code router_settings.routing_strategy}: how one deployment of a model group is chosen per request. */
public enum RoutingStrategy {
  /** Random, weighted by weight, else rpm, else tpm (LiteLLM's default). */
  SIMPLE_SHUFFLE("simple-shuffle"),
  /** Fewest requests in flight. */
  LEAST_BUSY("least-busy"),
  /** Lowest recent latency (time to first token for streams). */
  LATENCY_BASED("latency-based-routing"),
  /** Fewest tokens used this minute, within each deployment's tpm and rpm. */
  USAGE_BASED("usage-based-routing-v2");

  private final String configName;

  RoutingStrategy(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /** The strategy a config names, or null for a name Switchboard does not implement. */
  public static RoutingStrategy named(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("usage-based-routing")) {
      return USAGE_BASED; // LiteLLM's v1; v2 is the same choice without its per-call locking
    }
    for (RoutingStrategy s : values()) {
      if (s.configName.equals(n)) {
        return s;
      }
    }
    return null;
  }
}
