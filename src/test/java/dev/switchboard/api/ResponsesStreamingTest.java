package dev.switchboard.api;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseStreamEvent;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Responses event stream on the wire, as Codex reads it, from a chat-completions backend's SSE. */
@ExtendWith(VertxExtension.class)
class ResponsesStreamingTest {

  private FakeOpenAiBackend backend;
  private TestNode sb;
  private Vertx vertx;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: local-coder
            litellm_params: {model: openai/qwen3-coder-30b, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  /** The {@code event:}/{@code data:} pairs of a Responses stream, checked to agree on the type. */
  static List<JsonObject> events(HttpResponse<java.util.stream.Stream<String>> resp) {
    List<JsonObject> events = new ArrayList<>();
    String event = null;
    for (String line : (Iterable<String>) resp.body()::iterator) {
      if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ")) {
        JsonObject data = new JsonObject(line.substring(6));
        assertThat(data.getString("type")).isEqualTo(event);
        events.add(data);
      }
    }
    return events;
  }

  static List<String> types(List<JsonObject> events) {
    return events.stream().map(e -> e.getString("type")).toList();
  }

  /** Codex's first turn, reduced: developer prompt, user prompt, flat and namespaced tools, web_search. */
  private static final String CODEX_TURN = """
      {"model": "local-coder", "stream": true, "store": false, "tool_choice": "auto", "parallel_tool_calls": true,
       "reasoning": {"summary": "auto"}, "include": ["reasoning.encrypted_content"], "prompt_cache_key": "t1",
       "input": [
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "You are Codex."}]},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "List files."}]}],
       "tools": [
        {"type": "function", "name": "exec_command", "strict": false,
         "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}}},
        {"type": "namespace", "name": "multi_agent_v1", "tools": [{"type": "function", "name": "spawn_agent",
         "parameters": {"type": "object"}}]},
        {"type": "web_search", "external_web_access": false}]}
      """;

  /** A chat stream that calls exec_command, its arguments in two pieces, split mid-event across writes. */
  private static FakeOpenAiBackend.Behavior streamedToolCall() {
    return (req, body) -> {
      String first = "data: " + new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
          .put("delta", new JsonObject().put("role", "assistant").put("tool_calls", new JsonArray().add(
              new JsonObject().put("index", 0).put("id", "call_ls").put("type", "function")
                  .put("function", new JsonObject().put("name", "exec_command").put("arguments", "{\"cmd\":")))))))
          .encode() + "\n\n";
      String second = "data: " + new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
          .put("delta", new JsonObject().put("tool_calls", new JsonArray().add(
              new JsonObject().put("index", 0).put("function", new JsonObject().put("arguments", "\"ls\"}")))))))
          .encode() + "\n\n";
      String finish = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
          + FakeOpenAiBackend.usageChunk("qwen3-coder-30b", 40, 9) + FakeOpenAiBackend.DONE;
      String all = first + second + finish;
      int cut1 = first.length() / 2;
      int cut2 = first.length() + second.length() + 3;
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(all.substring(0, cut1));
      req.response().write(all.substring(cut1, cut2));
      req.response().end(all.substring(cut2));
    };
  }

  @Test
  void codexTurnStreamsAToolCallItemAndEndsWithCompleted() {
    backend.behave(streamedToolCall());
    HttpResponse<java.util.stream.Stream<String>> resp = sb.postStreaming("/v1/responses", CODEX_TURN);
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("content-type")).hasValue("text/event-stream");
    List<JsonObject> events = events(resp);

    assertThat(types(events)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.function_call_arguments.delta",
        "response.function_call_arguments.delta", "response.function_call_arguments.done",
        "response.output_item.done", "response.completed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getInteger("sequence_number")).isEqualTo(i);
    }
    JsonObject call = events.get(6).getJsonObject("item");
    assertThat(call.getString("type")).isEqualTo("function_call");
    assertThat(call.getString("call_id")).isEqualTo("call_ls");
    assertThat(call.getString("name")).isEqualTo("exec_command");
    assertThat(call.getString("arguments")).isEqualTo("{\"cmd\":\"ls\"}");
    JsonObject completed = events.get(7).getJsonObject("response");
    assertThat(completed.getString("model")).isEqualTo("local-coder");
    assertThat(completed.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(40);
    assertThat(completed.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(9);

    JsonObject sent = backend.last().body();
    assertThat(sent.getJsonArray("messages").getJsonObject(0))
        .isEqualTo(new JsonObject().put("role", "system").put("content", "You are Codex."));
    assertThat(sent.getJsonArray("tools").stream()
        .map(t -> ((JsonObject) t).getJsonObject("function").getString("name")).toList())
        .containsExactly("exec_command", "multi_agent_v1__spawn_agent");
    // store: false keeps nothing
    assertThat(sb.get("/v1/responses/" + completed.getString("id")).statusCode()).isEqualTo(404);
  }

  @Test
  void aBackendThatDiesMidStreamEndsTheStreamWithResponseFailed() {
    backend.behave((req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      req.response().write(FakeOpenAiBackend.chunk("qwen3-coder-30b", "Hel"));
      req.response().write(FakeOpenAiBackend.chunk("qwen3-coder-30b", "lo"))
          .onComplete(v -> req.connection().close());
    });
    List<JsonObject> events = events(sb.postStreaming("/v1/responses",
        "{\"model\":\"local-coder\",\"stream\":true,\"input\":\"hi\"}"));

    assertThat(types(events)).startsWith("response.created", "response.in_progress", "response.output_item.added");
    assertThat(types(events)).endsWith("error", "response.failed");
    assertThat(types(events)).doesNotContain("response.completed");
    JsonObject failed = events.get(events.size() - 1).getJsonObject("response");
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getJsonObject("error").getString("message")).contains("local-coder");
  }

  @Test
  void aClientThatLeavesMidStreamStopsTheBackend() throws Exception {
    backend.behave(backend.streaming("qwen3-coder-30b", 200, new String[50]));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(sb.baseUrl() + "/v1/responses"))
        .header("Authorization", "Bearer " + TestNode.KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"local-coder\",\"stream\":true,\"input\":\"hi\"}"))
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.body().read()).isPositive(); // response.created is out
    resp.body().close();

    backend.clientClosed().get(5, TimeUnit.SECONDS);
  }

  /**
   * A backend silent for long before its first token (a long prompt on a CPU): the stream is started for
   * it, response.created and response.in_progress, so that a client's idle timer sees events; its error
   * then ends the stream as response.failed, with its message and OpenAI's code.
   */
  @Test
  void aSilentBackendGetsTheStreamStartedAndItsLaterErrorEndsItAsResponseFailed() throws Exception {
    CompletableFuture<HttpServerRequest> held = new CompletableFuture<>();
    backend.behave((req, body) -> held.complete(req));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(URI.create(sb.baseUrl() + "/v1/responses"))
        .header("Authorization", "Bearer " + TestNode.KEY).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"local-coder\",\"stream\":true,\"input\":\"hi\"}"))
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.headers().firstValue("content-type")).hasValue("text/event-stream");
    BufferedReader lines = new BufferedReader(new InputStreamReader(resp.body(), StandardCharsets.UTF_8));
    List<JsonObject> events = new ArrayList<>();
    for (String line; events.size() < 2 && (line = lines.readLine()) != null; ) {
      if (line.startsWith("data: ")) {
        events.add(new JsonObject(line.substring(6)));
      }
    }
    assertThat(types(events)).containsExactly("response.created", "response.in_progress");

    HttpServerRequest req = held.get(5, TimeUnit.SECONDS);
    vertx.runOnContext(v -> FakeOpenAiBackend.error(400, "the prompt exceeds the context length").handle(req, null));
    for (String line; (line = lines.readLine()) != null; ) {
      if (line.startsWith("data: ")) {
        events.add(new JsonObject(line.substring(6)));
      }
    }

    assertThat(types(events)).endsWith("error", "response.failed");
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).getInteger("sequence_number")).isEqualTo(i);
    }
    JsonObject failed = events.get(events.size() - 1).getJsonObject("response").getJsonObject("error");
    assertThat(failed.getString("code")).isEqualTo("context_length_exceeded");
    assertThat(failed.getString("message")).contains("the prompt exceeds the context length");
  }

  @Test
  void anErrorBeforeTheStreamStartsIsAJsonErrorWithItsStatus() {
    backend.behave(FakeOpenAiBackend.error(400, "the prompt exceeds the context length"));
    HttpResponse<String> resp = sb.post("/v1/responses", "{\"model\":\"local-coder\",\"stream\":true,\"input\":\"hi\"}");

    assertThat(resp.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
    assertThat(error.getString("message")).contains("the prompt exceeds the context length");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
  }

  @Test
  void toolChoiceForcingWebSearchIsA400InOpenAisShape() {
    HttpResponse<String> resp = sb.post("/responses", """
        {"model": "local-coder", "input": "news?", "tools": [{"type": "web_search"}],
         "tool_choice": {"type": "web_search"}}
        """);
    assertThat(resp.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
    assertThat(error.getString("message")).contains("built-in tool 'web_search'");
    assertThat(error.getString("param")).isEqualTo("tool_choice");
    assertThat(error.getString("code")).isEqualTo("400");
    assertThat(backend.received()).isEmpty();
  }

  @Test
  void malformedJsonAndWrongKeyAreRefusedBeforeAnyBackend() {
    HttpResponse<String> bad = sb.post("/v1/responses", "{not json");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("message")).contains("Invalid JSON");

    HttpResponse<String> unauthorized = sb.post("/v1/responses", "{\"model\":\"local-coder\",\"input\":\"x\"}",
        "Authorization", "Bearer wrong");
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    assertThat(backend.received()).isEmpty();
  }

  @Test
  void aStreamedResponseIsStoredAndChainsWithTheSdk(Vertx vertx) {
    backend.behave(backend.streaming("qwen3-coder-30b", 0, "Hi", " there"));
    OpenAIClient client = sb.openAiClient();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("local-coder").input("hello").build())) {
      String id = stream.stream().filter(ResponseStreamEvent::isCompleted).map(e -> e.asCompleted().response().id())
          .findFirst().orElseThrow();

      assertThat(ResponsesSdkTest.text(client.responses().retrieve(id))).isEqualTo("Hi there");
      backend.behave(backend.streaming("qwen3-coder-30b", 0, "again"));
      client.responses().create(ResponseCreateParams.builder().model("local-coder").input("more")
          .previousResponseId(id).build());
      JsonArray messages = backend.last().body().getJsonArray("messages");
      assertThat(messages).isEqualTo(new JsonArray()
          .add(new JsonObject().put("role", "user").put("content", "hello"))
          .add(new JsonObject().put("role", "assistant").put("content", "Hi there"))
          .add(new JsonObject().put("role", "user").put("content", "more")));
    } finally {
      client.close();
    }
  }

  @Test
  void sdkStreamsAFunctionCall() {
    backend.behave(streamedToolCall());
    OpenAIClient client = sb.openAiClient();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(
        ResponseCreateParams.builder().model("local-coder").input("ls").addTool(ResponsesSdkTest.weatherTool())
            .build())) {
      List<ResponseStreamEvent> events = stream.stream().toList();
      ResponseFunctionToolCall call = events.stream().flatMap(e -> e.outputItemDone().stream())
          .flatMap(d -> d.item().functionCall().stream()).findFirst().orElseThrow();
      assertThat(call.arguments()).isEqualTo("{\"cmd\":\"ls\"}");
      assertThat(call.callId()).isEqualTo("call_ls");
      assertThat(events.stream().flatMap(e -> e.functionCallArgumentsDone().stream()).map(d -> d.arguments()))
          .containsExactly("{\"cmd\":\"ls\"}");
    } finally {
      client.close();
    }
  }
}
