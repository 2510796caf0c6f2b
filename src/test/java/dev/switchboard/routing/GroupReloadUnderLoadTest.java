package dev.switchboard.routing;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import dev.switchboard.testkit.WatchedNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** A model group edited under load: deployments added, changed and removed; no stream and no request lost. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupReloadUnderLoadTest {

  private static final int STREAMS = 100;

  private static String deployment(FakeOpenAiBackend backend, String extra) {
    return """
          - model_name: coder
            litellm_params: {model: openai/coder, api_base: %s%s}
        """.formatted(backend.apiBase(), extra);
  }

  private static String config(String deployments) {
    return "model_list:\n" + deployments + """
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """;
  }

  private static String chat(boolean stream) {
    return "{\"model\":\"coder\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  }

  @Test
  void hundredStreamsOnAGroupSurviveDeploymentsAddedChangedAndRemoved(Vertx vertx, @TempDir Path dir)
      throws Exception {
    FakeOpenAiBackend a = FakeOpenAiBackend.start(vertx);
    FakeOpenAiBackend b = FakeOpenAiBackend.start(vertx);
    FakeOpenAiBackend c = FakeOpenAiBackend.start(vertx);
    AtomicBoolean release = new AtomicBoolean();
    for (FakeOpenAiBackend x : List.of(a, b)) {
      x.behave((req, body) -> {
        if (!body.getBoolean("stream", false)) {
          req.response().putHeader("content-type", "application/json")
              .end(FakeOpenAiBackend.chatCompletion("coder", "ok").encode());
          return;
        }
        req.response().setChunked(true).putHeader("content-type", "text/event-stream");
        tick(vertx, req, release, 0);
      });
    }
    WatchedNode node = WatchedNode.start(vertx, dir.resolve("config.yaml"),
        config(deployment(a, "") + deployment(b, "")), Duration.ofMillis(100));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    try {
      List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create(node.http().baseUrl() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TestNode.KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat(true)))
                .build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      Await.until(Duration.ofSeconds(10), STREAMS + " streams open on the group's two deployments",
          () -> a.inFlight() + b.inFlight() == STREAMS);
      assertThat(a.inFlight()).as("spread over both").isPositive();
      assertThat(b.inFlight()).as("spread over both").isPositive();

      List<String> plain = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> asking = CompletableFuture.runAsync(() -> {
        while (!release.get()) {
          HttpResponse<String> r = node.http().post("/v1/chat/completions", chat(false));
          plain.add(r.statusCode() == 200 ? "200" : r.statusCode() + " " + r.body());
        }
      });

      // Added: a third deployment; changed: the second's weight (a new id, so a new verticle beside the
      // old, which drains its streams); removed: the first (its streams drain within shutdown_grace).
      node.renameOver(config(deployment(a, "") + deployment(b, "") + deployment(c, "")));
      JsonObject added = node.nextEvent(Duration.ofSeconds(5));
      assertThat(added.getJsonArray("added").getList()).containsExactly("coder#3");
      node.renameOver(config(deployment(a, "") + deployment(b, ", weight: 2") + deployment(c, "")));
      JsonObject changed = node.nextEvent(Duration.ofSeconds(5));
      assertThat(changed.getJsonArray("changed").getList()).containsExactly("coder#2");
      node.renameOver(config(deployment(b, ", weight: 2") + deployment(c, "")));
      JsonObject removed = node.nextEvent(Duration.ofSeconds(5));
      assertThat(removed.getBoolean("ok")).isTrue();
      Await.until(Duration.ofSeconds(5), "the new deployment serves", () -> !c.received().isEmpty());

      assertThat(a.inFlight() + b.inFlight()).as("every stream still open after the reloads").isEqualTo(STREAMS);
      release.set(true);
      asking.get(10, TimeUnit.SECONDS);
      assertThat(plain).hasSizeGreaterThan(3).containsOnly("200");
      CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      for (CompletableFuture<HttpResponse<String>> s : streams) {
        HttpResponse<String> resp = s.get();
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).contains("\"content\":\"t0\"").endsWith(FakeOpenAiBackend.DONE)
            .doesNotContain("\"error\"");
      }
    } finally {
      node.close();
      a.close();
      b.close();
      c.close();
    }
  }

  private static void tick(Vertx vertx, HttpServerRequest req, AtomicBoolean release, int n) {
    if (req.response().closed()) {
      return;
    }
    if (release.get()) {
      req.response().write(FakeOpenAiBackend.usageChunk("coder", 3, n));
      req.response().end(FakeOpenAiBackend.DONE);
      return;
    }
    req.response().write(FakeOpenAiBackend.chunk("coder", "t" + n));
    vertx.setTimer(100, id -> tick(vertx, req, release, n + 1));
  }
}
