package dev.switchboard.bus.impl;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Calls go unchanged within a JVM (the body is read-only by contract) and as a binary record between
 * JVMs. Between JVMs the body is one JSON text: the client's own bytes when the call has them (copied,
 * not encoded again), else the encoding of the body the gateway made. Either way the receiver reads
 * it as a client's body ({@link RequestBody#read}: one pass, no tree until a provider needs one).
 */
public final class CallCodec implements MessageCodec<Call, Call> {

  public static final String NAME = "switchboard.call";
  private static final Endpoint[] ENDPOINTS = Endpoint.values();

  @Override
  public void encodeToWire(Buffer out, Call c) {
    WireFormat.writeVersion(out);
    WireFormat.writeString(out, c.requestId());
    WireFormat.writeString(out, c.streamId());
    WireFormat.writeString(out, c.replyTo());
    out.appendByte((byte) c.endpoint().ordinal());
    WireFormat.writeString(out, c.modelName());
    WireFormat.writeBuffer(out, c.body() != null ? c.body().bytes() : null);
    out.appendByte((byte) (c.stream() ? 1 : 0));
    out.appendInt(c.window());
    out.appendLong(c.startedAt());
  }

  @Override
  public Call decodeFromWire(int pos, Buffer in) {
    WireFormat.Reader r = new WireFormat.Reader(in, pos, NAME);
    String requestId = r.readString();
    String streamId = r.readString();
    String replyTo = r.readString();
    Endpoint endpoint = ENDPOINTS[r.readByte()];
    String modelName = r.readString();
    Buffer raw = r.readBuffer();
    RequestBody body = raw == null ? null : RequestBody.read(raw); // checked on the sending node already
    return new Call(requestId, streamId, replyTo, endpoint, modelName, body, r.readByte() == 1, r.readInt(),
        r.readLong());
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
