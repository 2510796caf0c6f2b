package dev.switchboard.bus.impl;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.CallFailure;
import dev.switchboard.bus.CallHandle;
import dev.switchboard.bus.Frame;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToIntFunction;

/**
 * The API side of the stream protocol, one per API verticle instance and confined to its event loop.
 *
 * <p>It owns one endpoint address where every frame for this instance's calls arrives, demultiplexed
 * by stream id. A call is acknowledged quickly by the BackendVerticle (short send timeout: a model with
 * no live backend fails in milliseconds, never after the bus's 30 s default); the answer then arrives
 * as frames. Both ends send keepalives for open streams, so a peer that dies or freezes is noticed
 * within {@code streamPeerTimeout} even when no data flows (docs/event-bus.md).
 */
public final class CallClient {

  /**
   * Bytes a backend may send ahead of what the client took (docs/event-bus.md, credit): enough to hide a
   * cluster hop's round trip behind a fast stream, small enough to hold per call.
   */
  public static final int WINDOW = 64 * 1024;

  private final Vertx vertx;
  /** Random once (a SecureRandom UUID): it makes this instance's stream ids unique across the cluster. */
  private final String instanceId = UUID.randomUUID().toString();
  private final String address = Addresses.endpoint("api", instanceId);
  private final Map<String, AnswerReader> open = new HashMap<>();
  private final DeliveryOptions callOptions;
  private final long peerTimeoutMs;
  private final long keepaliveMs;
  private final ToIntFunction<String> nodesServing;
  private MessageConsumer<Frame> consumer;
  private MessageConsumer<JsonObject> nodeLeft;
  private long timerId = -1;
  private long lastKeepalive;
  private long tickMs;
  private long lastTick;
  private long streamsStarted;

  public CallClient(Vertx vertx, Duration ackTimeout, Duration keepaliveInterval, Duration peerTimeout) {
    this(vertx, ackTimeout, keepaliveInterval, peerTimeout, address -> 1);
  }

  /**
   * {@code nodesServing}: how many cluster nodes consume a deployment's address. A call one node turns away before its
   * backend saw it (its backend is down, its queue is full, it froze before acknowledging) is offered
   * to the others, since the event bus takes each node's consumer in turn.
   */
  public CallClient(Vertx vertx, Duration ackTimeout, Duration keepaliveInterval, Duration peerTimeout,
                    ToIntFunction<String> nodesServing) {
    this.vertx = vertx;
    this.nodesServing = nodesServing;
    this.callOptions = new DeliveryOptions().setSendTimeout(ackTimeout.toMillis());
    this.keepaliveMs = keepaliveInterval.toMillis();
    this.peerTimeoutMs = peerTimeout.toMillis();
  }

  /** Registers the endpoint; call from the owning verticle's start(). */
  public Future<Void> start() {
    consumer = vertx.eventBus().consumer(address, this::onFrame);
    LocalEndpoints.add(vertx, address);
    nodeLeft = vertx.eventBus().localConsumer(Addresses.NODE_LEFT, msg -> onNodeLeft(msg.body()));
    // Silent peers are looked for more often than keepalives are sent, so that a dead node's streams
    // end within peerTimeout plus a tenth of it, not plus a whole keepalive interval.
    tickMs = Math.max(20, Math.min(keepaliveMs, peerTimeoutMs / 10));
    lastTick = System.currentTimeMillis();
    timerId = vertx.setPeriodic(tickMs, id -> tick());
    return Future.all(consumer.completion(), nodeLeft.completion()).mapEmpty();
  }

  public Future<Void> stop() {
    vertx.cancelTimer(timerId);
    LocalEndpoints.remove(vertx, address);
    return consumer == null ? Future.succeededFuture()
        : Future.all(consumer.unregister(), nodeLeft.unregister()).mapEmpty();
  }

  /** Calls currently open on this instance. */
  public int openCalls() {
    return open.size();
  }

  /**
   * Sends {@code call} (made with {@link Call#of}) to {@code target}: a deployment's address. Its answer
   * comes through the handle; see {@link CallHandle#answer()}.
   */
  public CallHandle call(String target, Call call) {
    String streamId = nextStreamId();
    AnswerReader oc = new AnswerReader(vertx, this, streamId);
    open.put(streamId, oc);
    send(target, call.withStream(streamId, address, WINDOW), oc, 3, nodesServing.applyAsInt(target) - 1)
        .onSuccess(reply -> oc.accepted(reply.body()))
        .onFailure(err -> {
          open.remove(oc.streamId);
          OpenAiError error = toError(err, call.modelName());
          oc.answer.tryFail(new CallFailure(error, new JsonObject().put("outcome", error.status() == 429 ? "rejected"
              : "error").put("error_type", error.type()).put("unsent", true), true));
        });
    return oc;
  }

  /**
   * A call routed to a BackendVerticle at the instant it stops taking calls (a reload replacing or
   * removing its model) is discarded unseen: the bus answers NO_HANDLERS, or TIMEOUT "Discarded the
   * request" at once. Unseen means safe to send again; a replacement verticle, registered before the
   * old one stopped, takes it. A real ack timeout is retried only on another node of a cluster.
   */
  private Future<Message<JsonObject>> send(String target, Call call, AnswerReader oc, int retries, int otherNodes) {
    return vertx.eventBus().<JsonObject>request(target, call, callOptions).recover(err -> {
      if (otherNodes > 0 && turnedAway(err)) {
        // A node that did not ack in time may still take the call when it wakes: under a new stream
        // id, its frames (if any) cannot mix into the answer of the node that takes the call now.
        Call next = err instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
            ? underNewStreamId(oc, call) : call;
        return send(target, next, oc, retries, otherNodes - 1);
      }
      if (retries == 0 || !discardedUnseen(err)) {
        return Future.failedFuture(err);
      }
      return vertx.timer(5).compose(v -> send(target, call, oc, retries - 1, otherNodes));
    });
  }

  /** This instance's id and a counter: unique wherever the call goes, and cheap (the event loop makes one per call). */
  private String nextStreamId() {
    return instanceId + '.' + Long.toString(++streamsStarted, 36);
  }

  private Call underNewStreamId(AnswerReader oc, Call c) {
    String id = nextStreamId();
    if (open.remove(oc.streamId) != null) { // not if the client left meanwhile
      open.put(id, oc);
    }
    oc.streamId = id;
    return c.withStream(id, c.replyTo(), c.window());
  }

  /**
   * Refused before any backend I/O (503: backend down, 429: queue full), or not acknowledged at all
   * (a frozen node; should it wake, it finds no one reading and cancels within its peer timeout).
   */
  private static boolean turnedAway(Throwable err) {
    return err instanceof ReplyException re && (re.failureType() == ReplyFailure.TIMEOUT
        || re.failureType() == ReplyFailure.RECIPIENT_FAILURE && (re.failureCode() == 503 || re.failureCode() == 429));
  }

  private static boolean discardedUnseen(Throwable err) {
    return err instanceof ReplyException re && (re.failureType() == ReplyFailure.NO_HANDLERS
        || re.failureType() == ReplyFailure.TIMEOUT && re.getMessage() != null
        && re.getMessage().startsWith("Discarded the request"));
  }

  private static OpenAiError toError(Throwable err, String modelName) {
    if (err instanceof ReplyException re) {
      switch (re.failureType()) {
        case NO_HANDLERS:
          return OpenAiError.unavailable("No backend is serving model=" + modelName
              + " right now (it is configured, but its backend is not running on any node)");
        case TIMEOUT:
          return OpenAiError.unavailable("The backend for model=" + modelName
              + " did not accept the request in time (its node may be down or overloaded)");
        case RECIPIENT_FAILURE:
          // A BackendVerticle rejects with the HTTP status as failure code and the error object as message.
          try {
            return OpenAiError.fromObject(re.failureCode(), new JsonObject(re.getMessage()));
          } catch (RuntimeException notJson) {
            return new OpenAiError(re.failureCode() >= 400 ? re.failureCode() : 500, re.getMessage(),
                "internal_server_error", null);
          }
        default:
          break;
      }
    }
    return OpenAiError.internal("Could not reach the backend for model=" + modelName + ": " + err.getMessage());
  }

  private void onFrame(Message<Frame> msg) {
    Frame f = msg.body();
    if (f.kind() == Frame.Kind.KEEPALIVE) {
      long now = System.currentTimeMillis();
      JsonArray ids = f.meta().getJsonArray("streams");
      for (int i = 0; i < ids.size(); i++) {
        AnswerReader oc = open.get(ids.getString(i));
        if (oc != null) {
          oc.lastSeen = now;
        }
      }
      return;
    }
    AnswerReader oc = open.get(f.streamId());
    if (oc == null) {
      return; // cancelled or timed out here already; the backend stops on its own (no keepalive from us)
    }
    oc.lastSeen = System.currentTimeMillis();
    switch (f.kind()) {
      case HEAD -> oc.head(f.n(), f.meta());
      case DATA -> oc.data(f.data());
      case END -> {
        open.remove(f.streamId());
        oc.ended(f.meta() == null ? new JsonObject() : f.meta(), null);
      }
      case ERROR -> {
        open.remove(f.streamId());
        JsonObject meta = f.meta() == null ? new JsonObject() : f.meta();
        oc.ended(null, new CallFailure(OpenAiError.fromObject(f.n(), meta.getJsonObject("error")), meta, false));
      }
      default -> {
      }
    }
  }

  /** A cluster node left (Hazelcast dropped it, or it shut down): the calls it was serving end now. */
  private void onNodeLeft(JsonObject event) {
    String node = event.getString("node");
    for (AnswerReader oc : open.values().toArray(new AnswerReader[0])) {
      if (node != null && node.equals(oc.node)) {
        open.remove(oc.streamId);
        oc.lost(OpenAiError.unavailable("The node serving this request left the cluster ("
            + event.getString("reason") + ")"));
      }
    }
  }

  /** Keepalives to every backend endpoint we have open calls with; and give up on silent ones. */
  private void tick() {
    long now = System.currentTimeMillis();
    boolean weWereStopped = Reaping.lateTick(lastTick, now, tickMs, peerTimeoutMs);
    lastTick = now;
    boolean sendKeepalives = now - lastKeepalive >= keepaliveMs;
    if (sendKeepalives) {
      lastKeepalive = now;
    }
    Map<String, JsonArray> byPeer = new HashMap<>();
    for (AnswerReader oc : open.values().toArray(new AnswerReader[0])) {
      if (oc.control == null || oc.local) {
        continue; // not yet accepted (the request's send timeout covers it), or served by this node
      }
      if (weWereStopped) {
        oc.lastSeen = Math.max(oc.lastSeen, now);
      }
      if (now - oc.lastSeen > peerTimeoutMs) {
        open.remove(oc.streamId);
        oc.lost(OpenAiError.unavailable("The backend node serving this request stopped answering ("
            + (now - oc.lastSeen) + " ms without a sign of life)"));
        continue;
      }
      if (sendKeepalives) {
        byPeer.computeIfAbsent(oc.control, k -> new JsonArray()).add(oc.streamId);
      }
    }
    byPeer.forEach((peer, ids) -> vertx.eventBus().send(peer, Frame.keepalive(ids)));
  }

  /** A call ended or was cancelled: its frames are no longer for anyone. */
  void forget(AnswerReader reader) {
    open.remove(reader.streamId);
  }
}
