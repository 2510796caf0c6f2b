package dev.switchboard.api;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** switchboard_settings.client_idle_timeout: idle and never-finished connections go; requests in flight stay. */
@ExtendWith(VertxExtension.class)
class ClientIdleTimeoutTest {

  private static final String STREAM = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private FakeOpenAiBackend backend;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: %s, api_key: none}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        switchboard_settings:
          client_idle_timeout: 0.5
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void aConnectionThatNeverFinishesItsHeadersIsClosed() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          .getBytes(StandardCharsets.US_ASCII));

      assertThat(s.getInputStream().read()).isEqualTo(-1); // closed by the server, long before the 10 s read timeout
    }
  }

  @Test
  void aBodyThatDoesNotArriveWithinTheTimeoutIsA408AndTheConnectionCloses() throws Exception {
    try (Socket s = connect()) {
      s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Authorization: Bearer " + TestNode.KEY + "\r\nContent-Length: 100\r\n\r\n{\"model\":")
          .getBytes(StandardCharsets.US_ASCII)); // 10 bytes of 100, then nothing

      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // to the server's close

      assertThat(answer).startsWith("HTTP/1.1 408").contains("\"type\":\"timeout_error\"")
          .contains("client_idle_timeout");
      assertThat(backend.received()).isEmpty();
    }
  }

  @Test
  void aStreamSilentForLongerThanTheTimeoutIsNotCut() throws Exception {
    backend.behave(backend.streaming("m", 1200, "first", "second"));
    try (Socket s = connect()) {
      send(s, STREAM);

      String answer = readUntil(s.getInputStream(), "0\r\n\r\n");

      assertThat(answer).startsWith("HTTP/1.1 200").contains("\"content\":\"first\"")
          .contains("\"content\":\"second\"").contains("data: [DONE]");
    }
  }

  @Test
  void aKeptAliveConnectionServesRequestsThenIsClosedOnceIdle() throws Exception {
    backend.behave(backend.streaming("m", 0, "a"));
    try (Socket s = connect()) {
      send(s, STREAM);
      assertThat(readUntil(s.getInputStream(), "0\r\n\r\n")).contains("data: [DONE]");
      send(s, STREAM); // the same connection, at once: still open
      assertThat(readUntil(s.getInputStream(), "0\r\n\r\n")).startsWith("HTTP/1.1 200").contains("data: [DONE]");

      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", sb.node().port()), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  private static void send(Socket s, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nAuthorization: Bearer " + TestNode.KEY + "\r\nContent-Length: "
        + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().write(bytes);
  }

  /** Reads byte by byte, so nothing of a next response is taken with this one. */
  private static String readUntil(InputStream in, String marker) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith(marker)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      sb.append((char) b);
    }
    return sb.toString();
  }
}
