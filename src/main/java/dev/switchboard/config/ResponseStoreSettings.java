package dev.switchboard.config;

import java.time.Duration;

/**
 * {@code switchboard_settings.response_store}: the in-memory store behind the Responses API's
 * {@code store} and {@code previous_response_id} (docs/responses.md). Read once at start.
 *
 * @param maxResponses most responses kept per node; 0 turns the store off
 * @param maxBytes     the memory of a node's store: its ring of stored ids and JSON, off the heap (oldest
 *                     evicted first)
 * @param ttl          how long a response is kept
 */
public record ResponseStoreSettings(int maxResponses, long maxBytes, Duration ttl) {

  public static final ResponseStoreSettings DEFAULTS =
      new ResponseStoreSettings(10_000, 64L * 1024 * 1024, Duration.ofHours(1));
}
