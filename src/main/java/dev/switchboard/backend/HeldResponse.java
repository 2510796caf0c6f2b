package dev.switchboard.backend;

import io.netty.channel.Channel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayDeque;

/**
 * A backend's response body as a {@code ReadStream} whose {@link #pause()} stops reading the socket,
 * so that a backend closing its connection right after the last byte never costs the client the end of
 * its answer.
 *
 * <p>Why not the response itself: once a paused {@code HttpClientResponse} has 16 messages queued,
 * Vert.x 5.0.7 parks what the socket still delivers in its connection, unprocessed, and keeps reading
 * the socket while fewer than 8 are parked. A close read then (llama-server sends FIN right after
 * every stream's terminator) fails the response with "Connection was closed" although its end is
 * among the parked messages, which are dropped: the client lost the last events of an answer the
 * backend had finished. So the response is never paused: what arrives while this stream is paused
 * waits here, in order, and the socket stops being read (TCP backpressure reaches the backend as
 * before) from the next read batch on. A close is then seen only after everything read before it was
 * handed on.
 *
 * <p>Confined to the exchange's event loop; its handlers must be set in the same turn as it is made.
 */
final class HeldResponse implements ReadStream<Buffer> {

  private final HttpClientResponse resp;
  private final Channel channel;
  private final ArrayDeque<Buffer> held = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private long demand = Long.MAX_VALUE;
  private boolean reading = true;
  private boolean ended;
  private boolean over;
  private boolean delivering;
  private long readingSince;
  private long lastDataAt;
  private long firstDataAt;

  HeldResponse(HttpClientResponse resp, HttpConnection connection) {
    this.resp = resp;
    this.channel = connection instanceof HttpClientConnectionInternal c ? c.channelHandlerContext().channel() : null;
    resp.handler(this::arrived);
    resp.exceptionHandler(this::failed);
    resp.endHandler(v -> {
      ended = true;
      // Nothing more of this answer comes off the socket; the connection may go back to the pool, so
      // it must read again whatever we still hold.
      read(true);
      deliver();
    });
  }

  /** True while the body waits for the client: a silent backend is not one we stopped reading. */
  boolean waiting() {
    return !reading || !held.isEmpty() || demand == 0;
  }

  /** When the socket was last read again after a wait for the client (epoch ms), or 0. */
  long readingSince() {
    return readingSince;
  }

  /** When the last piece of the body came (epoch ms), or 0. */
  long lastDataAt() {
    return lastDataAt;
  }

  /** When the first piece of the body came (epoch ms), or 0. */
  long firstDataAt() {
    return firstDataAt;
  }

  /** The exchange ended (failed, cancelled): nothing more is handed on. */
  void cancel() {
    over = true;
    held.clear();
  }

  @Override
  public HeldResponse handler(Handler<Buffer> h) {
    handler = h;
    return this;
  }

  @Override
  public HeldResponse endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }

  @Override
  public HeldResponse exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public HeldResponse pause() {
    demand = 0;
    return this;
  }

  @Override
  public HeldResponse resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public HeldResponse fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    deliver();
    return this;
  }

  private void arrived(Buffer chunk) {
    if (over) {
      return;
    }
    lastDataAt = System.currentTimeMillis();
    if (firstDataAt == 0) {
      firstDataAt = lastDataAt;
    }
    held.addLast(chunk);
    deliver();
  }

  private void failed(Throwable t) {
    if (over) {
      return;
    }
    cancel();
    if (exceptionHandler != null) {
      exceptionHandler.handle(t);
    }
  }

  /** Hands on what is held while there is demand, then the end; else holds, with the socket not read. */
  private void deliver() {
    if (delivering) {
      return;
    }
    delivering = true;
    try {
      while (!over && demand > 0 && handler != null && !held.isEmpty()) {
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        handler.handle(held.pollFirst());
      }
    } finally {
      delivering = false;
    }
    if (over) {
      return;
    }
    if (!held.isEmpty() || demand == 0) {
      read(false);
      return;
    }
    if (ended) {
      over = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    } else {
      read(true);
    }
  }

  private void read(boolean on) {
    if (reading == on || ended && !on) {
      return;
    }
    reading = on;
    if (on) {
      readingSince = System.currentTimeMillis();
    }
    if (channel != null) {
      channel.config().setAutoRead(on);
    } else if (on) {
      resp.resume(); // not an HTTP/1.x connection we can hold at the socket: Vert.x's own pause
    } else {
      resp.pause();
    }
  }
}
