package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import io.vertx.core.spi.metrics.EventBusMetrics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Vert.x's event-bus meters see calls and events, not the stream protocol's frames. */
class FramesUncountedEventBusMetricsTest {

  private final List<String> seen = new ArrayList<>();
  private final EventBusMetrics<Object> meters = new FramesUncountedEventBusMetrics(new EventBusMetrics<>() {
    @Override
    public Object handlerRegistered(String address) {
      seen.add("registered " + address);
      return address;
    }

    @Override
    public void messageSent(String address, boolean publish, boolean local, boolean remote) {
      seen.add("sent " + address);
    }

    @Override
    public void messageReceived(String address, boolean publish, boolean local, int handlers) {
      seen.add("received " + address);
    }

    @Override
    public void messageDelivered(Object handler, boolean local) {
      seen.add("delivered " + handler);
    }
  });

  @Test
  void aCallToADeploymentIsCounted() {
    String call = Addresses.backend("coder-1");
    Object handler = meters.handlerRegistered(call);
    meters.messageSent(call, false, true, false);
    meters.messageReceived(call, false, true, 1);
    meters.messageDelivered(handler, true);

    assertThat(seen).containsExactly("registered " + call, "sent " + call, "received " + call, "delivered " + call);
  }

  @Test
  void aStreamFrameIsNotCounted() {
    String frames = Addresses.endpoint("api", "a1b2");
    Object handler = meters.handlerRegistered(frames);
    meters.messageSent(frames, false, true, false);
    meters.messageReceived(frames, false, true, 1);
    meters.messageDelivered(handler, true);

    assertThat(handler).isNull();
    // The delegate gets the null handler, which Vert.x's meters ignore, as they do for __vertx.* addresses.
    assertThat(seen).containsExactly("delivered null");
  }
}
