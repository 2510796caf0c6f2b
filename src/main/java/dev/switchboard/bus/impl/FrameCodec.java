package dev.switchboard.bus.impl;

import dev.switchboard.bus.Frame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Frames go unchanged between verticles of one JVM (a frame is immutable, so no copy) and as a compact
 * binary record between JVMs: kind, stream id, n, meta (JSON), data (raw bytes, never re-encoded).
 */
public final class FrameCodec implements MessageCodec<Frame, Frame> {

  public static final String NAME = "switchboard.frame";
  private static final Frame.Kind[] KINDS = Frame.Kind.values();

  @Override
  public void encodeToWire(Buffer out, Frame f) {
    WireFormat.writeVersion(out);
    out.appendByte((byte) f.kind().ordinal());
    WireFormat.writeString(out, f.streamId());
    out.appendInt(f.n());
    WireFormat.writeJson(out, f.meta());
    WireFormat.writeBuffer(out, f.data());
  }

  @Override
  public Frame decodeFromWire(int pos, Buffer in) {
    WireFormat.Reader r = new WireFormat.Reader(in, pos, NAME);
    Frame.Kind kind = KINDS[r.readByte()];
    return new Frame(kind, r.readString(), r.readInt(), r.readJson(), r.readBuffer());
  }

  @Override
  public Frame transform(Frame f) {
    return f;
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
