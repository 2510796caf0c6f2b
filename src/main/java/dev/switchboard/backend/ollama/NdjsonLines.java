package dev.switchboard.backend.ollama;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts Ollama's NDJSON body into lines as the chunks arrive. A chunk may end inside a line (even inside a
 * multi-byte character: lines are cut on bytes and decoded whole) or hold several lines; a complete line is
 * handed out with the chunk that completes it, never held back.
 */
final class NdjsonLines {

  private byte[] pending = new byte[0];

  /** The complete, non-blank lines this chunk finishes, in order. */
  List<String> feed(Buffer chunk) {
    byte[] b = pending.length == 0 ? chunk.getBytes() : concat(pending, chunk.getBytes());
    List<String> lines = new ArrayList<>(2);
    int start = 0;
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '\n') {
        addIfNotBlank(lines, b, start, i);
        start = i + 1;
      }
    }
    pending = start == 0 ? b : Arrays.copyOfRange(b, start, b.length);
    return lines;
  }

  /** What is left after the body ended: a last line without its newline, or null. */
  String rest() {
    List<String> last = new ArrayList<>(1);
    addIfNotBlank(last, pending, 0, pending.length);
    pending = new byte[0];
    return last.isEmpty() ? null : last.get(0);
  }

  private static void addIfNotBlank(List<String> into, byte[] b, int from, int to) {
    String line = new String(b, from, to - from, StandardCharsets.UTF_8).strip();
    if (!line.isEmpty()) {
      into.add(line);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
