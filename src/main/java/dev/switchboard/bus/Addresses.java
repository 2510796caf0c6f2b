package dev.switchboard.bus;

/**
 * Every event-bus address Switchboard uses. A public contract: docs/event-bus.md describes each one.
 */
public final class Addresses {

  /** Prefix of the address a deployment's BackendVerticle takes calls on: {@code switchboard.backend.<deployment id>}. */
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
  /** Asks a deployment's BackendVerticle for its state (request/reply): {@code switchboard.state.<deployment id>}. */
  public static final String STATE_PREFIX = "switchboard.state.";
  /** The stream protocol's per-instance frame addresses ({@link #endpoint(String, String)}). */
  public static final String STREAM_PREFIX = "switchboard.stream.";

  private Addresses() {
  }

  /**
   * Where calls for one deployment are sent ({@code model_info.id}, or the hash of its params: see
   * docs/routing.md). A deployment served by several nodes (the same entry in their configs) has one
   * address, consumed on each of them.
   */
  public static String backend(String deploymentId) {
    return BACKEND_PREFIX + deploymentId;
  }

  /** Where the state (liveness, queue, in-flight) of a deployment's BackendVerticle is asked for. */
  public static String state(String deploymentId) {
    return STATE_PREFIX + deploymentId;
  }

  /**
   * The state of a deployment's BackendVerticle on one node: /health asks each node of a deployment
   * served by several, where {@link #state(String)} would reach only one of them.
   */
  public static String stateOn(String nodeId, String deploymentId) {
    return "switchboard.node." + nodeId + ".state." + deploymentId;
  }

  /**
   * A node's store of Responses API answers (request/reply: put, get, delete), consumed cluster-wide so
   * that any node finds a response by the node key its id carries (docs/responses.md).
   */
  public static String responses(String nodeKey) {
    return "switchboard.responses." + nodeKey;
  }

  /** A private, per-instance address for stream frames (one per API verticle or BackendVerticle instance). */
  public static String endpoint(String role, String uniqueId) {
    return STREAM_PREFIX + role + "." + uniqueId;
  }
}
