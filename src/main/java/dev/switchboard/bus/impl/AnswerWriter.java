package dev.switchboard.bus.impl;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.Frame;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.concurrent.CancellationException;

/**
 * The backend side of one call: its answer, written onto the bus as frames. Credit is counted in bytes:
 * a write goes out as DATA up to the credit, the rest waits in {@code held} (split where the credit
 * ends) and the writer is told the queue is full. END or ERROR waits behind what is held, so the API
 * side gets every byte first. Confined to the BackendVerticle's event loop, like its server.
 */
final class AnswerWriter implements AnswerStream {

  private final Vertx vertx;
  private final CallServer server;
  private final Call call;
  /** Its API side is on this node: no keepalives, never reaped (see LocalEndpoints). */
  final boolean local;
  private final ArrayDeque<Buffer> held = new ArrayDeque<>();
  private final Promise<String> cancelled = Promise.promise();
  private long credit;
  long lastSeen = System.currentTimeMillis();
  private boolean headSent;
  /** Its last frame went out, or it was cancelled: no longer open on the server. */
  private boolean gone;
  private boolean closed;
  /** Told a writer the queue was full: it gets a drain when the credit covers what is held. */
  private boolean full;
  /** END or ERROR, once closed, until what is held went out; and who waits for it. */
  private Frame last;
  private Promise<Void> lastSent;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;

  AnswerWriter(Vertx vertx, CallServer server, Call call) {
    this.vertx = vertx;
    this.server = server;
    this.call = call;
    this.local = LocalEndpoints.isLocal(vertx, call.replyTo());
    this.credit = call.window();
  }

  void grant(int bytes) {
    credit += bytes;
    flush();
  }

  void cancel(String reason) {
    if (cancelled.future().isComplete() || gone) {
      return;
    }
    gone = true;
    server.forget(this);
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

  /**
   * The server stops (its verticle is undeployed, after its drain): what is held goes out now, credit or
   * not, then the last frame, an error if the answer had none. A stream between two verticles of one
   * node is never reaped, so it must not be left waiting for credit no one will take.
   */
  void closeNow() {
    if (gone) {
      return;
    }
    credit = Long.MAX_VALUE;
    if (!closed) {
      fail(OpenAiError.unavailable("The backend stopped before the answer was complete"), null);
    } else {
      flush();
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
      gone = true;
      server.forget(this);
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
  public AnswerWriter setWriteQueueMaxSize(int maxSize) {
    return this; // the window is the API side's to give
  }

  @Override
  public AnswerWriter drainHandler(Handler<Void> handler) {
    drainHandler = handler;
    return this;
  }

  @Override
  public AnswerWriter exceptionHandler(Handler<Throwable> handler) {
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
