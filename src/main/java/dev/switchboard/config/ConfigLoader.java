package dev.switchboard.config;

/** Placeholder: replaced by the real loader. */
public final class ConfigLoader {
  private ConfigLoader() {
  }
}
