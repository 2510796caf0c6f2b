package dev.switchboard.api;

import dev.switchboard.testkit.FakeOpenAiBackend;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every failure is an OpenAI-shaped error with the right status; none is a stack trace or a hang. */
@ExtendWith(VertxExtension.class)
class ErrorsTest {

  private static final String CHAT = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]%s}";

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private int deadPort;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    backend = FakeOpenAiBackend.start(vertx);
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort(); // closed again: nothing listens there
    }
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: up
            litellm_params: {model: openai/up-model, api_base: %s, timeout: 2, stream_timeout: 1}
          - model_name: down
            litellm_params: {model: openai/down-model, api_base: http://127.0.0.1:%d/v1}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        switchboard_settings:
          max_body_size_mb: 1
        """.formatted(backend.apiBase(), deadPort));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  private static JsonObject error(HttpResponse<String> resp) {
    JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(String.valueOf(resp.statusCode()));
    assertThat(error.fieldNames()).contains("message", "type", "param", "code");
    return error;
  }

  @Test
  void malformedJsonIs400() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", "{\"model\": \"up\", ");
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(error(resp).getString("message")).startsWith("Invalid JSON payload");
  }

  @Test
  void missingModelOrMessagesIs400() {
    HttpResponse<String> noModel = sb.post("/v1/chat/completions", "{\"messages\":[]}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(error(noModel).getString("param")).isEqualTo("model");
    HttpResponse<String> noMessages = sb.post("/v1/chat/completions", "{\"model\":\"up\"}");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(error(noMessages).getString("message"))
        .isEqualTo("/chat/completions: Missing required parameter: 'messages'.");
  }

  @Test
  void unknownModelIs400WithLiteLlmText() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("gpt-5", ""));
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(error(resp).getString("message")).isEqualTo("/chat/completions: Invalid model name passed in "
        + "model=gpt-5. Call `/v1/models` to view available models for your key.");
    assertThat(backend.received()).isEmpty();
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = CHAT.formatted("up", ",\"pad\":\"" + "x".repeat(1_200_000) + "\"");
    HttpResponse<String> resp = sb.post("/v1/chat/completions", big);
    assertThat(resp.statusCode()).isEqualTo(413);
    assertThat(error(resp).getString("message")).contains("larger than");
  }

  @Test
  void refusedBackendIs503WithinASecondNamingModelAndApiBase() {
    long t0 = System.nanoTime();
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("down", ""));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(resp.statusCode()).isEqualTo(503);
    assertThat(ms).isLessThan(1000);
    assertThat(error(resp).getString("message")).contains("model=down").contains("127.0.0.1:" + deadPort);
    assertThat(backend.received()).as("no other model is tried").isEmpty();
  }

  @Test
  void hangingBackendTimesOutWith408AndTheUpstreamRequestIsAborted() throws Exception {
    backend.behave(FakeOpenAiBackend.hang());
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("up", ""));
    assertThat(resp.statusCode()).isEqualTo(408);
    assertThat(error(resp).getString("message")).startsWith("litellm.Timeout");
    backend.clientClosed().get(2, TimeUnit.SECONDS);
  }

  @Test
  void streamThatStallsHitsStreamTimeout() throws Exception {
    backend.behave(FakeOpenAiBackend.hang());
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("up", ",\"stream\":true"));
    assertThat(resp.statusCode()).isEqualTo(408);
    assertThat(error(resp).getString("message")).contains("stream_timeout");
    backend.clientClosed().get(2, TimeUnit.SECONDS);
  }

  @Test
  void backendErrorKeepsItsStatusAndMessage() {
    backend.behave(FakeOpenAiBackend.error(400, "This model's maximum context length is 8192 tokens"));
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("up", ""));
    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(error(resp).getString("message")).contains("maximum context length is 8192 tokens");

    backend.behave(FakeOpenAiBackend.error(500, "CUDA out of memory"));
    HttpResponse<String> five = sb.post("/v1/chat/completions", CHAT.formatted("up", ""));
    assertThat(five.statusCode()).isEqualTo(500);
    assertThat(error(five).getString("message")).contains("CUDA out of memory");
  }

  @Test
  void backendDyingMidStreamEndsWithOneErrorEventAndNoDone() {
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(FakeOpenAiBackend.chunk("up-model", "partial"))
          .onComplete(v -> req.connection().close());
    });
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("up", ",\"stream\":true"));
    assertThat(resp.statusCode()).isEqualTo(200);
    String[] events = resp.body().split("\n\n");
    assertThat(events).hasSize(2);
    assertThat(events[0]).contains("partial");
    assertThat(events[1]).startsWith("data: {\"error\":");
    assertThat(resp.body()).doesNotContain("[DONE]");
  }

  @Test
  void errorBeforeFirstStreamedByteIsAPlainJsonError() {
    HttpResponse<String> resp = sb.post("/v1/chat/completions", CHAT.formatted("down", ",\"stream\":true"));
    assertThat(resp.statusCode()).isEqualTo(503);
    assertThat(resp.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(error(resp).getString("message")).contains("model=down");
  }

  @Test
  void unknownRouteIsOpenAiShaped404() {
    HttpResponse<String> resp = sb.get("/v1/nothing-here");
    assertThat(resp.statusCode()).isEqualTo(404);
    error(resp);
  }

  @Test
  void theWrongMethodOnAKnownRouteIsA405InOpenAiShape() {
    HttpResponse<String> resp = sb.get("/v1/chat/completions");
    assertThat(resp.statusCode()).isEqualTo(405);
    assertThat(error(resp).getString("message")).contains("GET /v1/chat/completions");
  }

  @Test
  void aMalformedUrlIsA400InOpenAiShape() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", sb.node().port())) {
      s.getOutputStream().write(("GET /v1/models/%ZZ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestNode.KEY
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String resp = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(resp).startsWith("HTTP/1.1 400").contains("\"code\":\"400\"").contains("invalid_request_error");
    }
  }

  @Test
  void headersOverVertxsLimitAreA431InOpenAiShapeAndTheConnectionCloses() throws Exception {
    String answer = rawExchange("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
        + "\r\nContent-Length: 2\r\n\r\n{}");

    assertThat(answer).startsWith("HTTP/1.1 431").contains("application/json")
        .contains("\"message\":\"Request headers larger than 8192 bytes\"").contains("\"code\":\"431\"");
  }

  @Test
  void aRequestLineOverVertxsLimitIsA414InOpenAiShape() throws Exception {
    String answer = rawExchange("GET /v1/models/" + "m".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    // HTTP/1.0: the decoder never got as far as the version.
    assertThat(answer).containsPattern("^HTTP/1\\.[01] 414 ").contains("\"code\":\"414\"").contains("invalid_request_error");
  }

  /** Sends {@code request} on a new connection and reads until the server closes it (so it must). */
  private String rawExchange(String request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", sb.node().port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
