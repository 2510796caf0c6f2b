package dev.switchboard.responses;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code data} of server-sent events from bytes in pieces of any size: an event split across
 * pieces waits for its end, several events in one piece all come out. Lines are cut at {@code \n}
 * bytes before decoding, so a UTF-8 character split across pieces is never broken; {@code \r\n} works too.
 */
final class SseDataReader {

  private Buffer pending = Buffer.buffer();
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;

  /** The data of every event {@code piece} completed, in order. */
  List<String> read(Buffer piece) {
    List<String> out = new ArrayList<>();
    Buffer bytes = pending.length() == 0 ? piece : pending.appendBuffer(piece);
    int start = 0;
    for (int i = 0; i < bytes.length(); i++) {
      if (bytes.getByte(i) == '\n') {
        int end = i > start && bytes.getByte(i - 1) == '\r' ? i - 1 : i;
        line(bytes.getString(start, end, StandardCharsets.UTF_8.name()), out);
        start = i + 1;
      }
    }
    pending = start == bytes.length() ? Buffer.buffer() : bytes.getBuffer(start, bytes.length());
    return out;
  }

  /** The data of an event the stream ended in without its blank line, if any. */
  List<String> end() {
    List<String> out = new ArrayList<>();
    if (pending.length() > 0) {
      line(pending.toString(StandardCharsets.UTF_8), out);
      pending = Buffer.buffer();
    }
    line("", out);
    return out;
  }

  private void line(String line, List<String> out) {
    if (line.isEmpty()) {
      if (hasData) {
        out.add(data.toString());
        data.setLength(0);
        hasData = false;
      }
      return;
    }
    if (line.startsWith("data:")) {
      String value = line.startsWith("data: ") ? line.substring(6) : line.substring(5);
      if (hasData) {
        data.append('\n');
      }
      data.append(value);
      hasData = true;
    }
    // event:, id:, retry: and comments carry nothing a chat-completion stream needs.
  }
}
