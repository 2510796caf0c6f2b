package dev.switchboard.backend;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow client must pause the backend, not fill Switchboard's heap: flow control crosses the event
 * bus as credits, and the upstream response is paused while the client's socket is full.
 */
@ExtendWith(VertxExtension.class)
class BackpressureTest {

  private static final int CHUNK = 16 * 1024;
  private static final long CAP = 512L * 1024 * 1024;

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private final AtomicLong written = new AtomicLong();

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    String event = FakeOpenAiBackend.chunk("m", "x".repeat(CHUNK));
    backend.behave((req, body) -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      pump(resp, event);
    });
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: fast
            litellm_params: {model: openai/m, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  /** Writes as fast as the socket takes it (up to a cap), like a backend generating at full speed. */
  private void pump(HttpServerResponse resp, String event) {
    while (!resp.writeQueueFull() && !resp.closed() && written.get() < CAP) {
      resp.write(event);
      written.addAndGet(event.length());
    }
    if (!resp.closed() && written.get() < CAP) {
      resp.drainHandler(v -> pump(resp, event));
    }
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void slowReaderPausesTheBackendInsteadOfBuffering() throws Exception {
    long read = 0;
    try (RawHttp client = RawHttp.post(sb.node().port(), "/v1/chat/completions",
        "{\"model\":\"fast\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 64 * 1024)) {
      byte[] buf = new byte[4096];
      long end = System.currentTimeMillis() + 3_000;
      while (System.currentTimeMillis() < end) {
        int n = client.read(buf, 4096);
        if (n < 0) {
          break;
        }
        read += n;
        Thread.sleep(20); // the slow reader itself: about 200 KB/s
      }
      long ahead = written.get() - read;
      // Socket buffers on both sides plus the credit window; without flow control the backend
      // would have pushed hundreds of MB in these 3 s.
      assertThat(ahead).as("bytes the backend got ahead of the client").isLessThan(48L * 1024 * 1024);
      assertThat(read).isGreaterThan(0);
    }
  }
}
