package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.metrics.EventBusMetrics;

/**
 * Vert.x's event-bus meters, less the stream protocol's frames: HEAD, DATA, END, credits, keepalives
 * and cancels go to per-instance {@code switchboard.stream.*} addresses, several per request and one
 * per chunk, and counting each was ~3 % of the request path's CPU at saturation (docs/benchmarks.md).
 * Their series said nothing a user could act on (one per verticle instance, new ids at every start);
 * calls, metrics events and every other address are counted as before. Vert.x's own reply addresses
 * ({@code __vertx.*}) were never counted.
 */
final class FramesUncountedEventBusMetrics implements EventBusMetrics<Object> {

  private final EventBusMetrics<Object> delegate;

  FramesUncountedEventBusMetrics(EventBusMetrics<Object> delegate) {
    this.delegate = delegate;
  }

  private static boolean frame(String address) {
    return address != null && address.startsWith(Addresses.STREAM_PREFIX);
  }

  @Override
  public Object handlerRegistered(String address) {
    // No handler meter: the delegate is then called with null for it, which it ignores (as for __vertx.*).
    return frame(address) ? null : delegate.handlerRegistered(address);
  }

  @Override
  public void handlerUnregistered(Object handler) {
    delegate.handlerUnregistered(handler);
  }

  @Override
  public void scheduleMessage(Object handler, boolean local) {
    delegate.scheduleMessage(handler, local);
  }

  @Override
  public void discardMessage(Object handler, boolean local, Message<?> msg) {
    delegate.discardMessage(handler, local, msg);
  }

  @Override
  public void messageDelivered(Object handler, boolean local) {
    delegate.messageDelivered(handler, local);
  }

  @Override
  public void messageSent(String address, boolean publish, boolean local, boolean remote) {
    if (!frame(address)) {
      delegate.messageSent(address, publish, local, remote);
    }
  }

  @Override
  public void messageReceived(String address, boolean publish, boolean local, int handlers) {
    if (!frame(address)) {
      delegate.messageReceived(address, publish, local, handlers);
    }
  }

  @Override
  public void messageWritten(String address, int numberOfBytes) {
    if (!frame(address)) {
      delegate.messageWritten(address, numberOfBytes);
    }
  }

  @Override
  public void messageRead(String address, int numberOfBytes) {
    if (!frame(address)) {
      delegate.messageRead(address, numberOfBytes);
    }
  }

  @Override
  public void replyFailure(String address, ReplyFailure failure) {
    if (!frame(address)) {
      delegate.replyFailure(address, failure);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
