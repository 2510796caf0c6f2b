package dev.switchboard.backend;

import java.nio.charset.StandardCharsets;

/**
 * A request body as the client wrote it, with only its top-level {@code model} value replaced, for
 * an OpenAI-compatible backend. Safe only when the backend's parser, whatever it is, must read the
 * result as the gateway read the original; so the edit is refused (null: encode the parsed body
 * instead) unless the bytes are strict JSON text whose top-level keys say nothing a parser could read
 * two ways:
 * <ul>
 *   <li>outside strings only JSON's own bytes: no comments (Vert.x's parser skips {@code /* *}{@code /}
 *       and {@code //}, a backend's might not, and a bracket inside one would mislead this scan),
 *       no {@code NaN}, no single quotes;</li>
 *   <li>every top-level key plain ASCII without an escape ({@code "mod\u0065l"} is {@code model} to
 *       a parser, and an overlong UTF-8 sequence may be too);</li>
 *   <li>as many top-level keys as the gateway's parser kept (fewer there means a key was repeated,
 *       and parsers disagree on which one counts);</li>
 *   <li>one {@code model}, and no other key that is {@code model} ignoring case (Go's
 *       {@code encoding/json}, Ollama's for one, matches keys case-insensitively).</li>
 * </ul>
 */
final class ModelOnTheBytes {

  private static final byte[] MODEL = "\"model\"".getBytes(StandardCharsets.US_ASCII);

  private ModelOnTheBytes() {
  }

  /**
   * @param body       the client's bytes
   * @param value      the new value of {@code model}, as JSON text
   * @param parsedKeys how many top-level keys the gateway's parse of {@code body} has
   * @return the edited bytes, or null when the edit is refused (see the class comment)
   */
  static byte[] replace(byte[] body, byte[] value, int parsedKeys) {
    int to = body.length;
    int depth = 0;
    boolean closed = false;
    boolean expectKey = false;
    boolean afterModelKey = false;
    int keys = 0;
    int valueStart = -1;
    int valueEnd = -1;
    int i = 0;
    while (i < to) {
      byte c = body[i];
      if (depth == 0 && !JsonBytes.isSpace(c) && (closed || c != '{')) {
        return null; // not an object, or something after it
      }
      switch (c) {
        case ' ', '\t', '\n', '\r' -> i++;
        case '"' -> {
          int end = JsonBytes.endOfString(body, i, to);
          if (end < 0) {
            return null;
          }
          if (depth == 1 && expectKey) {
            if (!plainAscii(body, i + 1, end - 1)) {
              return null;
            }
            keys++;
            boolean model = end - i == MODEL.length && JsonBytes.regionEquals(body, i, MODEL);
            if (model ? valueStart >= 0 || afterModelKey : isModelIgnoringCase(body, i + 1, end - 1)) {
              return null;
            }
            afterModelKey = model;
            expectKey = false;
          }
          i = end;
        }
        case ':' -> {
          if (depth == 1 && afterModelKey) {
            valueStart = JsonBytes.skipSpace(body, i + 1, to);
            valueEnd = JsonBytes.endOfValue(body, valueStart, to); // right if the whole text is strict
            if (valueEnd < 0) {
              return null;
            }
            afterModelKey = false;
          }
          i++;
        }
        case ',' -> {
          expectKey = depth == 1;
          i++;
        }
        case '{', '[' -> {
          if (++depth == 1) {
            expectKey = true;
          }
          i++;
        }
        case '}', ']' -> {
          if (depth == 1 && expectKey && keys > 0) {
            return null; // a trailing comma
          }
          if (--depth < 0) {
            return null;
          }
          closed = depth == 0;
          i++;
        }
        default -> {
          if (!isLiteralByte(c)) {
            return null; // a comment, NaN, a quote-less name, a byte JSON has no place for here
          }
          i++;
        }
      }
    }
    if (depth != 0 || valueStart < 0 || keys != parsedKeys) {
      return null;
    }
    byte[] out = new byte[to - (valueEnd - valueStart) + value.length];
    System.arraycopy(body, 0, out, 0, valueStart);
    System.arraycopy(value, 0, out, valueStart, value.length);
    System.arraycopy(body, valueEnd, out, valueStart + value.length, to - valueEnd);
    return out;
  }

  /** The bytes of numbers and of {@code true}, {@code false}, {@code null}. */
  private static boolean isLiteralByte(byte c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
        || c == 't' || c == 'r' || c == 'u' || c == 'f' || c == 'a' || c == 'l' || c == 's' || c == 'n';
  }

  private static boolean plainAscii(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == '\\' || b[i] < 0x20) { // bytes >= 0x80 are negative
        return false;
      }
    }
    return true;
  }

  private static boolean isModelIgnoringCase(byte[] b, int from, int to) {
    return to - from == 5 && new String(b, from, 5, StandardCharsets.US_ASCII).equalsIgnoreCase("model");
  }
}
