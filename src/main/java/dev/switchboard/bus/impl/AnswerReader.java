package dev.switchboard.bus.impl;

import dev.switchboard.bus.Answer;
import dev.switchboard.bus.CallFailure;
import dev.switchboard.bus.CallHandle;
import dev.switchboard.bus.Frame;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;

/**
 * The API side of one call: the handle {@link CallClient#call} returns and, from its head on, the answer
 * it reads. Confined to the API verticle's event loop, like its client. DATA that
 * arrives while the reader is paused waits here (at most a window of it: the backend holds the rest);
 * credit goes back for what was handed on, in batches of half a window. END or ERROR is delivered
 * after the last byte.
 */
final class AnswerReader implements CallHandle, Answer {

  private final Vertx vertx;
  private final CallClient client;
  String streamId; // changes only before the call is accepted (see CallClient.underNewStreamId)
  final Promise<Answer> answer = Promise.promise();
  private final Promise<JsonObject> ended = Promise.promise();
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  String control;
  String node;
  /** Served by a BackendVerticle of this node: no keepalives, never reaped (see LocalEndpoints). */
  boolean local;
  long lastSeen = System.currentTimeMillis();
  private int status;
  private JsonObject meta;
  private int consumed;
  private long demand = Long.MAX_VALUE;
  private boolean delivering;
  private String cancelReason;
  /** How the answer ends, once its END or ERROR came; delivered after the queue. */
  private JsonObject endMeta;
  private CallFailure failure;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  AnswerReader(Vertx vertx, CallClient client, String streamId) {
    this.vertx = vertx;
    this.client = client;
    this.streamId = streamId;
  }

  void accepted(JsonObject ack) {
    control = ack.getString("control");
    node = ack.getString("node");
    local = LocalEndpoints.isLocal(vertx, control);
    lastSeen = System.currentTimeMillis();
    if (cancelReason != null) {
      vertx.eventBus().send(control, Frame.cancel(streamId, cancelReason));
    } else {
      deliver(); // credit for what was handed on before the ack came
    }
  }

  void head(int status, JsonObject meta) {
    this.status = status;
    this.meta = meta == null ? new JsonObject() : meta;
    answer.tryComplete(this);
  }

  void data(Buffer data) {
    queue.addLast(data);
    deliver();
  }

  /** END ({@code meta}) or ERROR ({@code failure}): before the head, the answer fails at once. */
  void ended(JsonObject meta, CallFailure failure) {
    if (!answer.future().isComplete()) {
      answer.fail(failure != null ? failure : new CallFailure(OpenAiError.internal("The backend ended the call "
          + "without answering it"), meta, false));
      return;
    }
    endMeta = meta;
    this.failure = failure;
    deliver();
  }

  /** The peer is gone: the call ends with {@code error}. */
  void lost(OpenAiError error) {
    ended(null, new CallFailure(error, new JsonObject().put("outcome", "error"), false));
  }

  /** Hands on what is queued while there is demand, crediting it; then the end, once all went. */
  private void deliver() {
    if (delivering || cancelReason != null) {
      return;
    }
    delivering = true;
    try {
      while (demand > 0 && handler != null && !queue.isEmpty() && cancelReason == null) {
        Buffer b = queue.pollFirst();
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        consumed += b.length();
        handler.handle(b);
      }
    } finally {
      delivering = false;
    }
    if (!queue.isEmpty() || cancelReason != null) {
      return;
    }
    if (endMeta != null || failure != null) {
      finish();
    } else if (consumed >= CallClient.WINDOW / 2 && control != null && !endArrived()) {
      vertx.eventBus().send(control, Frame.credit(streamId, consumed));
      consumed = 0;
    }
  }

  private boolean endArrived() {
    return endMeta != null || failure != null;
  }

  private void finish() {
    JsonObject m = endMeta;
    CallFailure f = failure;
    endMeta = null;
    failure = null;
    if (f == null) {
      ended.tryComplete(m);
      if (endHandler != null) {
        endHandler.handle(null);
      }
    } else {
      ended.tryFail(f);
      if (exceptionHandler != null) {
        exceptionHandler.handle(f);
      }
    }
  }

  @Override
  public Future<Answer> answer() {
    return answer.future();
  }

  @Override
  public void cancel(String reason) {
    if (cancelReason != null || ended.future().isComplete() || answer.future().failed()) {
      return;
    }
    client.forget(this);
    cancelReason = reason;
    queue.clear();
    if (control != null) {
      vertx.eventBus().send(control, Frame.cancel(streamId, reason));
    }
  }

  @Override
  public int status() {
    return status;
  }

  @Override
  public JsonObject meta() {
    return meta;
  }

  @Override
  public String node() {
    return node;
  }

  @Override
  public Future<JsonObject> ended() {
    return ended.future();
  }

  @Override
  public AnswerReader handler(Handler<Buffer> h) {
    handler = h;
    if (h != null) {
      deliver();
    }
    return this;
  }

  @Override
  public AnswerReader endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }

  @Override
  public AnswerReader exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public AnswerReader pause() {
    demand = 0;
    return this;
  }

  @Override
  public AnswerReader resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public AnswerReader fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    deliver();
    return this;
  }
}
