package dev.switchboard.backend;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call given up (the client left) while its connection to the backend is still being made: once the
 * connection is up, the request must not be sent. Sent, it would start a generation nobody reads,
 * and the backend would stream it into Switchboard for as long as it likes.
 *
 * <p>The slow connect is a backend whose accept queue is full: its SYNs are dropped until the test
 * starts accepting, and the kernel's retransmission (about a second later) completes the connect.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GiveUpBeforeConnectTest {

  private ServerSocket backend;
  private io.vertx.core.http.HttpServer health;
  private final List<Socket> fillers = new ArrayList<>();
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    backend = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
    // Probes go elsewhere, so that they neither use up nor wait in the backend's accept queue.
    health = vertx.createHttpServer().requestHandler(req -> req.response().end("ok")).listen(0, "127.0.0.1").await();
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: busy
            litellm_params: {model: openai/m, api_base: "http://127.0.0.1:%d/v1"}
            model_info: {health_check_url: "http://127.0.0.1:%d/health"}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.getLocalPort(), health.actualPort()));
    Await.until(Duration.ofSeconds(5), "the first probe is in", () -> state(vertx).getString("state").equals("healthy"));
    for (int i = 0; i < 2; i++) {
      Socket s = new Socket();
      s.connect(backend.getLocalSocketAddress(), 1_000); // fills the accept queue; nobody accepts them yet
      fillers.add(s);
    }
  }

  @AfterEach
  void stop() throws Exception {
    sb.close();
    for (Socket s : fillers) {
      s.close();
    }
    backend.close();
    health.close().await();
  }

  private JsonObject state(Vertx vertx) {
    return vertx.eventBus().<JsonObject>request(sb.stateAddress("busy"), new JsonObject()).await().body();
  }

  @Test
  void aRequestWhoseClientLeftWhileConnectingIsNeverSent(Vertx vertx) throws Exception {
    try (RawHttp client = RawHttp.post(sb.node().port(), "/v1/chat/completions",
        "{\"model\":\"busy\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 0)) {
      Await.until(Duration.ofSeconds(5), "the call is running (connecting)", () -> state(vertx).getInteger("in_flight") == 1);
    }
    Await.until(Duration.ofSeconds(5), "the cancel reached the backend verticle", () -> state(vertx).getInteger("in_flight") == 0);
    assertThat(firstBytesOfSwitchboardsConnection()).as("what the backend received").isEmpty();
  }

  /** Frees the accept queue, then reads what Switchboard's connection (made by SYN retransmission) carries. */
  private String firstBytesOfSwitchboardsConnection() throws Exception {
    backend.setSoTimeout(10_000);
    for (int i = 0; i < fillers.size(); i++) {
      backend.accept().close();
    }
    try (Socket conn = backend.accept()) {
      conn.setSoTimeout(5_000);
      InputStream in = conn.getInputStream();
      byte[] buf = new byte[64];
      int n;
      try {
        n = in.read(buf);
      } catch (java.net.SocketException reset) {
        n = -1;
      }
      return n <= 0 ? "" : new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
    }
  }
}
