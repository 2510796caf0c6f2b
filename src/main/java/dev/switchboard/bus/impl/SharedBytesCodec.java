package dev.switchboard.bus.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Bytes that go unchanged within a JVM, where Vert.x's own Buffer codec copies them for every local
 * delivery: for bodies that nobody writes to once sent (read-only by contract, as a {@link dev.switchboard.bus.Call}'s),
 * such as the Responses store's entries, so that a 10 KB entry is not copied on its way to the store
 * and back. Between JVMs: the wire version byte, the length, then the bytes. Chosen per message
 * ({@code DeliveryOptions.setCodecName(NAME)}), since a default codec for Buffer cannot be registered.
 */
public final class SharedBytesCodec implements MessageCodec<Buffer, Buffer> {

  public static final String NAME = "switchboard.shared-bytes";

  @Override
  public void encodeToWire(Buffer out, Buffer b) {
    WireFormat.writeVersion(out);
    WireFormat.writeBuffer(out, b);
  }

  @Override
  public Buffer decodeFromWire(int pos, Buffer in) {
    return new WireFormat.Reader(in, pos, NAME).readBuffer();
  }

  @Override
  public Buffer transform(Buffer b) {
    return b;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
