package dev.switchboard.metrics;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One bridge subscriber. Confined to its socket's context: the consumers it registers deliver on the
 * same context, so its state needs no locking. Frames in: {@code register}, {@code unregister},
 * {@code ping}; anything else is refused with an {@code err} frame.
 */
final class BridgeConnection {

  private final EventBus bus;
  private final NetSocket socket;
  private final Set<String> outbound;
  private final int maxFrame;
  private final Consumer<String> onDrop;
  private final Consumer<String> onReject;
  private final Map<String, MessageConsumer<Object>> registered = new HashMap<>();
  private final RecordParser parser;
  private boolean readingLength = true;
  private boolean refused;

  BridgeConnection(EventBus bus, NetSocket socket, Set<String> outbound, int maxFrame, Consumer<String> onDrop,
                   Consumer<String> onReject) {
    this.bus = bus;
    this.socket = socket;
    this.outbound = outbound;
    this.maxFrame = maxFrame;
    this.onDrop = onDrop;
    this.onReject = onReject;
    // Wrapping the socket, so that pausing the parser stops reading from it.
    this.parser = RecordParser.newFixed(4, socket);
  }

  void start() {
    parser.handler(this::onRecord);
    parser.exceptionHandler(err -> socket.close());
  }

  void closed() {
    registered.values().forEach(MessageConsumer::unregister);
    registered.clear();
  }

  private void onRecord(Buffer record) {
    if (refused) {
      return;
    }
    if (readingLength) {
      long length = record.getUnsignedInt(0);
      if (length == 0 || length > maxFrame) {
        refuseAndClose("frame_too_large", "frame of " + length + " bytes (expected: 1 to " + maxFrame + ")");
        return;
      }
      readingLength = false;
      parser.fixedSizeMode((int) length);
      return;
    }
    readingLength = true;
    parser.fixedSizeMode(4);
    JsonObject frame;
    try {
      frame = record.toJsonObject();
    } catch (DecodeException | ClassCastException e) {
      refuseAndClose("invalid_json", "a frame is not a JSON object");
      return;
    }
    onFrame(frame);
  }

  private void onFrame(JsonObject frame) {
    String type = String.valueOf(frame.getValue("type"));
    String address = frame.getValue("address") instanceof String a ? a : null;
    switch (type) {
      case "ping" -> reply(new JsonObject().put("type", "pong"));
      case "register" -> register(address);
      case "unregister" -> unregister(address);
      case "send", "publish" -> refuse("access_denied", "this bridge is read-only: " + type + " is not permitted");
      default -> refuse("unknown_type", "unknown frame type: " + type);
    }
  }

  private void register(String address) {
    if (address == null || !outbound.contains(address)) {
      refuse("access_denied", "register: " + address + " (permitted: " + String.join(", ", outbound) + ")");
      return;
    }
    if (!registered.containsKey(address)) {
      // Cluster-wide, so a subscriber on any node sees every node's events.
      registered.put(address, bus.consumer(address, this::deliver));
    }
  }

  private void unregister(String address) {
    MessageConsumer<Object> c = address == null ? null : registered.remove(address);
    if (c == null) {
      refuse("unknown_address", "unregister: not registered for " + address);
      return;
    }
    c.unregister();
  }

  private void deliver(Message<Object> msg) {
    if (socket.writeQueueFull()) {
      // Never buffer without bound for a reader that does not keep up: it misses events instead.
      onDrop.accept(msg.address());
      return;
    }
    write(new JsonObject().put("type", "message").put("address", msg.address()).put("headers", new JsonObject())
        .put("send", false).put("body", msg.body()));
  }

  private void refuse(String reason, String message) {
    onReject.accept(reason);
    reply(new JsonObject().put("type", "err").put("message", reason).put("detail", message));
  }

  private void refuseAndClose(String reason, String message) {
    refuse(reason, message);
    refused = true;
    parser.handler(null);
    socket.end();
  }

  private void write(JsonObject frame) {
    Buffer json = frame.toBuffer();
    socket.write(Buffer.buffer(json.length() + 4).appendInt(json.length()).appendBuffer(json));
  }

  /**
   * Answers a client's frame (pong, err). Those answers are not dropped, so a client that sends and
   * never reads is throttled instead: no more of its frames are read until its answers drain.
   */
  private void reply(JsonObject frame) {
    write(frame);
    if (socket.writeQueueFull()) {
      parser.pause();
      socket.drainHandler(v -> parser.resume());
    }
  }
}
