package dev.switchboard.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible stream server at the socket level, shaped like llama-server: it answers a
 * stream with {@code Keep-Alive} but closes the connection (FIN) right after the chunked terminator,
 * and it can write the whole answer, terminator and FIN in one go, which an HTTP server framework
 * never does on purpose. Probes ({@code GET …/models}) get a one-model list.
 */
public final class ClosingSseBackend {

  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final String model;
  private final int events;
  private final int eventSize;
  private NetServer server;

  private ClosingSseBackend(String model, int events, int eventSize) {
    this.model = model;
    this.events = events;
    this.eventSize = eventSize;
  }

  /** Answers each stream with {@code events} content chunks of about {@code eventSize} bytes, a usage chunk and [DONE]. */
  public static ClosingSseBackend start(Vertx vertx, int events, int eventSize) {
    ClosingSseBackend b = new ClosingSseBackend("m", events, eventSize);
    b.server = vertx.createNetServer().connectHandler(b::onConnection).listen(0, "127.0.0.1").await();
    return b;
  }

  public String apiBase() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  /** Streams answered whole (the last byte and the FIN were handed to the socket). */
  public int answered() {
    return answered.get();
  }

  /** Connections closed, by either side. */
  public int closed() {
    return closed.get();
  }

  public void close() {
    server.close().await();
  }

  /** The events of one answer, as the client should see them: content chunks, usage, [DONE]. */
  public String expectedBody() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < events; i++) {
      sb.append(FakeOpenAiBackend.chunk(model, i + ":" + "x".repeat(Math.max(0, eventSize - 150))));
    }
    sb.append(FakeOpenAiBackend.usageChunk(model, 3, events)).append(FakeOpenAiBackend.DONE);
    return sb.toString();
  }

  private void onConnection(NetSocket socket) {
    socket.closeHandler(v -> closed.incrementAndGet());
    Buffer[] in = {Buffer.buffer()};
    socket.handler(b -> {
      in[0].appendBuffer(b);
      String text = in[0].toString(StandardCharsets.ISO_8859_1);
      int headEnd = text.indexOf("\r\n\r\n");
      if (headEnd < 0) {
        return;
      }
      String head = text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT);
      if (head.startsWith("get ")) {
        String list = "{\"object\":\"list\",\"data\":[{\"id\":\"tiny.gguf\",\"object\":\"model\"}]}";
        socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: "
            + list.length() + "\r\n\r\n" + list);
        in[0] = Buffer.buffer(text.substring(headEnd + 4));
        return;
      }
      int length = contentLength(head);
      if (text.length() - headEnd - 4 < length) {
        return;
      }
      socket.handler(null);
      Buffer out = Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
          + "Keep-Alive: timeout=5, max=100\r\nTransfer-Encoding: chunked\r\n\r\n");
      String body = expectedBody();
      // One HTTP chunk per SSE event, as llama-server writes them.
      for (String event : body.split("(?<=\n\n)")) {
        byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
        out.appendString(Integer.toHexString(bytes.length) + "\r\n").appendBytes(bytes).appendString("\r\n");
      }
      out.appendString("0\r\n\r\n");
      socket.write(out).compose(v -> socket.close()).onSuccess(v -> answered.incrementAndGet());
    });
  }

  private static int contentLength(String head) {
    for (String line : head.split("\r\n")) {
      if (line.startsWith("content-length:")) {
        return Integer.parseInt(line.substring("content-length:".length()).trim());
      }
    }
    return 0;
  }
}
