package dev.switchboard.backend;

import dev.switchboard.testkit.ClosingSseBackend;
import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stream whose backend finished reaches the client whole, always. llama-server closes the
 * connection (FIN) right after every stream; when the last events, the chunked terminator and the
 * FIN arrive in one read while the relay holds the upstream response paused (the credit window is
 * used up because the client reads slowly, or simply because the events came faster than credit
 * could come back), the close must not be taken for a failure nor the buffered tail dropped.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamTailTest {

  private static final String STREAM = "{\"model\":\"m\",\"stream\":true,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private ClosingSseBackend backend;
  private TestNode sb;

  private void start(Vertx vertx, int events, int eventSize) {
    backend = ClosingSseBackend.start(vertx, events, eventSize);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    if (sb != null) {
      sb.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void lastEventsTerminatorAndCloseInOneReadReachTheClientWhole(Vertx vertx) {
    start(vertx, 400, 200); // ~80 KB written at once, then FIN: far more events than the credit window
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> resp = sb.post("/v1/chat/completions", STREAM);
      assertThat(resp.statusCode()).isEqualTo(200);
      assertWhole(resp.body(), i);
    }
  }

  @Test
  void slowReaderGetsTheWholeStreamOfABackendThatClosesRightAfterIt(Vertx vertx) throws Exception {
    start(vertx, 403, 4 * 1024); // ~1.6 MB: more than the socket buffers hold, so the relay stays paused
    for (int i = 0; i < 3; i++) {
      assertWhole(dechunk(readSlowly()), i);
    }
  }

  /** The client got every event the backend wrote, in order, and nothing else (no error event). */
  private void assertWhole(String body, int attempt) {
    String expected = backend.expectedBody();
    String end = body.substring(Math.max(0, body.length() - 300));
    assertThat(body.equals(expected)).as("stream %d whole (%d of %d bytes); it ended with: %s", attempt, body.length(),
        expected.length(), end).isTrue();
  }

  /** Reads the response 4 KB at a time, 2 ms apart, through a 16 KB receive buffer. */
  private String readSlowly() throws Exception {
    try (RawHttp client = RawHttp.post(sb.node().port(), "/v1/chat/completions", STREAM, 16 * 1024)) {
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = client.read(buf, buf.length)) > 0) {
        all.write(buf, 0, n);
        if (all.toString(StandardCharsets.UTF_8).endsWith("\r\n0\r\n\r\n")) {
          break;
        }
        Thread.sleep(2); // the slow reader itself
      }
      return all.toString(StandardCharsets.UTF_8);
    }
  }

  /** The body of a chunked HTTP/1.1 response, without its status line, headers and chunk framing. */
  private static String dechunk(String response) {
    String rest = response.substring(response.indexOf("\r\n\r\n") + 4);
    StringBuilder body = new StringBuilder();
    byte[] bytes = rest.getBytes(StandardCharsets.UTF_8);
    int at = 0;
    while (true) {
      int lineEnd = indexOf(bytes, at);
      int size = Integer.parseInt(new String(bytes, at, lineEnd - at, StandardCharsets.US_ASCII).trim(), 16);
      if (size == 0) {
        return body.toString();
      }
      body.append(new String(bytes, lineEnd + 2, size, StandardCharsets.UTF_8));
      at = lineEnd + 2 + size + 2;
    }
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length - 1; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    throw new AssertionError("no chunk size line after byte " + from);
  }
}
