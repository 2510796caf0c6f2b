package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import dev.switchboard.node.Switchboard;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The TCP event bridge: outside subscribers see events, and can neither send nor flood. */
@ExtendWith(VertxExtension.class)
class EventBridgeTest {

  private static final String CHAT = "{\"model\":\"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private NetClient net;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params:
              model: openai/qwen3-coder-30b
              api_base: %s
        """.formatted(backend.apiBase()), new Switchboard.Options("127.0.0.1", 0, 1, 0));
    net = vertx.createNetClient();
  }

  @AfterEach
  void stop() {
    net.close().await();
    sb.close();
    backend.close();
  }

  @Test
  void registeredSubscriberReceivesEachRequestsEvent() throws Exception {
    Subscriber s = connect();
    s.send(new JsonObject().put("type", "register").put("address", Addresses.METRICS));
    s.send(new JsonObject().put("type", "ping"));
    assertThat(s.next().getString("type")).isEqualTo("pong");

    var resp = sb.post("/v1/chat/completions", CHAT);

    JsonObject frame = s.next();
    assertThat(frame.getString("type")).isEqualTo("message");
    assertThat(frame.getString("address")).isEqualTo(Addresses.METRICS);
    assertThat(frame.getJsonObject("body").getString("request_id"))
        .isEqualTo(resp.headers().firstValue("x-litellm-call-id").orElseThrow());
    assertThat(frame.getJsonObject("body").getString("outcome")).isEqualTo("ok");
  }

  @Test
  void subscriberCannotSendToABackendNorListenToOne() throws Exception {
    Subscriber s = connect();
    s.send(new JsonObject().put("type", "send").put("address", Addresses.backend("coder"))
        .put("body", new JsonObject().put("model", "coder")));
    JsonObject refused = s.next();
    assertThat(refused.getString("type")).isEqualTo("err");
    assertThat(refused.getString("message")).isEqualTo("access_denied");
    s.send(new JsonObject().put("type", "publish").put("address", Addresses.METRICS).put("body", new JsonObject()));
    assertThat(s.next().getString("message")).isEqualTo("access_denied");
    s.send(new JsonObject().put("type", "register").put("address", Addresses.backend("coder")));
    assertThat(s.next().getString("message")).isEqualTo("access_denied");

    // Refused frames are dropped where they are refused: the answers above mean none went on.
    assertThat(backend.received()).isEmpty();
    assertThat(PrometheusMetricsTest.value(sb.node().metrics().registry().scrape(),
        "switchboard_bridge_rejected_frames_total", "reason=\"access_denied\"")).hasValue(3.0);
  }

  @Test
  void oversizedFrameClosesTheConnection() throws Exception {
    Subscriber s = connect();
    s.socket.write(Buffer.buffer().appendInt(10 * 1024 * 1024).appendString("{\"type\":"));

    assertThat(s.next().getString("message")).isEqualTo("frame_too_large");
    s.closed.get(5, TimeUnit.SECONDS);
  }

  @Test
  void eventsForASubscriberThatDoesNotReadAreDroppedAndCounted(Vertx vertx) throws Exception {
    Subscriber s = connect();
    s.send(new JsonObject().put("type", "register").put("address", Addresses.METRICS));
    s.send(new JsonObject().put("type", "ping"));
    assertThat(s.next().getString("type")).isEqualTo("pong");
    s.socket.pause();

    // Some tens of MB: more than the kernel's socket buffers and the bridge's write queue together.
    JsonObject big = new JsonObject().put("pad", "x".repeat(64 * 1024));
    for (int i = 0; i < 800; i++) {
      vertx.eventBus().publish(Addresses.METRICS, big);
    }
    Await.until(Duration.ofSeconds(10), "switchboard_bridge_dropped_events_total > 0",
        () -> PrometheusMetricsTest.value(sb.node().metrics().registry().scrape(),
            "switchboard_bridge_dropped_events_total", "address=\"switchboard.metrics\"").orElse(0.0) > 0);
  }

  @Test
  void subscriberThatSendsButDoesNotReadIsThrottledNotBuffered() throws Exception {
    Subscriber s = connect();
    s.socket.pause();
    // Each refused frame is answered with an err frame five times its size. Some 30 MB of answers:
    // far more than the kernel's socket buffers and the bridge's write queue hold.
    int frames = 300_000;
    Buffer json = new JsonObject().put("type", "publish").toBuffer();
    Buffer batch = Buffer.buffer();
    for (int i = 0; i < 10_000; i++) {
      batch.appendInt(json.length()).appendBuffer(json);
    }
    for (int i = 0; i < frames / 10_000; i++) {
      s.socket.write(batch);
    }

    // The bridge stops reading once its answers back up; it does not queue them in memory.
    double[] last = {-1};
    int[] steady = {0};
    Await.until(Duration.ofSeconds(20), "the bridge stops reading from a client that does not read", () -> {
      double now = rejected();
      steady[0] = now == last[0] ? steady[0] + 1 : 0;
      last[0] = now;
      return steady[0] >= 8;
    });
    assertThat(last[0]).isPositive().isLessThan(frames / 2.0);

    // Nothing is lost: once the client reads, every frame gets its answer.
    s.frames.clear();
    long[] bytes = {0};
    s.socket.handler(b -> bytes[0] += b.length());
    s.socket.resume();
    Await.until(Duration.ofSeconds(30), "every frame answered once the client reads", () -> rejected() == frames);
  }

  private double rejected() {
    return PrometheusMetricsTest.value(sb.node().metrics().registry().scrape(),
        "switchboard_bridge_rejected_frames_total", "reason=\"access_denied\"").orElse(0.0);
  }

  private Subscriber connect() {
    NetSocket socket = net.connect(sb.node().metrics().bridgePort(), "127.0.0.1").await();
    return new Subscriber(socket);
  }

  /** A minimal client of the bridge's wire format: a 4-byte big-endian length, then JSON. */
  private static final class Subscriber {
    final NetSocket socket;
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    Subscriber(NetSocket socket) {
      this.socket = socket;
      RecordParser parser = RecordParser.newFixed(4);
      boolean[] body = {false};
      parser.handler(record -> {
        if (body[0]) {
          frames.add(record.toJsonObject());
          parser.fixedSizeMode(4);
        } else {
          parser.fixedSizeMode(record.getInt(0));
        }
        body[0] = !body[0];
      });
      socket.handler(parser);
      socket.closeHandler(v -> closed.complete(null));
    }

    void send(JsonObject frame) {
      Buffer json = frame.toBuffer();
      socket.write(Buffer.buffer().appendInt(json.length()).appendBuffer(json));
    }

    JsonObject next() throws InterruptedException {
      JsonObject f = frames.poll(10, TimeUnit.SECONDS);
      assertThat(f).as("a frame from the bridge within 10 s").isNotNull();
      return f;
    }
  }
}
