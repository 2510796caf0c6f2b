package dev.switchboard.backend;

import dev.switchboard.bus.Addresses;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A model whose backend is down fails fast, comes back by itself, and never drags another model down. */
@ExtendWith(VertxExtension.class)
class LivenessTest {

  private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]%s}";

  private FakeOpenAiBackend up;
  private FakeOpenAiBackend late;
  private TestNode sb;
  private int downPort;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    up = FakeOpenAiBackend.start(vertx);
    try (ServerSocket s = new ServerSocket(0)) {
      downPort = s.getLocalPort();
    }
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: up
            litellm_params: {model: openai/up-model, api_base: %s}
          - model_name: down
            litellm_params: {model: openai/down-model, api_base: http://127.0.0.1:%d/v1}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(up.apiBase(), downPort));
  }

  @AfterEach
  void stop() {
    sb.close();
    up.close();
    if (late != null) {
      late.close();
    }
  }

  @Test
  void downModelAnswers503FastWhileAnotherModelAnswersNormally() {
    sb.post("/v1/chat/completions", CHAT.formatted("down", "")); // first contact marks it down at the latest
    long t0 = System.nanoTime();
    HttpResponse<String> down = sb.post("/v1/chat/completions", CHAT.formatted("down", ""));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(ms).isLessThan(200);
    String message = new JsonObject(down.body()).getJsonObject("error").getString("message");
    assertThat(message).contains("model=down").contains("127.0.0.1:" + downPort).contains("connection refused")
        .containsPattern("\\d+ s ago");
    assertThat(sb.post("/v1/chat/completions", CHAT.formatted("up", "")).statusCode()).isEqualTo(200);
  }

  @Test
  void backendComingUpIsServedWithoutARestart(Vertx vertx) throws Exception {
    assertThat(sb.post("/v1/chat/completions", CHAT.formatted("down", "")).statusCode()).isEqualTo(503);
    CompletableFuture<JsonObject> healthy = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.LIVENESS, msg -> {
      if ("down".equals(msg.body().getString("model")) && "healthy".equals(msg.body().getString("state"))) {
        healthy.complete(msg.body());
      }
    }).completion().await();
    long t0 = System.nanoTime();
    late = FakeOpenAiBackend.start(vertx, downPort);
    healthy.get(5, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("within the recovery probe period")
        .isLessThan(3_000);
    assertThat(sb.post("/v1/chat/completions", CHAT.formatted("down", "")).statusCode()).isEqualTo(200);
  }

  @Test
  void healthProbesEveryBackendAndNamesTheDownOne() {
    HttpResponse<String> resp = sb.get("/health");
    assertThat(resp.statusCode()).isEqualTo(200);
    JsonObject body = new JsonObject(resp.body());
    assertThat(body.getInteger("healthy_count")).isEqualTo(1);
    assertThat(body.getInteger("unhealthy_count")).isEqualTo(1);
    JsonObject bad = body.getJsonArray("unhealthy_endpoints").getJsonObject(0);
    assertThat(bad.getString("model")).isEqualTo("openai/down-model");
    assertThat(bad.getString("error")).contains("connection refused");
    assertThat(up.received()).as("a probe is never a generation").isEmpty();
    assertThat(new JsonObject(sb.get("/health?model=up").body()).getInteger("healthy_count")).isEqualTo(1);
    // As LiteLLM 1.106: asked about one model none of whose endpoints is healthy, the status says so.
    HttpResponse<String> down = sb.get("/health?model=down");
    assertThat(down.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(down.body()).getInteger("unhealthy_count")).isEqualTo(1);
    assertThat(sb.getWithHeaders("/health").statusCode()).as("needs the key").isEqualTo(401);
  }

  @Test
  void clientDisconnectClosesTheUpstreamRequestWithinASecond() throws Exception {
    up.behave(up.streaming("up-model", 300, "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"));
    try (RawHttp client = RawHttp.post(sb.node().port(), "/v1/chat/completions",
        CHAT.formatted("up", ",\"stream\":true"), 0)) {
      assertThat(client.readUntil("\"content\":\"a\"")).contains("200 OK");
    }
    long t0 = System.nanoTime();
    up.clientClosed().get(1, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
  }

  @Test
  void backendKilledMidStreamEndsTheClientStreamWithinASecond() {
    up.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(FakeOpenAiBackend.chunk("up-model", "partial"));
      req.connection().close();
    });
    long t0 = System.nanoTime();
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("up", ",\"stream\":true"));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
    assertThat(resp.body()).contains("partial").contains("data: {\"error\":").doesNotContain("[DONE]");
  }

  @Test
  void oneRequestThatTimesOutDoesNotTurnTheModelAwayForEveryoneElse(Vertx vertx) {
    // LiteLLM #41223: a client's own short timeout cools down a healthy deployment. Here the backend is up
    // and answering; one caller gave it 0.2 s for a 1 s answer.
    up.behave((req, body) -> vertx.setTimer(1_000, id -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("up-model", "late").encode())));
    HttpResponse<String> impatient = sb.post("/v1/chat/completions", CHAT.formatted("up", ",\"timeout\":0.2"));
    assertThat(impatient.statusCode()).isEqualTo(408);
    HttpResponse<String> next = sb.post("/v1/chat/completions", CHAT.formatted("up", ""));
    assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
  }

  @Test
  void aStreamTheBackendCutDoesNotTurnAwayTheNextRequest() {
    up.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(FakeOpenAiBackend.chunk("up-model", "partial"));
      req.connection().close();
    });
    assertThat(sb.post("/v1/chat/completions", CHAT.formatted("up", ",\"stream\":true")).body())
        .contains("data: {\"error\":");
    up.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("up-model", "fine").encode()));
    HttpResponse<String> next = sb.post("/v1/chat/completions", CHAT.formatted("up", ""));
    assertThat(next.statusCode()).as("the server is up: one broken answer is not an outage").isEqualTo(200);
  }
}
