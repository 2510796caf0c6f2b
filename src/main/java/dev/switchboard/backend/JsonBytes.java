package dev.switchboard.backend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Byte-level edits of JSON text, so that an answer or a streamed chunk can be re-stamped without a
 * parse and re-encode per chunk (the per-chunk cost counts against the latency budget).
 */
final class JsonBytes {

  private JsonBytes() {
  }

  /** The JSON string literal for {@code s}, quotes included. */
  static byte[] quoted(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Finds the first {@code "key": <value-start>} in {@code b[from, to)} and returns the index of the
   * value's first byte, or -1. A key inside a string value cannot match: its quotes would be escaped.
   */
  static int valueOf(byte[] b, int from, int to, byte[] quotedKey) {
    outer:
    for (int i = from; i <= to - quotedKey.length; i++) {
      for (int k = 0; k < quotedKey.length; k++) {
        if (b[i + k] != quotedKey[k]) {
          continue outer;
        }
      }
      int j = skipSpace(b, i + quotedKey.length, to);
      if (j < to && b[j] == ':') {
        return skipSpace(b, j + 1, to);
      }
    }
    return -1;
  }

  /** Index just past the string literal starting at {@code start} (which must be a quote), or -1. */
  static int endOfString(byte[] b, int start, int to) {
    int i = start + 1;
    while (true) {
      // Eight bytes at a time while none is a quote or a backslash: most of a request body is text
      // inside strings, and this scan runs over all of it.
      while (i + Long.BYTES <= to) {
        long word = (long) LONGS.get(b, i);
        if (hasByte(word, QUOTES) || hasByte(word, BACKSLASHES)) {
          break;
        }
        i += Long.BYTES;
      }
      if (i >= to) {
        return -1;
      }
      byte c = b[i];
      if (c == '"') {
        return i + 1;
      }
      i += c == '\\' ? 2 : 1;
    }
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long QUOTES = 0x2222222222222222L;
  private static final long BACKSLASHES = 0x5c5c5c5c5c5c5c5cL;

  /** Whether any byte of {@code word} equals the byte repeated in {@code pattern} (the classic SWAR test). */
  private static boolean hasByte(long word, long pattern) {
    long x = word ^ pattern;
    return ((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0;
  }

  /**
   * The index of the value of {@code quotedKey} among the top-level keys of the JSON object in
   * {@code b[from, to)}, or -1 (no such key, not an object, or malformed before it). Nested objects
   * are skipped whole, so a {@code "model"} inside one cannot match.
   */
  static int topLevelValueOf(byte[] b, int from, int to, byte[] quotedKey) {
    int i = skipSpace(b, from, to);
    if (i >= to || b[i] != '{') {
      return -1;
    }
    i = skipSpace(b, i + 1, to);
    while (i < to && b[i] == '"') {
      int keyEnd = endOfString(b, i, to);
      if (keyEnd < 0) {
        return -1;
      }
      int colon = skipSpace(b, keyEnd, to);
      if (colon >= to || b[colon] != ':') {
        return -1;
      }
      int value = skipSpace(b, colon + 1, to);
      if (keyEnd - i == quotedKey.length && regionEquals(b, i, quotedKey)) {
        return value < to ? value : -1;
      }
      int valueEnd = endOfValue(b, value, to);
      if (valueEnd < 0) {
        return -1;
      }
      i = skipSpace(b, valueEnd, to);
      if (i >= to || b[i] != ',') {
        return -1; // '}' (the key is not there) or malformed
      }
      i = skipSpace(b, i + 1, to);
    }
    return -1;
  }

  /** Index just past the JSON value starting at {@code start}, or -1 if it does not end before {@code to}. */
  static int endOfValue(byte[] b, int start, int to) {
    if (start >= to) {
      return -1;
    }
    byte c = b[start];
    if (c == '"') {
      return endOfString(b, start, to);
    }
    if (c == '{' || c == '[') {
      int depth = 0;
      for (int i = start; i < to; i++) {
        byte x = b[i];
        if (x == '"') {
          i = endOfString(b, i, to) - 1;
          if (i < 0) {
            return -1;
          }
        } else if (x == '{' || x == '[') {
          depth++;
        } else if ((x == '}' || x == ']') && --depth == 0) {
          return i + 1;
        }
      }
      return -1;
    }
    int i = start;
    while (i < to && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n'
        && b[i] != '\r' && b[i] != '\t') {
      i++;
    }
    return i == start ? -1 : i;
  }

  static boolean regionEquals(byte[] b, int at, byte[] what) {
    for (int k = 0; k < what.length; k++) {
      if (b[at + k] != what[k]) {
        return false;
      }
    }
    return true;
  }

  static int skipSpace(byte[] b, int i, int to) {
    while (i < to && isSpace(b[i])) {
      i++;
    }
    return i;
  }

  /** JSON's whitespace. */
  static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }
}
