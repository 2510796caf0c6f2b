package dev.switchboard.responses;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.impl.SharedBytesCodec;
import dev.switchboard.config.ResponseStoreSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * The single owner of a node's {@link ResponseStore}, confined to this verticle's event loop. Every API
 * verticle of the node, and clustered every other node, reaches it on {@code switchboard.responses.<node key>}
 * with an {@code op} header (put, get, delete) and the response id in an {@code id} header.
 */
public final class ResponseStoreVerticle extends VerticleBase {

  /** How often expired entries are dropped when no request comes to do it. */
  private static final long SWEEP_MS = 30_000;
  static final int NOT_FOUND = 404;
  private static final DeliveryOptions SHARED = new DeliveryOptions().setCodecName(SharedBytesCodec.NAME);

  private final ResponseStoreSettings settings;
  private final String nodeKey;
  private ResponseStore store;
  private MessageConsumer<Buffer> consumer;
  private long sweep;

  public ResponseStoreVerticle(ResponseStoreSettings settings, String nodeKey) {
    this.settings = settings;
    this.nodeKey = nodeKey;
  }

  @Override
  public Future<?> start() {
    store = new ResponseStore(settings.maxResponses(), settings.maxBytes(), settings.ttl().toMillis());
    sweep = vertx.setPeriodic(SWEEP_MS, id -> store.expire(System.currentTimeMillis()));
    consumer = vertx.eventBus().consumer(Addresses.responses(nodeKey), this::onMessage);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(sweep);
    return consumer.unregister().onComplete(v -> store.clear());
  }

  private void onMessage(Message<Buffer> msg) {
    String id = msg.headers().get("id");
    long now = System.currentTimeMillis();
    switch (String.valueOf(msg.headers().get("op"))) {
      case "put" -> msg.reply(store.put(id, msg.body(), now));
      case "get" -> {
        Buffer entry = store.get(id, now);
        if (entry == null) {
          msg.fail(NOT_FOUND, "no response " + id);
        } else {
          msg.reply(entry, SHARED); // a fresh copy out of the ring: nobody else holds it
        }
      }
      case "delete" -> msg.reply(store.remove(id));
      default -> msg.fail(400, "unknown op " + msg.headers().get("op"));
    }
  }
}
