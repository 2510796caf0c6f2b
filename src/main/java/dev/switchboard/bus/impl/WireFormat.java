package dev.switchboard.bus.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Length-prefixed primitives shared by the codecs. Lengths are 4-byte big-endian; -1 means null. Every
 * record starts with {@link #VERSION}: a node that receives another version fails the message (with a
 * message that says so) instead of misreading it.
 */
final class WireFormat {

  /**
   * The wire version of calls, frames and shared bytes between JVMs. 1 was the unversioned format
   * (credit counted in frames); 2 counts credit and the window in bytes; 3 versions the shared bytes
   * too. Bump it with every change of any of these records and say so in docs/event-bus.md: nodes of
   * one cluster must run the same version.
   */
  static final byte VERSION = 3;

  private WireFormat() {
  }

  static void writeVersion(Buffer out) {
    out.appendByte(VERSION);
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

    /** Starts reading a record of {@code codec} at {@code pos}; fails on a record of another wire version. */
    Reader(Buffer in, int pos, String codec) {
      this.in = in;
      this.pos = pos;
      byte version = readByte();
      if (version != VERSION) {
        throw new IllegalStateException(codec + ": wire version " + version + " (expected: " + VERSION
            + "); every node of a cluster must run the same Switchboard version");
      }
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
