package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TCP event-bus bridge for consumers outside the JVM: speaks the wire protocol of
 * vertx-tcp-eventbus-bridge (4-byte big-endian length, then a JSON frame), so its clients work
 * unchanged, but is read-only and bounded. Subscribers may register for the event addresses only;
 * every send and publish is refused. A frame longer than {@link #MAX_FRAME_BYTES} closes the
 * connection, and an event for a subscriber whose socket is not keeping up is dropped and counted.
 *
 * <p>Why not vertx-tcp-eventbus-bridge itself (5.0.7): it has no hook on outbound delivery (its
 * consumers write to the socket directly, so there is nowhere to drop for a slow reader) and its frame
 * parser buffers a frame of any announced length.
 */
final class EventBridge {

  /** What a subscriber may register for. */
  static final Set<String> OUTBOUND = Set.of(Addresses.METRICS, Addresses.LIVENESS, Addresses.CONFIG_RELOADED);
  /** Subscribers only send small control frames. */
  static final int MAX_FRAME_BYTES = 16 * 1024;
  /** Bytes queued for one subscriber before its events are dropped (some hundreds of events). */
  static final int WRITE_QUEUE_BYTES = 512 * 1024;
  static final int MAX_CONNECTIONS = 64;

  private final Vertx vertx;
  private final MeterRegistry registry;
  private final AtomicInteger connections = new AtomicInteger();
  private NetServer server;

  EventBridge(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.registry = registry;
    Gauge.builder("switchboard_bridge_connections", connections, AtomicInteger::get)
        .description("Subscribers connected to the TCP event-bus bridge").register(registry);
  }

  /** Listens; completes with the port actually bound (useful when asked for 0). */
  Future<Integer> listen(int port, String host) {
    server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true));
    server.connectHandler(this::accept);
    return server.listen(port, host).map(NetServer::actualPort);
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void accept(NetSocket socket) {
    if (connections.incrementAndGet() > MAX_CONNECTIONS) {
      connections.decrementAndGet();
      rejected("too_many_connections");
      socket.close();
      return;
    }
    socket.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
    BridgeConnection c = new BridgeConnection(vertx.eventBus(), socket, OUTBOUND, MAX_FRAME_BYTES,
        this::dropped, this::rejected);
    socket.closeHandler(v -> {
      connections.decrementAndGet();
      c.closed();
    });
    c.start();
  }

  private void dropped(String address) {
    Counter.builder("switchboard_bridge_dropped_events")
        .description("Events not sent to a bridge subscriber whose socket was not keeping up")
        .tag("address", address).register(registry).increment();
  }

  private void rejected(String reason) {
    Counter.builder("switchboard_bridge_rejected_frames")
        .description("Bridge frames or connections refused (access_denied, frame_too_large, ...)")
        .tag("reason", reason).register(registry).increment();
  }
}
