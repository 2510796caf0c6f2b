package dev.switchboard.bus.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/** Length-prefixed primitives shared by the codecs. Lengths are 4-byte big-endian; -1 means null. */
final class WireFormat {

  private WireFormat() {
  }

  static void writeString(Buffer out, String s) {
    if (s == null) {
      out.appendInt(-1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.appendInt(bytes.length).appendBytes(bytes);
  }

  static void writeBuffer(Buffer out, Buffer b) {
    if (b == null) {
      out.appendInt(-1);
      return;
    }
    out.appendInt(b.length()).appendBuffer(b);
  }

  static void writeJson(Buffer out, JsonObject json) {
    writeBuffer(out, json == null ? null : json.toBuffer());
  }

  /** A cursor over a received buffer. */
  static final class Reader {
    private final Buffer in;
    private int pos;

    Reader(Buffer in, int pos) {
      this.in = in;
      this.pos = pos;
    }

    byte readByte() {
      return in.getByte(pos++);
    }

    int readInt() {
      int v = in.getInt(pos);
      pos += 4;
      return v;
    }

    long readLong() {
      long v = in.getLong(pos);
      pos += 8;
      return v;
    }

    String readString() {
      int len = readInt();
      if (len < 0) {
        return null;
      }
      String s = in.getString(pos, pos + len, "UTF-8");
      pos += len;
      return s;
    }

    Buffer readBuffer() {
      int len = readInt();
      if (len < 0) {
        return null;
      }
      Buffer b = in.getBuffer(pos, pos + len);
      pos += len;
      return b;
    }

    JsonObject readJson() {
      Buffer b = readBuffer();
      return b == null ? null : new JsonObject(b);
    }
  }
}
