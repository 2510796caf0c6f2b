package dev.switchboard.bus.impl;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.Frame;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The backend side of the stream protocol, one per BackendVerticle and confined to its event loop.
 *
 * <p>It takes calls on the model's address and hands them to the verticle, which accepts one (an ack
 * naming our control endpoint, and an {@link AnswerStream}) or rejects it with an {@link OpenAiError}.
 * Credits, cancels and keepalives from API verticles arrive on the control endpoint. A stream whose
 * API side has been silent for {@code peerTimeout} is cancelled: nobody is left to read the answer.
 */
public final class CallServer {

  private final Vertx vertx;
  private final String callAddress;
  private final String nodeId;
  private final String controlAddress = Addresses.endpoint("backend", UUID.randomUUID().toString());
  private final Map<String, AnswerWriter> open = new HashMap<>();
  private final long keepaliveMs;
  private final long peerTimeoutMs;
  private MessageConsumer<Call> callConsumer;
  private MessageConsumer<Frame> controlConsumer;
  private long timerId = -1;
  private long lastTick;

  public CallServer(Vertx vertx, String callAddress, String nodeId, Duration keepaliveInterval,
                    Duration peerTimeout) {
    this.vertx = vertx;
    this.callAddress = callAddress;
    this.nodeId = nodeId;
    this.keepaliveMs = keepaliveInterval.toMillis();
    // The API side gives up after peerTimeout; we wait a little longer so that a late keepalive
    // (a busy event loop, a GC pause) does not abort a generation someone is still reading.
    this.peerTimeoutMs = peerTimeout.toMillis() * 2;
  }

  /** Starts taking calls; {@code onCall} must accept or reject each one. */
  public Future<Void> start(Handler<Message<Call>> onCall) {
    controlConsumer = vertx.eventBus().consumer(controlAddress, this::onControl);
    LocalEndpoints.add(vertx, controlAddress);
    callConsumer = vertx.eventBus().consumer(callAddress, onCall);
    lastTick = System.currentTimeMillis();
    timerId = vertx.setPeriodic(keepaliveMs, id -> tick());
    return Future.all(controlConsumer.completion(), callConsumer.completion()).mapEmpty();
  }

  /** Stops taking new calls; streams already open go on. */
  public Future<Void> stopAccepting() {
    return callConsumer == null ? Future.succeededFuture() : callConsumer.unregister();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timerId);
    for (AnswerWriter w : open.values().toArray(new AnswerWriter[0])) {
      w.closeNow();
    }
    LocalEndpoints.remove(vertx, controlAddress);
    return Future.all(stopAccepting(), controlConsumer.unregister()).mapEmpty();
  }


  /** Accepts a call: acknowledges it to the API side and returns where its answer goes. */
  public AnswerStream accept(Message<Call> msg) {
    Call call = msg.body();
    AnswerWriter s = new AnswerWriter(vertx, this, call);
    open.put(call.streamId(), s);
    msg.reply(new JsonObject().put("control", controlAddress).put("node", nodeId));
    return s;
  }

  /** Rejects a call before accepting it; the API side answers the client with {@code error}. */
  public static void reject(Message<Call> msg, OpenAiError error) {
    msg.fail(error.status(), error.toWire().encode());
  }

  private void onControl(Message<Frame> msg) {
    Frame f = msg.body();
    long now = System.currentTimeMillis();
    if (f.kind() == Frame.Kind.KEEPALIVE) {
      JsonArray ids = f.meta().getJsonArray("streams");
      for (int i = 0; i < ids.size(); i++) {
        AnswerWriter s = open.get(ids.getString(i));
        if (s != null) {
          s.lastSeen = now;
        }
      }
      return;
    }
    AnswerWriter s = open.get(f.streamId());
    if (s == null) {
      return;
    }
    s.lastSeen = now;
    if (f.kind() == Frame.Kind.CREDIT) {
      s.grant(f.n());
    } else if (f.kind() == Frame.Kind.CANCEL) {
      s.cancel(f.meta() == null ? "cancelled" : f.meta().getString("reason", "cancelled"));
    }
  }

  private void tick() {
    long now = System.currentTimeMillis();
    boolean weWereStopped = Reaping.lateTick(lastTick, now, keepaliveMs, peerTimeoutMs);
    lastTick = now;
    Map<String, JsonArray> byPeer = new HashMap<>();
    for (AnswerWriter s : open.values().toArray(new AnswerWriter[0])) {
      if (s.local) {
        continue; // its API side is on this node (see LocalEndpoints)
      }
      if (weWereStopped) {
        s.lastSeen = Math.max(s.lastSeen, now);
      }
      if (now - s.lastSeen > peerTimeoutMs) {
        s.cancel("the API node that sent this request is gone");
        continue;
      }
      byPeer.computeIfAbsent(s.call().replyTo(), k -> new JsonArray()).add(s.call().streamId());
    }
    byPeer.forEach((peer, ids) -> vertx.eventBus().send(peer, Frame.keepalive(ids)));
  }

  /** An answer ended or was cancelled: its control frames are no longer for anyone. */
  void forget(AnswerWriter writer) {
    open.remove(writer.call().streamId());
  }
}
