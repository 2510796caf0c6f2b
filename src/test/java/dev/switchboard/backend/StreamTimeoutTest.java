package dev.switchboard.backend;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stream_timeout} as real servers meet it: llama-server and vLLM send a stream's headers at
 * once, then go silent (a stuck slot, a dead GPU). The silence counts from the headers and between
 * two chunks; the whole {@code timeout} is much longer here, so only stream_timeout can end these.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class StreamTimeoutTest {

  private static final String STREAM = "{\"model\":\"slow\",\"stream\":true,"
      + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private FakeOpenAiBackend backend;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: slow
            litellm_params: {model: openai/m, api_base: %s, timeout: 60, stream_timeout: 1}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void streamHeadersThenSilenceIs408WithinTheStreamTimeout() throws Exception {
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .writeHead());
    long t0 = System.nanoTime();
    HttpResponse<String> resp = sb.post("/v1/chat/completions", STREAM);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000);
    assertThat(resp.statusCode()).isEqualTo(408);
    assertThat(new JsonObject(resp.body()).getJsonObject("error").getString("message"))
        .startsWith("litellm.Timeout").contains("stream_timeout");
    backend.clientClosed().get(2, TimeUnit.SECONDS);
  }

  @Test
  void silenceBetweenChunksEndsTheStreamWithAnErrorEvent() throws Exception {
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .write(FakeOpenAiBackend.chunk("m", "first")));
    long t0 = System.nanoTime();
    HttpResponse<String> resp = sb.post("/v1/chat/completions", STREAM);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).contains("first").contains("data: {\"error\":").contains("\"code\":\"408\"")
        .doesNotContain("[DONE]");
    backend.clientClosed().get(2, TimeUnit.SECONDS);
  }

  @Test
  void silenceAfterTheFirstChunkIsBoundedByTheSilenceLimitNotTheFirstTokenWait(Vertx vertx) throws Exception {
    useModel(vertx, "stream_silence_timeout: 1"); // stream_timeout stays at its 6000 s default
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .write(FakeOpenAiBackend.chunk("m", "first"))); // then nothing, connection open: llama-server after SIGTERM
    long t0 = System.nanoTime();
    HttpResponse<String> resp = sb.post("/v1/chat/completions", STREAM);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).contains("first").contains("stream_silence_timeout").contains("\"code\":\"408\"")
        .doesNotContain("[DONE]");
    backend.clientClosed().get(2, TimeUnit.SECONDS);
  }

  @Test
  void aSlowFirstTokenIsNotCutByTheSilenceLimit(Vertx vertx) {
    useModel(vertx, "stream_silence_timeout: 1");
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream").writeHead();
      // A long prompt on a CPU: headers at once, the first token 2.5 s later, then the answer.
      vertx.setTimer(2_500, id -> req.response().write(FakeOpenAiBackend.chunk("m", "a"))
          .compose(v -> req.response().write(FakeOpenAiBackend.chunk("m", "b")))
          .compose(v -> req.response().end(FakeOpenAiBackend.DONE)));
    });
    HttpResponse<String> resp = sb.post("/v1/chat/completions", STREAM);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body()).doesNotContain("\"error\"").contains("\"a\"").endsWith("data: [DONE]\n\n");
  }

  /** Restarts Switchboard with model {@code slow} carrying {@code params} (and no stream_timeout). */
  private void useModel(Vertx vertx, String params) {
    sb.close();
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: slow
            litellm_params: {model: openai/m, api_base: %s, %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase(), params));
  }

  @Test
  void aPausedStreamIsNotASilentBackend() throws Exception {
    String event = FakeOpenAiBackend.chunk("m", "x".repeat(16 * 1024));
    int events = 1_500; // ~25 MB: more than the socket buffers and the credit window hold
    backend.behave((req, body) -> {
      HttpServerResponse resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      pump(resp, event, events);
    });
    try (RawHttp client = RawHttp.post(sb.node().port(), "/v1/chat/completions", STREAM, 16 * 1024)) {
      byte[] buf = new byte[64 * 1024];
      ByteArrayOutputStream tail = new ByteArrayOutputStream();
      client.read(buf, buf.length);
      Thread.sleep(2_500); // the client reads nothing for longer than stream_timeout: the backend is paused
      int n;
      while ((n = client.read(buf, buf.length)) > 0) {
        tail.write(buf, 0, n);
        if (tail.toString(StandardCharsets.UTF_8).endsWith("\r\n0\r\n\r\n")) {
          break;
        }
        if (tail.size() > 256 * 1024) {
          byte[] keep = java.util.Arrays.copyOfRange(tail.toByteArray(), tail.size() - 1024, tail.size());
          tail.reset();
          tail.write(keep);
        }
      }
      assertThat(tail.toString(StandardCharsets.UTF_8)).doesNotContain("\"error\"").contains("data: [DONE]");
    }
  }

  /** Writes {@code left} events as fast as the socket takes them, then [DONE]. */
  private static void pump(HttpServerResponse resp, String event, int left) {
    int i = left;
    while (i > 0 && !resp.writeQueueFull() && !resp.closed()) {
      resp.write(event);
      i--;
    }
    if (resp.closed()) {
      return;
    }
    if (i == 0) {
      resp.end(FakeOpenAiBackend.DONE);
      return;
    }
    int rest = i;
    resp.drainHandler(v -> pump(resp, event, rest));
  }
}
