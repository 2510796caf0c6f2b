package dev.switchboard.bus;

/**
 * Every event-bus address Switchboard uses. A public contract: docs/event-bus.md describes each one.
 */
public final class Addresses {

  /** Prefix of the address a model's BackendVerticle takes calls on: {@code switchboard.backend.<model_name>}. */
  public static final String BACKEND_PREFIX = "switchboard.backend.";
  /** Published once per finished request (see docs/event-bus.md for the schema). */
  public static final String METRICS = "switchboard.metrics";
  /** Published when a model's liveness changes. */
  public static final String LIVENESS = "switchboard.liveness";
  /** Published after each applied config reload. */
  public static final String CONFIG_RELOADED = "switchboard.config.reloaded";
  /** Published by every clustered node, once a second: the models it serves (docs/event-bus.md). */
  public static final String CATALOG = "switchboard.catalog";
  /** Local to each node: a cluster node left, so calls it was serving can end now. */
  public static final String NODE_LEFT = "switchboard.cluster.node-left";
  /** Asks every BackendVerticle for its state (request/reply, one reply per model on this node). */
  public static final String STATE_PREFIX = "switchboard.state.";

  private Addresses() {
  }

  /** Where calls for {@code modelName} are sent. */
  public static String backend(String modelName) {
    return BACKEND_PREFIX + modelName;
  }

  /** Where the state (liveness, queue, in-flight) of {@code modelName}'s BackendVerticle is asked for. */
  public static String state(String modelName) {
    return STATE_PREFIX + modelName;
  }

  /**
   * The state of {@code modelName}'s BackendVerticle on one node: /health asks each node of a model
   * served by several, where {@link #state(String)} would reach only one of them.
   */
  public static String stateOn(String nodeId, String modelName) {
    return "switchboard.node." + nodeId + ".state." + modelName;
  }

  /** A private, per-instance address for stream frames (one per API verticle or BackendVerticle instance). */
  public static String endpoint(String role, String uniqueId) {
    return "switchboard.stream." + role + "." + uniqueId;
  }
}
