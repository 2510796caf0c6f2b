package dev.switchboard.cluster;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.NodeProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A response stored on one node is found from another: its id names the node that stored it, and the
 * lookup crosses the clustered event bus to that node's store. When that node is gone, so is the response.
 */
class ResponsesClusterTest extends ClusterSpec {

  FakeOpenAiBackend backend;

  @BeforeEach
  void startBackend(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    backend.behave((req, body) -> {
      JsonArray messages = body.getJsonArray("messages");
      req.response().putHeader("content-type", "application/json").end(FakeOpenAiBackend.chatCompletion(
          "qwen3-coder-30b", "turn " + (messages.size() + 1) / 2).encode());
    });
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  private HttpResponse<String> create(NodeProcess node, JsonObject body) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/responses"))
          .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aResponseStoredOnOneNodeIsFoundAndContinuedFromAnother() {
    NodeProcess front = node("front", "model_list: []");
    NodeProcess gpu = node("gpu", gpuConfig(backend.apiBase()));
    front.awaitReady(JOIN);
    gpu.awaitReady(JOIN);
    awaitListed(front, "qwen3-coder");

    HttpResponse<String> first = create(gpu, new JsonObject().put("model", "qwen3-coder").put("input", "one"));
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    String id = new JsonObject(first.body()).getString("id");

    HttpResponse<String> fetched = get(front, "/v1/responses/" + id);
    assertThat(fetched.statusCode()).as(fetched.body()).isEqualTo(200);
    assertThat(new JsonObject(fetched.body()).getJsonArray("output").getJsonObject(0).getJsonArray("content")
        .getJsonObject(0).getString("text")).isEqualTo("turn 1");

    HttpResponse<String> second = create(front, new JsonObject().put("model", "qwen3-coder").put("input", "two")
        .put("previous_response_id", id));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(backend.last().body().getJsonArray("messages")).hasSize(3);

    // Until the cluster notices the kill, a lookup waits for the dead node and is a 503; then a 404.
    gpu.kill();
    Await.until(Duration.ofSeconds(20), "the response is gone with its node",
        () -> get(front, "/v1/responses/" + id).statusCode() == 404);
    assertThat(error(get(front, "/v1/responses/" + id)).getString("message")).contains("not running");
  }
}
