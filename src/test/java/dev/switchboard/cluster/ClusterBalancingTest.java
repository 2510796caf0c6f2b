package dev.switchboard.cluster;

import dev.switchboard.bus.Addresses;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.NodeProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two GPU nodes each serving a deployment of one model group behind a front door, all on a TLS event
 * bus: traffic reaches both, a metrics consumer on another node sees each request once, a node that dies
 * leaves the group to the other within 2 s, and a reload on one node shows up in the front door's listing.
 */
class ClusterBalancingTest extends ClusterSpec {

  FakeOpenAiBackend box1;
  FakeOpenAiBackend box2;
  SelfSignedCertificate cert;

  @BeforeEach
  void start(Vertx vertx) {
    box1 = FakeOpenAiBackend.start(vertx);
    box2 = FakeOpenAiBackend.start(vertx);
    cert = SelfSignedCertificate.create("localhost");
  }

  @AfterEach
  void stop() {
    box1.close();
    box2.close(); // again: the test closes it
    cert.delete();
  }

  @Test
  void oneModelOnTwoNodesIsBalancedOverTlsAndEachRequestIsOneMetricsEvent() throws Exception {
    // Every node presents the same self-signed certificate and trusts only it.
    String tls = "tls: {cert: %s, key: %s, ca: %s}".formatted(cert.certificatePath(), cert.privateKeyPath(),
        cert.certificatePath());
    int bridgePort = freePort();
    NodeProcess front = nodeWith("front", "model_list: []", tls);
    NodeProcess gpu1 = nodeWith("gpu1", gpuConfig(box1.apiBase()), tls, "--bridge-port", Integer.toString(bridgePort));
    NodeProcess gpu2 = nodeWith("gpu2", gpuConfig(box2.apiBase()), tls);
    for (NodeProcess n : List.of(front, gpu1, gpu2)) {
      n.awaitReady(JOIN);
      assertThat(n.output()).contains("event bus TLS");
    }
    Await.until(JOIN, "the front door sees both GPU nodes",
        () -> modelInfo(front).stream().mapToInt(r -> ((JsonObject) r).getJsonArray("nodes").size()).sum() == 2);
    assertThat(listed(front)).containsExactly("qwen3-coder"); // one name, two deployments
    // The front door's event bus learns each node's consumer from Hazelcast on its own schedule, after
    // the catalog's gossip: until then every call goes to the node it knows (a run of the full suite
    // sent all 20 below to box 1). Balance is counted once each GPU node has answered through it.
    Await.until(JOIN, "a chat completion served by each GPU node through the front door",
        () -> chat(front, false).statusCode() == 200 && !box1.received().isEmpty() && !box2.received().isEmpty());
    // /health on the front door probes the model on each node, as LiteLLM lists each deployment.
    JsonObject health = new JsonObject(get(front, "/health").body());
    assertThat(health.getInteger("healthy_count")).as(health.encode()).isEqualTo(2);
    assertThat(health.getJsonArray("healthy_endpoints").stream().map(e -> ((JsonObject) e).getString("api_base")))
        .containsExactlyInAnyOrder(box1.apiBase(), box2.apiBase());

    try (BridgeSubscriber metrics = new BridgeSubscriber(bridgePort)) {
      int before1 = box1.received().size();
      int before2 = box2.received().size();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> r = chat(front, i % 2 == 0);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ids.add(r.headers().firstValue("x-litellm-call-id").orElseThrow());
      }
      assertThat(box1.received().size() - before1).as("requests on GPU box 1").isPositive();
      assertThat(box2.received().size() - before2).as("requests on GPU box 2").isPositive();
      assertThat(box1.received().size() - before1 + box2.received().size() - before2).isEqualTo(20);

      // Events from one node arrive in order: once the last one is in, a duplicate would be too.
      Map<String, Integer> seen = metrics.countUntil(ids.get(ids.size() - 1));
      for (String id : ids) {
        assertThat(seen.getOrDefault(id, 0)).as("events for request " + id).isEqualTo(1);
      }
    }

    // gpu1 freezes: a call it does not acknowledge in time is taken by gpu2 (thawed before Hazelcast drops it).
    gpu1.freeze();
    try {
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = chat(front, i == 0);
        assertThat(r.statusCode()).as("request %d with gpu1 frozen: %s", i, r.body()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"error\"");
      }
    } finally {
      gpu1.thaw();
    }
    awaitServed(front);

    // gpu1 dies (SIGKILL): the group's other deployment, on gpu2, serves within 2 s, and keeps serving.
    gpu1.kill();
    long killedAt = System.nanoTime();
    HttpResponse<String> first = chat(front, false);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(millis(System.nanoTime() - killedAt)).as("first answer after the kill, ms").isLessThan(2_000);
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = chat(front, i % 2 == 0);
      assertThat(r.statusCode()).as("request %d with gpu1 dead: %s", i, r.body()).isEqualTo(200);
      assertThat(r.body()).doesNotContain("\"error\"");
    }
    gpu1.restart();
    gpu1.awaitReady(JOIN);
    Await.until(JOIN, "the front door sees gpu1 again",
        () -> modelInfo(front).stream().mapToInt(r -> ((JsonObject) r).getJsonArray("nodes").size()).sum() == 2);
    awaitServed(front);

    // GPU box 2's server goes away: gpu2 turns calls away (503) and the front door offers them to gpu1.
    box2.close();
    int served1 = box1.received().size();
    for (int i = 0; i < 10; i++) {
      HttpResponse<String> r = chat(front, false);
      assertThat(r.statusCode()).as("request %d with box 2 down: %s", i, r.body()).isEqualTo(200);
    }
    // At least: a call gpu1 held while frozen may reach box 1 late, and is cancelled (nobody reads it).
    assertThat(box1.received().size() - served1).isGreaterThanOrEqualTo(10);

    // A model added on gpu2 by editing its file is listed by the front door within seconds.
    Files.writeString(gpu2.config(), Files.readString(gpu2.config()).replace("model_list:\n", """
        model_list:
          - model_name: qwen3-8b
            litellm_params: {model: openai/qwen3-8b, mock_response: "from gpu2's new model"}
        """));
    Duration took = Await.until(Duration.ofSeconds(10), "qwen3-8b listed by the front door",
        () -> listed(front).contains("qwen3-8b"));
    assertThat(took).isLessThan(Duration.ofSeconds(6));
    HttpResponse<String> added = chat(front, "qwen3-8b", false);
    assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
    assertThat(added.body()).contains("from gpu2's new model");

    // ... and removed again: it leaves the listing, and is unknown (400) once no node has it.
    Files.writeString(gpu2.config(), gpuConfig(box2.apiBase()) + Files.readString(gpu2.config())
        .substring(Files.readString(gpu2.config()).indexOf("general_settings:")));
    Await.until(Duration.ofSeconds(10), "qwen3-8b leaves the front door's listing",
        () -> !listed(front).contains("qwen3-8b"));
    assertThat(chat(front, "qwen3-8b", false).statusCode()).isEqualTo(400);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A consumer outside the JVM: the TCP event bridge's wire format (4-byte length, JSON). */
  static final class BridgeSubscriber implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;

    BridgeSubscriber(int port) throws Exception {
      Socket[] connected = new Socket[1];
      Await.until(Duration.ofSeconds(10), "the node's event bridge accepting on port " + port, () -> {
        try {
          connected[0] = new Socket("127.0.0.1", port);
          return true;
        } catch (IOException notYet) {
          return false;
        }
      });
      socket = connected[0];
      socket.setSoTimeout(15_000);
      in = new DataInputStream(socket.getInputStream());
      send(new JsonObject().put("type", "register").put("address", Addresses.METRICS));
      send(new JsonObject().put("type", "ping"));
      while (!"pong".equals(next().getString("type"))) {
        // the pong says the registration is in place
      }
    }

    void send(JsonObject frame) throws IOException {
      byte[] bytes = frame.encode().getBytes(StandardCharsets.UTF_8);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(bytes.length);
      out.write(bytes);
      out.flush();
    }

    JsonObject next() throws IOException {
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      return new JsonObject(new String(bytes, StandardCharsets.UTF_8));
    }

    /** Counts events per request id until the one for {@code lastId} arrives. */
    Map<String, Integer> countUntil(String lastId) throws IOException {
      Map<String, Integer> seen = new HashMap<>();
      while (true) {
        JsonObject frame = next();
        if (!"message".equals(frame.getString("type"))) {
          continue;
        }
        String id = frame.getJsonObject("body").getString("request_id");
        seen.merge(id, 1, Integer::sum);
        if (lastId.equals(id)) {
          return seen;
        }
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
