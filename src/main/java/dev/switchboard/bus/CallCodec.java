package dev.switchboard.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/** Calls go unchanged within a JVM (the body is read-only by contract) and as a binary record between JVMs. */
public final class CallCodec implements MessageCodec<Call, Call> {

  public static final String NAME = "switchboard.call";
  private static final Endpoint[] ENDPOINTS = Endpoint.values();

  @Override
  public void encodeToWire(Buffer out, Call c) {
    WireFormat.writeString(out, c.requestId());
    WireFormat.writeString(out, c.streamId());
    WireFormat.writeString(out, c.replyTo());
    out.appendByte((byte) c.endpoint().ordinal());
    WireFormat.writeString(out, c.modelName());
    WireFormat.writeJson(out, c.body());
    out.appendByte((byte) (c.stream() ? 1 : 0));
    out.appendInt(c.window());
    out.appendLong(c.startedAt());
  }

  @Override
  public Call decodeFromWire(int pos, Buffer in) {
    WireFormat.Reader r = new WireFormat.Reader(in, pos);
    return new Call(r.readString(), r.readString(), r.readString(), ENDPOINTS[r.readByte()],
        r.readString(), r.readJson(), r.readByte() == 1, r.readInt(), r.readLong());
  }

  @Override
  public Call transform(Call c) {
    return c;
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
