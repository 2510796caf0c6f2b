package dev.switchboard.config;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The config in force, swapped whole: readers take one snapshot per request, so a request is served
 * under exactly one version. The one piece of state shared across verticles, because it is immutable.
 */
public final class ConfigHolder {

  /** A config and when it came into force, plus the last reload that failed (if any, since). */
  public record State(SwitchboardConfig config, Instant loadedAt, String lastError, Instant lastErrorAt) {
  }

  private final AtomicReference<State> state;

  public ConfigHolder(SwitchboardConfig initial) {
    this.state = new AtomicReference<>(new State(initial, Instant.now(), null, null));
  }

  public SwitchboardConfig current() {
    return state.get().config();
  }

  public State state() {
    return state.get();
  }

  /** Puts {@code next} in force and clears any reload error. */
  public void swap(SwitchboardConfig next) {
    state.set(new State(next, Instant.now(), null, null));
  }

  /** Records a failed reload; the config in force stays. */
  public void reloadFailed(String error) {
    state.updateAndGet(s -> new State(s.config(), s.loadedAt(), error, Instant.now()));
  }
}
