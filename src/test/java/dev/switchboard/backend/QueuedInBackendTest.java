package dev.switchboard.backend;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backend that is slow to start is not a failure. llama-server with 2 slots answers 2 streams at a
 * time and keeps the others waiting in its own queue, without a byte (not even headers), for as long
 * as the streams ahead take: seconds on a CPU. Every one of them must get its whole stream.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueuedInBackendTest {

  private static final int SLOTS = 2;
  private static final int CLIENTS = 8;
  private static final int EVENTS = 150;

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private final ArrayDeque<HttpServerRequest> waiting = new ArrayDeque<>();
  private int busy;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    backend.behave((req, body) -> {
      waiting.add(req);
      next(vertx);
    });
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
    sb.close();
    backend.close();
  }

  /** Starts the next waiting request when a slot is free: headers only then, as llama-server does. */
  private void next(Vertx vertx) {
    while (busy < SLOTS && !waiting.isEmpty()) {
      HttpServerRequest req = waiting.poll();
      busy++;
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      generate(vertx, req, 0);
    }
  }

  private void generate(Vertx vertx, HttpServerRequest req, int i) {
    if (req.response().closed()) {
      busy--;
      next(vertx);
      return;
    }
    if (i == EVENTS) {
      req.response().end(FakeOpenAiBackend.DONE).onComplete(v -> req.connection().close());
      busy--;
      next(vertx);
      return;
    }
    req.response().write(FakeOpenAiBackend.chunk("m", "t" + i));
    vertx.setTimer(5, id -> generate(vertx, req, i + 1));
  }

  @Test
  void requestsWaitingSecondsInTheBackendsQueueAllGetTheirWholeStream() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String stream = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < CLIENTS; i++) {
      answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sb.baseUrl() + "/v1/chat/completions"))
          .header("Authorization", "Bearer " + TestNode.KEY).header("Content-Type", "application/json")
          .timeout(Duration.ofSeconds(50)).POST(HttpRequest.BodyPublishers.ofString(stream)).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> resp = a.get(50, TimeUnit.SECONDS);
      String body = resp.body();
      assertThat(resp.statusCode()).as(body.substring(0, Math.min(300, body.length()))).isEqualTo(200);
      assertThat(body).doesNotContain("\"error\"").endsWith("data: [DONE]\n\n");
      assertThat(body.split("data: ").length - 1).isEqualTo(EVENTS + 1);
    }
    long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(waitedMs).as("the last ones waited seconds for their headers").isGreaterThan(2_500);
    assertThat(backend.maxInFlight()).isEqualTo(CLIENTS);
  }

  /**
   * What a whole JVM pause does (a long GC, or the CPU taken by llama-server's own threads on a small
   * machine): every event loop stops at once for longer than stream_peer_timeout_ms (here 1.6 s against
   * 1 s, so that a loaded machine's scheduling after the pause does not matter). No peer was
   * silent, we were; a request waiting for its backend must not come out of it as a 503.
   */
  @Test
  void aPauseOfTheWholeProcessIsNotASilentPeer(Vertx vertx) throws Exception {
    sb.close();
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        switchboard_settings:
          keepalive_interval_ms: 200
          stream_peer_timeout_ms: 1000
        """.formatted(backend.apiBase()));
    busy = SLOTS; // both slots taken: the request waits in the backend's queue, without headers
    CompletableFuture<HttpResponse<String>> answer = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create(sb.baseUrl() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + TestNode.KEY).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
    backend.firstRequest().get(10, TimeUnit.SECONDS);
    pauseEveryEventLoop(vertx, 1_600);
    vertx.runOnContext(v -> { // a slot frees up
      busy = 0;
      next(vertx);
    });
    HttpResponse<String> resp = answer.get(30, TimeUnit.SECONDS);
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
    assertThat(resp.body()).doesNotContain("\"error\"").endsWith("data: [DONE]\n\n");
  }

  /**
   * llama-server serves HTTP on a few threads (4 with 2 slots on 2 cores); with more streams open, a
   * liveness probe waits behind them and gets no answer in time. A backend answering our requests
   * meanwhile is busy, not down: the model keeps taking requests.
   */
  @Test
  void aProbeUnansweredWhileTheBackendStreamsDoesNotTakeTheModelDown(Vertx vertx) throws Exception {
    sb.close();
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
          health_check_interval: 1
        """.formatted(backend.apiBase()));
    dev.switchboard.testkit.Await.until(Duration.ofSeconds(5), "the first probe", () -> backend.probes() > 0);
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      tick(vertx, req, 0); // a long generation: an event every 100 ms until the test ends it
    });
    CompletableFuture<HttpResponse<String>> stream = HttpClient.newHttpClient().sendAsync(
        HttpRequest.newBuilder(URI.create(sb.baseUrl() + "/v1/chat/completions"))
            .header("Authorization", "Bearer " + TestNode.KEY).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"))
            .build(), HttpResponse.BodyHandlers.ofString());
    backend.firstRequest().get(5, TimeUnit.SECONDS);
    backend.modelsHang(true);

    dev.switchboard.testkit.Await.until(Duration.ofSeconds(15), "a probe given up on", () -> backend.probesAbandoned() > 0);
    backend.modelsHang(false);
    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("m", "still here").encode()));
    HttpResponse<String> next = sb.post("/v1/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
    stopTicking = true;
    assertThat(stream.get(10, TimeUnit.SECONDS).body()).doesNotContain("\"error\"").endsWith("data: [DONE]\n\n");
  }

  private volatile boolean stopTicking;

  private void tick(Vertx vertx, HttpServerRequest req, int i) {
    if (stopTicking) {
      req.response().end(FakeOpenAiBackend.DONE);
      return;
    }
    req.response().write(FakeOpenAiBackend.chunk("m", "t" + i));
    vertx.setTimer(100, id -> tick(vertx, req, i + 1));
  }

  /** Blocks every event loop of {@code vertx} at once for {@code ms}, and returns when they all ran again. */
  private static void pauseEveryEventLoop(Vertx vertx, long ms) throws Exception {
    List<CompletableFuture<Void>> resumed = new ArrayList<>();
    java.util.concurrent.CountDownLatch allStopped = new java.util.concurrent.CountDownLatch(1);
    for (io.netty.util.concurrent.EventExecutor loop : ((io.vertx.core.internal.VertxInternal) vertx).eventLoopGroup()) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      resumed.add(done);
      loop.execute(() -> {
        try {
          allStopped.await(); // the test thread releases them together
          Thread.sleep(ms);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        loop.execute(() -> done.complete(null)); // after whatever queued up meanwhile
      });
    }
    allStopped.countDown();
    CompletableFuture.allOf(resumed.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
  }
}
