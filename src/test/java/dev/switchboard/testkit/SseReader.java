package dev.switchboard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads an SSE response body on a thread of its own, so a test can act (kill a node) while the
 * stream is open and then see when and how it ended.
 */
public final class SseReader {

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> firstEvent = new CompletableFuture<>();
  private final CompletableFuture<Long> ended = new CompletableFuture<>();

  public SseReader(InputStream body) {
    Thread t = new Thread(() -> read(body), "sse-reader");
    t.setDaemon(true);
    t.start();
  }

  private void read(InputStream body) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events.add(line.substring(6));
          firstEvent.complete(null);
        }
      }
    } catch (IOException cut) {
      events.add("<connection error: " + cut + ">");
    }
    ended.complete(System.nanoTime());
  }

  /** The data of every event so far ({@code [DONE]} included). */
  public List<String> events() {
    return events;
  }

  public CompletableFuture<Void> firstEvent() {
    return firstEvent;
  }

  /** Completes with {@link System#nanoTime()} at the end of the body. */
  public CompletableFuture<Long> ended() {
    return ended;
  }
}
