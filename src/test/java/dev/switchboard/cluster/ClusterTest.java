package dev.switchboard.cluster;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.NodeProcess;
import dev.switchboard.testkit.SseReader;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clustered nodes in JVMs of their own, on loopback: a front door with no models in front of a node
 * that has the backend. The node is frozen, killed and restarted under the front door's feet.
 */
class ClusterTest extends ClusterSpec {

  FakeOpenAiBackend backend;

  @BeforeEach
  void startBackend(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    backend.behave((req, body) -> {
      if (body.getBoolean("stream", false)) {
        // 60 chunks, 100 ms apart: long enough to do things to the node while it streams.
        backend.streaming("qwen3-coder-30b", 100, new String[60]).handle(req, body);
      } else {
        req.response().putHeader("content-type", "application/json")
            .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "answered on the GPU box").encode());
      }
    });
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  @Test
  void frontDoorServesAnotherNodesModelAndFailsFastWhenThatNodeFreezesOrDies() throws Exception {
    NodeProcess front = node("front", "model_list: []");
    NodeProcess gpu = node("gpu", gpuConfig(backend.apiBase()));
    front.awaitReady(JOIN);
    gpu.awaitReady(JOIN);
    awaitListed(front, "qwen3-coder");

    // Through the front door, not streaming and streaming.
    HttpResponse<String> plain = chat(front, false);
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
    assertThat(new JsonObject(plain.body()).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("message").getString("content")).isEqualTo("answered on the GPU box");
    assertThat(backend.last().body().getString("model")).isEqualTo("qwen3-coder-30b");
    JsonArray gpuNode = modelInfo(gpu).getJsonObject(0).getJsonArray("nodes");
    assertThat(modelInfo(front).getJsonObject(0).getJsonArray("nodes")).isEqualTo(gpuNode);
    JsonObject membership = new JsonObject(get(front, "/health/readiness").body()).getJsonObject("cluster");
    assertThat(membership.getString("name")).isEqualTo(cluster);
    assertThat(membership.getJsonArray("nodes")).hasSize(2).contains(gpuNode.getString(0), membership.getString("node"));

    // A client that leaves mid-stream stops the generation on the other host (CANCEL crosses nodes).
    HttpResponse<InputStream> leaving = http.send(chatRequest(front, "qwen3-coder", true),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(leaving.body().read()).isPositive(); // the first byte of the first event
    leaving.body().close();
    backend.clientClosed().get(10, TimeUnit.SECONDS);

    // Frozen mid-stream (SIGSTOP: a GC pause, a hung host): the stream ends with an error event.
    SseReader stream = openStream(front);
    stream.firstEvent().get(10, TimeUnit.SECONDS);
    gpu.freeze();
    long frozenAt = System.nanoTime();
    long endedAt = stream.ended().get(10, TimeUnit.SECONDS);
    System.out.println("freeze -> stream ended: " + millis(endedAt - frozenAt) + " ms");
    assertThat(millis(endedAt - frozenAt)).as("stream ended after freeze").isLessThan(FAIL_FAST_MS);
    assertErrorEvent(stream);
    // ... and a new request is refused with 503 within the same bound, not after the bus's 30 s.
    long t0 = System.nanoTime();
    HttpResponse<String> whileFrozen = chat(front, false);
    assertThat(whileFrozen.statusCode()).as(whileFrozen.body()).isEqualTo(503);
    System.out.println("freeze -> 503: " + millis(System.nanoTime() - t0) + " ms");
    assertThat(millis(System.nanoTime() - t0)).as("503 while frozen").isLessThan(FAIL_FAST_MS);
    // Thawed before Hazelcast gives up on it (5 s): it serves again, with nothing done on the front door.
    gpu.thaw();
    awaitServed(front);

    // Killed mid-stream (SIGKILL: a crash).
    SseReader second = openStream(front);
    second.firstEvent().get(10, TimeUnit.SECONDS);
    gpu.kill();
    long killedAt = System.nanoTime();
    long killEnded = second.ended().get(10, TimeUnit.SECONDS);
    System.out.println("kill -> stream ended: " + millis(killEnded - killedAt) + " ms");
    assertThat(millis(killEnded - killedAt)).as("stream ended after kill").isLessThan(FAIL_FAST_MS);
    assertErrorEvent(second);
    long t1 = System.nanoTime();
    HttpResponse<String> whileDead = chat(front, false);
    assertThat(whileDead.statusCode()).as(whileDead.body()).isEqualTo(503);
    System.out.println("kill -> 503: " + millis(System.nanoTime() - t1) + " ms");
    assertThat(millis(System.nanoTime() - t1)).as("503 after kill").isLessThan(FAIL_FAST_MS);
    assertThat(error(whileDead).getString("type")).isEqualTo("service_unavailable_error");

    // Once the cluster noticed, the model leaves the listing, and is still a 503 (down), not a 400 (unknown).
    Await.until(Duration.ofSeconds(15), "qwen3-coder leaves the front door's listing",
        () -> !listed(front).contains("qwen3-coder"));
    assertThat(chat(front, false).statusCode()).isEqualTo(503);

    // Restarted: its model comes back, with no action on the front door.
    gpu.restart();
    gpu.awaitReady(JOIN);
    awaitListed(front, "qwen3-coder");
    awaitServed(front);

    // Stopped gracefully (SIGTERM) mid-stream: the model leaves the listing at once, but the stream
    // it is serving for the front door finishes within its shutdown grace.
    SseReader draining = openStream(front);
    draining.firstEvent().get(10, TimeUnit.SECONDS);
    gpu.terminate();
    Await.until(Duration.ofSeconds(5), "qwen3-coder leaves the listing when its node says goodbye",
        () -> !listed(front).contains("qwen3-coder"));
    draining.ended().get(30, TimeUnit.SECONDS);
    assertThat(draining.events()).as("the draining stream completed").endsWith("[DONE]");
    assertThat(draining.events()).noneMatch(e -> e.startsWith("{\"error\""));
    gpu.exited().get(30, TimeUnit.SECONDS);
  }

}
