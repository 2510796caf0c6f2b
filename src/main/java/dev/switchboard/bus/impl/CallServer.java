package dev.switchboard.bus.impl;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.Frame;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;

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
  private final Map<String, Stream> open = new HashMap<>();
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
    LocalEndpoints.remove(vertx, controlAddress);
    return Future.all(stopAccepting(), controlConsumer.unregister()).mapEmpty();
  }


  /** Accepts a call: acknowledges it to the API side and returns where its answer goes. */
  public AnswerStream accept(Message<Call> msg) {
    Call call = msg.body();
    Stream s = new Stream(call);
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
        Stream s = open.get(ids.getString(i));
        if (s != null) {
          s.lastSeen = now;
        }
      }
      return;
    }
    Stream s = open.get(f.streamId());
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
    for (Stream s : open.values().toArray(new Stream[0])) {
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
      byPeer.computeIfAbsent(s.call.replyTo(), k -> new JsonArray()).add(s.call.streamId());
    }
    byPeer.forEach((peer, ids) -> vertx.eventBus().send(peer, Frame.keepalive(ids)));
  }

  /**
   * One open call's answer. Credit is counted in bytes: a write goes out as DATA up to the credit, the
   * rest waits in {@code held} (split where the credit ends) and the writer is told the queue is full.
   * END or ERROR waits behind what is held, so the API side gets every byte first.
   */
  private final class Stream implements AnswerStream {
    final Call call;
    /** Its API side is on this node: no keepalives, never reaped (see LocalEndpoints). */
    final boolean local;
    final ArrayDeque<Buffer> held = new ArrayDeque<>();
    final Promise<String> cancelled = Promise.promise();
    long credit;
    long lastSeen = System.currentTimeMillis();
    boolean headSent;
    boolean closed;
    /** Told a writer the queue was full: it gets a drain when the credit covers what is held. */
    boolean full;
    /** END or ERROR, once closed, until what is held went out; and who waits for it. */
    Frame last;
    Promise<Void> lastSent;
    Handler<Void> drainHandler;
    Handler<Throwable> exceptionHandler;

    Stream(Call call) {
      this.call = call;
      this.local = LocalEndpoints.isLocal(vertx, call.replyTo());
      this.credit = call.window();
    }

    void grant(int bytes) {
      credit += bytes;
      flush();
    }

    void cancel(String reason) {
      if (cancelled.future().isComplete() || open.remove(call.streamId()) == null) {
        return;
      }
      closed = true;
      held.clear();
      last = null;
      cancelled.complete(reason);
      if (lastSent != null) {
        lastSent.tryFail(new CancellationException(reason));
      }
      if (exceptionHandler != null) {
        exceptionHandler.handle(new CancellationException(reason));
      }
    }

    /** Sends what the credit covers, then END or ERROR once nothing is held; drains a waiting writer. */
    private void flush() {
      while (credit > 0 && !held.isEmpty()) {
        Buffer b = held.pollFirst();
        if (b.length() > credit) {
          held.addFirst(b.getBuffer((int) credit, b.length()));
          b = b.getBuffer(0, (int) credit);
        }
        credit -= b.length();
        send(Frame.data(call.streamId(), b));
      }
      if (!held.isEmpty()) {
        return;
      }
      if (last != null) {
        send(last);
        last = null;
        open.remove(call.streamId());
        if (lastSent != null) {
          lastSent.complete();
        }
        return;
      }
      if (full && credit > 0 && !closed) {
        full = false;
        if (drainHandler != null) {
          drainHandler.handle(null);
        }
      }
    }

    private void send(Frame f) {
      vertx.eventBus().send(call.replyTo(), f);
    }

    @Override
    public void head(int status, JsonObject meta) {
      if (!closed && !headSent) {
        headSent = true;
        send(Frame.head(call.streamId(), status, meta));
      }
    }

    @Override
    public Future<Void> write(Buffer data) {
      if (closed) {
        return Future.failedFuture(new CancellationException(cancelled.future().isComplete()
            ? cancelled.future().result() : "the answer has ended"));
      }
      if (data.length() > 0) {
        held.addLast(data);
        flush();
      }
      return Future.succeededFuture();
    }

    @Override
    public boolean writeQueueFull() {
      if (!held.isEmpty() || credit <= 0) {
        full = true;
      }
      return full;
    }

    @Override
    public Stream setWriteQueueMaxSize(int maxSize) {
      return this; // the window is the API side's to give
    }

    @Override
    public Stream drainHandler(Handler<Void> handler) {
      drainHandler = handler;
      return this;
    }

    @Override
    public Stream exceptionHandler(Handler<Throwable> handler) {
      exceptionHandler = handler;
      return this;
    }

    @Override
    public Future<Void> end(JsonObject accounting) {
      if (closed) {
        return Future.failedFuture(new CancellationException("the answer has ended"));
      }
      close(Frame.end(call.streamId(), accounting));
      return lastSent.future();
    }

    @Override
    public void fail(OpenAiError error, JsonObject accounting) {
      if (!closed) {
        JsonObject m = accounting == null ? new JsonObject() : accounting;
        close(Frame.error(call.streamId(), error.status(), m.put("error", error.toWire())));
      }
    }

    private void close(Frame lastFrame) {
      closed = true;
      last = lastFrame;
      lastSent = Promise.promise();
      flush();
    }

    @Override
    public Future<String> cancelled() {
      return cancelled.future();
    }

    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public Call call() {
      return call;
    }
  }
}
