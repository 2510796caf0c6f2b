package dev.switchboard.metrics;

import dev.switchboard.api.RequestLog;
import dev.switchboard.bus.Addresses;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Turns each finished request into one {@code switchboard.metrics} event: folds it into this node's
 * meters, then publishes it to every consumer in the cluster.
 *
 * <p>Called on the API event loops, several at once; holds no mutable state of its own. The event is
 * always built, because the meters read it too, and publishing with no consumer anywhere is a map
 * lookup (Vert.x offers no cheap "does anyone listen" to skip it with). A local publish hands each
 * local consumer its own copy, so the meters reading the same object first is safe.
 */
final class MetricsPublisher implements RequestLog.Listener {

  private final EventBus bus;
  private final String node;
  private final RequestMeters meters;

  MetricsPublisher(EventBus bus, String node, RequestMeters meters) {
    this.bus = bus;
    this.node = node;
    this.meters = meters;
  }

  @Override
  public void started(String model) {
    meters.started(model);
  }

  @Override
  public void finished(RequestLog.FinishedRequest request) {
    if (request.endpoint() != null) {
      meters.ended(request.model());
    }
    JsonObject event = MetricsEvent.of(request, node, System.currentTimeMillis());
    meters.record(event);
    bus.publish(Addresses.METRICS, event);
  }
}
