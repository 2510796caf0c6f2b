package dev.switchboard.config;

import java.time.Duration;

/**
 * Switchboard's own settings, under the top-level {@code switchboard_settings:} key so that the
 * LiteLLM sections stay LiteLLM's.
 *
 * @param maxBodyBytes          largest request body accepted (413 above)
 * @param queueSize             per model, requests that may wait for a free slot when max_parallel_requests is reached
 * @param queueTimeout          longest a request waits in that queue before a 429
 * @param ackTimeout            how long the API waits for a BackendVerticle to accept a call (503 after)
 * @param keepaliveInterval     how often both ends of an open stream tell each other they are alive
 * @param streamPeerTimeout     silence after which an open stream's peer is taken for dead
 * @param shutdownGrace         how long a shutdown (or a removed model) waits for requests in flight
 * @param clientIdleTimeout     how long a client connection may stay open with no request in flight; 0: for ever
 * @param metricsRequireAuth    whether GET /metrics needs the master key
 * @param vertxMeters           whether Vert.x's own per-request meters (HTTP server and client, event bus, TCP)
 *                              are kept; at start only
 * @param eventBridgePort       TCP event-bus bridge port; 0 means off
 * @param eventBridgeHost       interface the bridge binds to
 * @param cluster               how a clustered node joins its peers (used only with --cluster)
 */
public record SwitchboardSettings(
    long maxBodyBytes,
    int queueSize,
    Duration queueTimeout,
    Duration ackTimeout,
    Duration keepaliveInterval,
    Duration streamPeerTimeout,
    Duration shutdownGrace,
    Duration clientIdleTimeout,
    boolean metricsRequireAuth,
    boolean vertxMeters,
    int eventBridgePort,
    String eventBridgeHost,
    ClusterSettings cluster,
    ResponseStoreSettings responseStore) {
}
