package dev.switchboard.bus.impl;

import dev.switchboard.bus.Frame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Frames go unchanged between verticles of one JVM (a frame is immutable, so no copy) and as a compact
 * binary record between JVMs: kind, stream id, n, meta (JSON), data (raw bytes, never re-encoded);
 * a BATCH is followed by how many frames it holds and each of them, without a version byte of its own.
 */
public final class FrameCodec implements MessageCodec<Frame, Frame> {

  public static final String NAME = "switchboard.frame";
  private static final Frame.Kind[] KINDS = Frame.Kind.values();

  @Override
  public void encodeToWire(Buffer out, Frame f) {
    WireFormat.writeVersion(out);
    write(out, f);
  }

  private static void write(Buffer out, Frame f) {
    out.appendByte((byte) f.kind().ordinal());
    WireFormat.writeString(out, f.streamId());
    out.appendInt(f.n());
    WireFormat.writeJson(out, f.meta());
    WireFormat.writeBuffer(out, f.data());
    if (f.kind() == Frame.Kind.BATCH) {
      out.appendInt(f.batch().size());
      f.batch().forEach(inner -> write(out, inner));
    }
  }

  @Override
  public Frame decodeFromWire(int pos, Buffer in) {
    return read(new WireFormat.Reader(in, pos, NAME));
  }

  private static Frame read(WireFormat.Reader r) {
    Frame.Kind kind = KINDS[r.readByte()];
    String streamId = r.readString();
    int n = r.readInt();
    JsonObject meta = r.readJson();
    Buffer data = r.readBuffer();
    if (kind != Frame.Kind.BATCH) {
      return new Frame(kind, streamId, n, meta, data);
    }
    int count = r.readInt();
    List<Frame> frames = new ArrayList<>(Math.min(count, 16));
    for (int i = 0; i < count; i++) {
      frames.add(read(r));
    }
    return new Frame(kind, streamId, n, meta, data, frames);
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
