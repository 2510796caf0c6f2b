package dev.switchboard.api;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI-compatible backends: the body goes through untouched but for the model, and comes back re-stamped. */
@ExtendWith(VertxExtension.class)
class PassThroughTest {

  private FakeOpenAiBackend backend;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: qwen3-coder-llama
            litellm_params:
              model: openai/qwen3-coder-30b
              api_base: %s
              api_key: sk-backend
              extra_headers: {X-Trace: trace-1}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void theClientsBytesReachTheBackendAsSentButForTheModelsValue() {
    // Escapes, spacing, number spelling and key order as the client wrote them: nothing re-encoded.
    String client = "{\"messages\": [{\"role\":\"user\", \"content\":\"caf\\u00e9 \\ud83d\\ude00\"}],\n"
        + "  \"model\" : \"qwen3-coder-llama\", \"temperature\": 2E-1}";

    HttpResponse<String> resp = sb.post("/v1/chat/completions", client);

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(backend.last().raw()).isEqualTo(client.replace("\"qwen3-coder-llama\"", "\"qwen3-coder-30b\""));
  }

  @Test
  void nonStreamBodyReachesBackendUnchangedButForTheModel() {
    JsonObject tools = new JsonObject().put("type", "function").put("function", new JsonObject()
        .put("name", "get_weather").put("parameters", new JsonObject().put("type", "object")));
    JsonObject request = new JsonObject().put("model", "qwen3-coder-llama")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "ping")))
        .put("tools", new JsonArray().add(tools)).put("tool_choice", "auto").put("temperature", 0.2)
        .put("vendor_extra", new JsonObject().put("cache_prompt", true));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", request.encode());

    assertThat(resp.statusCode()).isEqualTo(200);
    JsonObject sent = backend.last().body();
    assertThat(sent.getString("model")).isEqualTo("qwen3-coder-30b");
    JsonObject expected = request.copy().put("model", "qwen3-coder-30b");
    assertThat(sent).isEqualTo(expected);
    assertThat(backend.last().path()).isEqualTo("/v1/chat/completions");
    assertThat(backend.last().headers().get("authorization")).isEqualTo("Bearer sk-backend");
    assertThat(backend.last().headers().get("x-trace")).isEqualTo("trace-1");

    JsonObject answer = new JsonObject(resp.body());
    assertThat(answer.getString("model")).isEqualTo("qwen3-coder-llama");
    assertThat(answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo("Hello from the fake backend");
    assertThat(resp.headers().firstValue("x-litellm-call-id")).isPresent();
    assertThat(resp.headers().firstValue("x-litellm-model-api-base")).hasValue(backend.apiBase());
    assertThat(resp.headers().firstValue("x-litellm-model-id")).isPresent();
    assertThat(resp.headers().firstValue("x-litellm-response-duration-ms")).isPresent();
    assertThat(resp.headers().firstValue("x-litellm-overhead-duration-ms")).isPresent();
    assertThat(resp.headers().firstValue("x-litellm-version")).isPresent();
  }

  @Test
  void unversionedAndAzureStyleRoutesReachTheSameModel() {
    String body = "{\"model\":\"ignored-by-path\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    assertThat(sb.post("/chat/completions", body.replace("ignored-by-path", "qwen3-coder-llama")).statusCode())
        .isEqualTo(200);
    assertThat(sb.post("/openai/deployments/qwen3-coder-llama/chat/completions", body).statusCode()).isEqualTo(200);
    assertThat(sb.post("/engines/qwen3-coder-llama/chat/completions", body).statusCode()).isEqualTo(200);
    assertThat(backend.received()).hasSize(3).allSatisfy(r ->
        assertThat(r.body().getString("model")).isEqualTo("qwen3-coder-30b"));
  }

  @Test
  void streamIsRestampedAndEndsWithDone() {
    backend.behave(backend.streaming("qwen3-coder-30b", 0, "Hel", "lo"));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
    List<String> events = List.of(resp.body().split("\n\n"));
    assertThat(events).hasSize(4);
    assertThat(events.get(0)).contains("\"model\":\"qwen3-coder-llama\"").contains("\"content\":\"Hel\"");
    assertThat(events.get(1)).contains("\"model\":\"qwen3-coder-llama\"").contains("\"content\":\"lo\"");
    assertThat(events.get(2)).contains("\"usage\"");
    assertThat(events.get(3)).isEqualTo("data: [DONE]");
    assertThat(resp.body()).doesNotContain("qwen3-coder-30b");
  }

  @Test
  void eventsSplitAndMergedAcrossWritesComeOutWhole() {
    String first = FakeOpenAiBackend.chunk("qwen3-coder-30b", "a");
    String second = FakeOpenAiBackend.chunk("qwen3-coder-30b", "b");
    String all = first + second + FakeOpenAiBackend.DONE;
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      // Split inside the first event, then the rest of it merged with the whole second one.
      req.response().write(all.substring(0, 17));
      req.response().write(all.substring(17, first.length() + second.length() - 3));
      req.response().end(all.substring(first.length() + second.length() - 3));
    });

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.body()).isEqualTo(first.replace("qwen3-coder-30b", "qwen3-coder-llama")
        + second.replace("qwen3-coder-30b", "qwen3-coder-llama") + FakeOpenAiBackend.DONE);
  }

  @Test
  void aStreamTheBackendEndsWithoutDoneGetsDoneAsLiteLlmSendsIt() {
    String first = FakeOpenAiBackend.chunk("qwen3-coder-30b", "a");
    String second = FakeOpenAiBackend.chunk("qwen3-coder-30b", "b");
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .end(first + second));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.body()).isEqualTo(first.replace("qwen3-coder-30b", "qwen3-coder-llama")
        + second.replace("qwen3-coder-30b", "qwen3-coder-llama") + FakeOpenAiBackend.DONE);
  }

  @Test
  void aLastEventWithoutItsBlankLineIsDeliveredWholeBeforeDone() {
    String first = FakeOpenAiBackend.chunk("qwen3-coder-30b", "a");
    String last = FakeOpenAiBackend.chunk("qwen3-coder-30b", "b").trim(); // "data: {...}", no blank line
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .end(first + last));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.body().split("\n\n")).containsExactly(
        first.replace("qwen3-coder-30b", "qwen3-coder-llama").trim(),
        last.replace("qwen3-coder-30b", "qwen3-coder-llama"),
        "data: [DONE]");
  }

  @Test
  void aBackendsErrorEventReachesTheClientInOurErrorShapeWithItsMessageAndNoDone() {
    String first = FakeOpenAiBackend.chunk("qwen3-coder-30b", "a");
    // llama.cpp's own shape: code a number, no param, an extra field.
    String error = "data: {\"error\":{\"code\":500,\"message\":\"The model produced output that does not match the "
        + "expected peg-native format\",\"type\":\"server_error\"}}\n\n";
    String after = FakeOpenAiBackend.chunk("qwen3-coder-30b", "never shown");
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .end(first + error + after));

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    String[] events = resp.body().split("\n\n");
    assertThat(events).hasSize(2);
    assertThat(events[0] + "\n\n").isEqualTo(first.replace("qwen3-coder-30b", "qwen3-coder-llama"));
    JsonObject err = new JsonObject(events[1].substring("data: ".length())).getJsonObject("error");
    assertThat(err.getMap()).containsOnlyKeys("message", "type", "param", "code");
    assertThat(err.getString("message")).isEqualTo("litellm.InternalServerError: OpenAIException - The model produced "
        + "output that does not match the expected peg-native format");
    assertThat(err.getString("type")).isEqualTo("server_error");
    assertThat(err.getValue("code")).isEqualTo("500");
    assertThat(err.containsKey("param")).isTrue();
    assertThat(err.getValue("param")).isNull();
  }

  /** Before any event went out the client still gets a plain JSON error with the status, as for ours. */
  @Test
  void anErrorEventSplitAcrossChunksBeforeAnyDataIsOurJsonErrorWithItsStatus(Vertx vertx) {
    String error = "data: {\"error\":{\"code\":400,\"message\":\"bad grammar\",\"type\":\"invalid_request_error\","
        + "\"param\":\"grammar\"}}\n\n";
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream")
          .write(error.substring(0, 20));
      vertx.setTimer(20, id -> req.response().end(error.substring(20)));
    });

    HttpResponse<String> resp = sb.post("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(resp.body())).isEqualTo(new JsonObject().put("error", new JsonObject()
        .put("message", "litellm.BadRequestError: OpenAIException - bad grammar").put("type", "invalid_request_error")
        .put("param", "grammar").put("code", "400")));
  }

  @Test
  void aJsonAnswerToAStreamBecomesTheStreamWithUsageWhenAskedFor() {
    JsonObject answer = FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "whole");
    answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").put("tool_calls", new JsonArray()
        .add(new JsonObject().put("id", "call_1").put("type", "function")
            .put("function", new JsonObject().put("name", "ls").put("arguments", "{}"))));
    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json; charset=utf-8")
        .end(answer.encode()));

    HttpResponse<String> resp = sb.post("/v1/chat/completions", "{\"model\":\"qwen3-coder-llama\",\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");

    assertThat(resp.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
    List<String> events = List.of(resp.body().split("\n\n"));
    assertThat(events).hasSize(3);
    JsonObject chunk = new JsonObject(events.get(0).substring("data: ".length()));
    assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
    assertThat(chunk.getString("model")).isEqualTo("qwen3-coder-llama");
    JsonObject choice = chunk.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("delta").getString("content")).isEqualTo("whole");
    assertThat(choice.getJsonObject("delta").getJsonArray("tool_calls").getJsonObject(0).getInteger("index")).isZero();
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    JsonObject usage = new JsonObject(events.get(1).substring("data: ".length()));
    assertThat(usage.getJsonArray("choices")).isEmpty();
    assertThat(usage.getJsonObject("usage").getInteger("total_tokens")).isEqualTo(12);
    assertThat(events.get(2)).isEqualTo("data: [DONE]");
  }

  @Test
  void aJsonAnswerWithoutAnObjectFieldIsStreamedByItsShapeAndAnEmptyOneStillEnds() {
    String stream = "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end("{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}"));

    List<String> events = List.of(sb.post("/v1/chat/completions", stream).body().split("\n\n"));

    assertThat(events).hasSize(2);
    assertThat(new JsonObject(events.get(0).substring("data: ".length())).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("delta").getString("content")).isEqualTo("hi");
    assertThat(events.get(1)).isEqualTo("data: [DONE]");

    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end("{\"object\":\"chat.completion\",\"choices\":[]}"));
    HttpResponse<String> empty = sb.post("/v1/chat/completions", stream);
    assertThat(empty.statusCode()).isEqualTo(200);
    assertThat(empty.body()).isEqualTo("data: [DONE]\n\n");
  }

  @Test
  void aJsonAnswerKeepsTheBackendsCharsetAndAPlainOneStaysPlain() {
    String chat = "{\"model\":\"qwen3-coder-llama\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json; charset=utf-8")
        .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "café").encode()));
    HttpResponse<String> llama = sb.post("/v1/chat/completions", chat);
    assertThat(llama.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    assertThat(llama.body()).contains("café");

    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "plain").encode()));
    assertThat(sb.post("/v1/chat/completions", chat).headers().firstValue("content-type")).hasValue("application/json");

    backend.behave((req, body) -> req.response().putHeader("content-type", "application/jsonl")
        .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "odd").encode()));
    assertThat(sb.post("/v1/chat/completions", chat).headers().firstValue("content-type")).hasValue("application/json");
  }

  @Test
  void firstChunkReachesClientWhileBackendHoldsTheSecond() throws Exception {
    CompletableFuture<Void> release = new CompletableFuture<>();
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(FakeOpenAiBackend.chunk("qwen3-coder-30b", "first"));
      release.thenRun(() -> req.response().end(FakeOpenAiBackend.chunk("qwen3-coder-30b", "second")
          + FakeOpenAiBackend.DONE));
    });

    HttpResponse<Stream<String>> resp = sb.postStreaming("/v1/chat/completions",
        "{\"model\":\"qwen3-coder-llama\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    Iterator<String> lines = resp.body().iterator();

    String firstLine = CompletableFuture.supplyAsync(lines::next).get(5, TimeUnit.SECONDS);
    assertThat(firstLine).contains("\"content\":\"first\"");
    assertThat(release).isNotDone();
    release.complete(null);
    StringBuilder rest = new StringBuilder();
    lines.forEachRemaining(l -> rest.append(l).append('\n'));
    assertThat(rest.toString()).contains("\"content\":\"second\"").contains("data: [DONE]");
  }

  @Test
  void aJsonBodyLabelledAsAFormIsStillJson() throws Exception {
    // curl -d @request.json without -H 'Content-Type: application/json' labels it form-urlencoded;
    // LiteLLM reads the JSON anyway. Above 1 KB the form decoder used to answer a plain-text 400.
    String content = "a=b&c ".repeat(2_000);
    String body = new JsonObject().put("model", "qwen3-coder-llama").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", content))).encode();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    for (String type : new String[] {"application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"}) {
      HttpResponse<String> resp = http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(sb.baseUrl() + "/v1/chat/completions"))
          .header("Authorization", "Bearer " + TestNode.KEY).header("Content-Type", type)
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(resp.statusCode()).as(type + ": " + resp.body()).isEqualTo(200);
      assertThat(backend.last().body().getJsonArray("messages").getJsonObject(0).getString("content")).isEqualTo(content);
    }
  }
}
