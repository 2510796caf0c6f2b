package dev.switchboard.bus.impl;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * Calls go unchanged within a JVM (the body is read-only by contract) and as a binary record between
 * JVMs. Between JVMs the body is one JSON text: the client's own bytes when the call has them (copied,
 * not encoded again), else the parsed body's encoding. Either way the receiver parses it once and
 * keeps it as the call's {@code rawBody}: the bytes its {@code body} was parsed from.
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
    WireFormat.writeBuffer(out, c.rawBody() != null ? c.rawBody() : c.body() != null ? c.body().toBuffer() : null);
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
    JsonObject body = raw == null ? null : new JsonObject(raw); // parsed on the sending node already
    return new Call(requestId, streamId, replyTo, endpoint, modelName, body, raw, r.readByte() == 1, r.readInt(),
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
