package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each finished request into one {@code switchboard.metrics} event: folds it into this node's
 * meters, then publishes it to every consumer in the cluster.
 *
 * <p>Called on the API event loops, several at once; holds no mutable state of its own. The event is
 * always built, because the meters read it too, and publishing with no consumer anywhere is a map
 * lookup (Vert.x offers no cheap "does anyone listen" to skip it with).
 */
final class MetricsPublisher implements FinishedRequest.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsPublisher.class);

  private final EventBus bus;
  private final String node;
  private final RequestMeters meters;

  MetricsPublisher(EventBus bus, String node, RequestMeters meters) {
    this.bus = bus;
    this.node = node;
    this.meters = meters;
  }

  @Override
  public void finished(FinishedRequest request) {
    // Consumers get their own copy (JsonObject codec); the meters only read this one.
    JsonObject event = MetricsEvent.of(request, node, System.currentTimeMillis());
    bus.publish(Addresses.METRICS, event);
    try {
      meters.record(event);
    } catch (RuntimeException e) {
      // A meter bug must not cost the request path, nor the other listeners, their report.
      LOG.warn("metrics: could not record request {}", request.requestId(), e);
    }
  }
}
