package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts an SSE body into whole events as its chunks arrive, with Vert.x's {@link RecordParser} on lines:
 * an event ends with a blank line (LF LF, or CR LF CR LF). Every byte is kept, the blank line included,
 * so that what goes out is exactly what came in.
 */
public final class SseEvents {

  private final RecordParser lines = RecordParser.newDelimited("\n", this::line);
  private final List<Buffer> complete = new ArrayList<>(4);
  private Buffer event = Buffer.buffer();
  /** The bytes after the last line feed: a line not complete yet. */
  private Buffer tail = Buffer.buffer();

  /** The events this chunk completes, in order, each with its blank line. */
  public List<Buffer> feed(Buffer chunk) {
    complete.clear();
    lines.handle(chunk);
    int lastLineFeed = lastLineFeed(chunk);
    tail = lastLineFeed < 0 ? tail.appendBuffer(chunk) : chunk.getBuffer(lastLineFeed + 1, chunk.length());
    return complete;
  }

  /** What is left once the body ended: the start of an event that never got its blank line (may be empty). */
  public Buffer rest() {
    Buffer rest = event.appendBuffer(tail);
    event = Buffer.buffer();
    tail = Buffer.buffer();
    return rest;
  }

  private void line(Buffer line) {
    event.appendBuffer(line).appendByte((byte) '\n');
    if (line.length() == 0 || line.length() == 1 && line.getByte(0) == '\r') {
      complete.add(event);
      event = Buffer.buffer();
    }
  }

  private static int lastLineFeed(Buffer b) {
    for (int i = b.length() - 1; i >= 0; i--) {
      if (b.getByte(i) == '\n') {
        return i;
      }
    }
    return -1;
  }
}
