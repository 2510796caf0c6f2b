package dev.switchboard.backend;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Locale;

/**
 * A model's liveness as its BackendVerticle sees it: a state, why, and since when. Owned by the
 * verticle (single-threaded), changed by active probes and by what real traffic runs into.
 */
final class Liveness {

  enum State {
    UNKNOWN, HEALTHY, UNHEALTHY;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private State state = State.UNKNOWN;
  private String reason = "not checked yet";
  private long since = System.currentTimeMillis();

  State state() {
    return state;
  }

  String reason() {
    return reason;
  }

  long since() {
    return since;
  }

  /** Moves to {@code next}; returns true if the state changed (a liveness event is due). */
  boolean set(State next, String why) {
    if (next == state) {
      if (next == State.UNHEALTHY) {
        reason = why; // keep the freshest cause, but "since" stays the time it went down
      }
      return false;
    }
    state = next;
    reason = why;
    since = System.currentTimeMillis();
    return true;
  }

  /** "connection refused, 12 s ago" */
  String describe() {
    long ago = Math.max(0, (System.currentTimeMillis() - since) / 1000);
    return reason + ", " + ago + " s ago";
  }

  JsonObject toJson() {
    return new JsonObject().put("state", state.label()).put("reason", reason)
        .put("since", Instant.ofEpochMilli(since).toString());
  }
}
