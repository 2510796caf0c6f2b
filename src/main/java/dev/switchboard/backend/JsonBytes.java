package dev.switchboard.backend;

import java.nio.charset.StandardCharsets;

/**
 * Byte-level edits of compact JSON text, so that a streamed chunk can be re-stamped without a parse
 * and re-encode per chunk (the per-chunk cost counts against the latency budget).
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
    for (int i = start + 1; i < to; i++) {
      if (b[i] == '\\') {
        i++;
      } else if (b[i] == '"') {
        return i + 1;
      }
    }
    return -1;
  }

  private static int skipSpace(byte[] b, int i, int to) {
    while (i < to && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }
}
