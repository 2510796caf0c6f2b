package dev.switchboard.backend.ollama;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts Ollama's NDJSON body into lines as the chunks arrive, with Vert.x's {@link RecordParser}. A chunk
 * may end inside a line (even inside a multi-byte character: lines are cut on bytes and decoded whole) or
 * hold several lines; a complete line is handed out with the chunk that completes it, never held back.
 */
final class NdjsonLines {

  private final RecordParser parser = RecordParser.newDelimited("\n", this::line);
  private final List<String> lines = new ArrayList<>(2);
  /** The bytes after the last line feed: a line not complete yet. */
  private Buffer tail = Buffer.buffer();

  /** The complete, non-blank lines this chunk finishes, in order. */
  List<String> feed(Buffer chunk) {
    lines.clear();
    parser.handle(chunk);
    int lastLineFeed = -1;
    for (int i = chunk.length() - 1; i >= 0 && lastLineFeed < 0; i--) {
      lastLineFeed = chunk.getByte(i) == '\n' ? i : -1;
    }
    tail = lastLineFeed < 0 ? tail.appendBuffer(chunk) : chunk.getBuffer(lastLineFeed + 1, chunk.length());
    return lines;
  }

  /** What is left after the body ended: a last line without its newline, or null. */
  String rest() {
    String last = tail.toString(StandardCharsets.UTF_8).strip();
    tail = Buffer.buffer();
    return last.isEmpty() ? null : last;
  }

  private void line(Buffer line) {
    String text = line.toString(StandardCharsets.UTF_8).strip();
    if (!text.isEmpty()) {
      lines.add(text);
    }
  }
}
