package dev.switchboard.config;

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

import static dev.switchboard.config.HotReloadTest.chat;
import static dev.switchboard.config.HotReloadTest.model;
import static org.assertj.core.api.Assertions.assertThat;

/** Reloads under load: streams to a model no reload touches never notice the reloads. */
@ExtendWith(VertxExtension.class)
// Bounded, with room for a loaded 2-core CI machine (it takes ~5 s on an idle one).
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReloadUnderLoadTest {

  private static final int STREAMS = 100;
  private static final int REWRITES = 10;

  /** Version {@code i}: steady untouched; extra-i added and extra-(i-1) removed; flip and moving changed. */
  private static String version(int i, FakeOpenAiBackend steady, FakeOpenAiBackend a, FakeOpenAiBackend b) {
    return "model_list:\n" + model("steady", steady)
        + model("moving", i % 2 == 0 ? a : b)
        + """
          - model_name: flip
            litellm_params: {model: openai/flip, mock_response: "v%d"}
          - model_name: extra-%d
            litellm_params: {model: openai/extra, mock_response: "hi"}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(i, i);
  }

  @Test
  void hundredStreamsToAnUntouchedModelSurviveTenRewrites(Vertx vertx, @TempDir Path dir) throws Exception {
    FakeOpenAiBackend steady = FakeOpenAiBackend.start(vertx);
    FakeOpenAiBackend a = FakeOpenAiBackend.start(vertx);
    FakeOpenAiBackend b = FakeOpenAiBackend.start(vertx);
    AtomicBoolean release = new AtomicBoolean();
    // Each stream sends a chunk every 100 ms until released, so every one is open through every reload.
    steady.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      tick(vertx, req, release, 0);
    });
    WatchedNode node = WatchedNode.start(vertx, dir.resolve("config.yaml"), version(0, steady, a, b),
        Duration.ofMillis(100));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    try {
      List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        streams.add(http.sendAsync(HttpRequest.newBuilder(URI.create(node.http().baseUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(12)).header("Authorization", "Bearer " + TestNode.KEY)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat("steady", true))).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      Await.until(Duration.ofSeconds(5), STREAMS + " streams open at the backend", () -> steady.inFlight() == STREAMS);
      // Meanwhile, calls to a model every reload replaces: each must find a verticle, old or new.
      List<String> flipStatuses = new CopyOnWriteArrayList<>();
      CompletableFuture<Void> flipping = CompletableFuture.runAsync(() -> {
        while (!release.get()) {
          HttpResponse<String> flip = node.http().post("/v1/chat/completions", chat("flip", false));
          flipStatuses.add(flip.statusCode() == 200 ? "200" : flip.statusCode() + " " + flip.body());
        }
      });

      for (int i = 1; i <= REWRITES; i++) {
        // Renamed over, as editors save: an in-place write caught empty on two scans (a writer thread
        // descheduled on a loaded CI box) is a failed reload by design, not what this spec is about.
        node.renameOver(version(i, steady, a, b));
        JsonObject event = node.nextEvent(Duration.ofSeconds(3));
        assertThat(event.getBoolean("ok")).as("reload %d", i).isTrue();
        assertThat(event.getJsonArray("added").getList()).containsExactly("extra-" + i);
        assertThat(event.getJsonArray("removed").getList()).containsExactly("extra-" + (i - 1));
        assertThat(event.getJsonArray("changed").getList()).containsExactlyInAnyOrder("moving", "flip");
        HttpResponse<String> extra = node.http().post("/v1/chat/completions", chat("extra-" + i, false));
        assertThat(extra.statusCode()).as("extra-%d served", i).isEqualTo(200);
      }
      assertThat(steady.inFlight()).as("all streams still open after the last reload").isEqualTo(STREAMS);
      release.set(true);
      flipping.get(10, TimeUnit.SECONDS);
      assertThat(flipStatuses).hasSizeGreaterThan(REWRITES).containsOnly("200");

      CompletableFuture.allOf(streams.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      for (CompletableFuture<HttpResponse<String>> s : streams) {
        HttpResponse<String> resp = s.get();
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(resp.body()).contains("\"content\":\"t0\"").endsWith(FakeOpenAiBackend.DONE)
            .doesNotContain("\"error\"");
      }
      assertThat(steady.received()).hasSize(STREAMS);
    } finally {
      node.close();
      steady.close();
      a.close();
      b.close();
    }
  }

  private static void tick(Vertx vertx, HttpServerRequest req, AtomicBoolean release, int n) {
    if (req.response().closed()) {
      return;
    }
    if (release.get()) {
      req.response().write(FakeOpenAiBackend.usageChunk("steady-backend", 3, n));
      req.response().end(FakeOpenAiBackend.DONE);
      return;
    }
    req.response().write(FakeOpenAiBackend.chunk("steady-backend", "t" + n));
    vertx.setTimer(100, id -> tick(vertx, req, release, n + 1));
  }
}
