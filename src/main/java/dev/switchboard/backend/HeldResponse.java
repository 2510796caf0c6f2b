package dev.switchboard.backend;

import dev.switchboard.bus.StreamSink;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpClientConnectionInternal;

import java.util.ArrayDeque;

/**
 * Reads a backend's response body under our own flow control, so that a backend closing its
 * connection right after the last byte never costs the client the end of its answer.
 *
 * <p>Why not {@code HttpClientResponse.pause()}: once a paused response has 16 messages queued,
 * Vert.x 5.0.7 parks what the socket still delivers in its connection, unprocessed, and keeps reading
 * the socket while fewer than 8 are parked. A close read then (llama-server sends FIN right after
 * every stream's terminator) fails the response with "Connection was closed" although its end is
 * among the parked messages, which are dropped: the client lost the last events of an answer the
 * backend had finished. So the response itself is never paused: what arrives while the client's
 * window is closed waits here, in order, and the socket stops being read (TCP backpressure reaches
 * the backend as before) from the next read batch on. A close is then seen only after everything
 * read before it was handed on.
 *
 * <p>Confined to the exchange's event loop.
 */
final class HeldResponse {

  private final HttpClientResponse resp;
  private final io.netty.channel.Channel channel;
  private final ArrayDeque<Buffer> held = new ArrayDeque<>();
  private final StreamSink sink;
  private Handler<Buffer> onChunk;
  private Runnable onEnd;
  private boolean reading = true;
  private boolean ended;
  private boolean stopped;
  private boolean awaitingCredit;
  private long readingSince;

  /** {@code sink}: where the translated body goes; its credit window decides when we hold. */
  HeldResponse(HttpClientResponse resp, HttpConnection connection, StreamSink sink) {
    this.resp = resp;
    this.sink = sink;
    this.channel = connection instanceof HttpClientConnectionInternal c ? c.channelHandlerContext().channel() : null;
  }

  /** Starts delivering: {@code onChunk} for each piece of the body in order, then {@code onEnd} once. */
  void start(Handler<Buffer> onChunk, Runnable onEnd) {
    this.onChunk = onChunk;
    this.onEnd = onEnd;
    resp.handler(this::arrived);
    resp.endHandler(v -> {
      ended = true;
      // Nothing more of this answer comes off the socket; the connection may go back to the pool, so
      // it must read again whatever we still hold.
      read(true);
      if (held.isEmpty()) {
        finish();
      }
    });
  }

  /** True while the body waits for the client: a silent backend is not one we stopped reading. */
  boolean waiting() {
    return !reading || !held.isEmpty();
  }

  /** When the socket was last read again after a wait for the client (epoch ms), or 0. */
  long readingSince() {
    return readingSince;
  }

  /** The client's window reopened: hands on what is held, then reads the socket again. */
  private void release() {
    awaitingCredit = false;
    while (!stopped && !held.isEmpty() && open()) {
      onChunk.handle(held.poll());
    }
    if (stopped) {
      return;
    }
    if (!held.isEmpty()) {
      awaitCredit();
      return;
    }
    if (ended) {
      finish();
    } else {
      read(true);
    }
  }

  /** The exchange ended (failed, cancelled): nothing more is handed on. */
  void stop() {
    stopped = true;
    held.clear();
  }

  private void arrived(Buffer chunk) {
    if (stopped) {
      return;
    }
    if (!held.isEmpty() || !open()) {
      held.add(chunk);
      read(false);
      awaitCredit();
      return;
    }
    onChunk.handle(chunk);
    if (!stopped && !open()) {
      read(false);
      awaitCredit();
    }
  }

  private boolean open() {
    return sink.window() > 0;
  }

  private void awaitCredit() {
    if (!awaitingCredit) {
      awaitingCredit = true;
      sink.whenWritable(this::release);
    }
  }

  private void finish() {
    if (!stopped) {
      stopped = true;
      onEnd.run();
    }
  }

  private void read(boolean on) {
    if (reading == on) {
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
