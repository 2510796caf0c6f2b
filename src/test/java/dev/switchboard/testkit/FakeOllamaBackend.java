package dev.switchboard.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An Ollama server for tests, speaking its real wire format (as of Ollama 0.12/0.13): {@code /api/chat}
 * and {@code /api/generate} stream NDJSON unless the request says {@code "stream": false} (one JSON object
 * a line, {@code \n} after each, {@code application/x-ndjson}); the last line has {@code done: true},
 * {@code done_reason} and the counts and durations; tool calls come whole in one line with
 * {@code arguments} as an object; errors are {@code {"error":"..."}} with a status. Records requests.
 */
public final class FakeOllamaBackend {

  /** What to do with one request. */
  @FunctionalInterface
  public interface Behavior {
    void handle(HttpServerRequest req, JsonObject body);
  }

  /** A request as Ollama saw it. */
  public record Received(String path, JsonObject body, io.vertx.core.MultiMap headers) {
  }

  public static final String CREATED_AT = "2025-06-01T10:20:30.123456789Z";

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile Behavior behavior = FakeOllamaBackend::answerByPath;
  private HttpServer server;

  private FakeOllamaBackend() {
  }

  public static FakeOllamaBackend start(Vertx vertx) {
    FakeOllamaBackend fake = new FakeOllamaBackend();
    fake.server = vertx.createHttpServer().requestHandler(fake::onRequest).listen(0, "127.0.0.1").await();
    return fake;
  }

  /** The bare server URL, as Ollama's api_base is written. */
  public String apiBase() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  public void behave(Behavior b) {
    this.behavior = b;
  }

  public List<Received> received() {
    return received;
  }

  public Received last() {
    return received.get(received.size() - 1);
  }

  public void close() {
    server.close().await();
  }

  /** Models listed by GET /api/tags, as if pulled (liveness probes look there). */
  private final java.util.Set<String> pulled = new java.util.concurrent.CopyOnWriteArraySet<>(
      java.util.List.of("qwen3-coder:30b", "qwen2.5-coder:7b", "nomic-embed-text:latest", "llama3.2:latest"));

  /** Adds models to what /api/tags lists. */
  public void pull(String... models) {
    pulled.addAll(java.util.List.of(models));
  }

  /** Removes a model from what /api/tags lists, as if never pulled. */
  public void remove(String model) {
    pulled.remove(model);
  }

  private void onRequest(HttpServerRequest req) {
    if (req.method() == io.vertx.core.http.HttpMethod.GET && req.path().equals("/api/tags")) {
      JsonArray models = new JsonArray();
      pulled.forEach(m -> models.add(new JsonObject().put("name", m).put("model", m)
          .put("modified_at", CREATED_AT).put("size", 18_556_701_151L)));
      req.response().putHeader("content-type", "application/json; charset=utf-8")
          .end(new JsonObject().put("models", models).encode());
      return;
    }
    req.body().onSuccess(buf -> {
      JsonObject body = buf.length() == 0 ? new JsonObject() : buf.toJsonObject();
      received.add(new Received(req.path(), body, req.headers()));
      behavior.handle(req, body);
    });
  }

  /** Ollama's default for a request that does not say: stream. */
  public static boolean streams(JsonObject body) {
    return !Boolean.FALSE.equals(body.getValue("stream"));
  }

  // ---- lines and bodies, field for field as Ollama writes them ----

  public static JsonObject chatLine(String model, JsonObject message) {
    return new JsonObject().put("model", model).put("created_at", CREATED_AT).put("message", message)
        .put("done", false);
  }

  public static JsonObject text(String content) {
    return new JsonObject().put("role", "assistant").put("content", content);
  }

  public static JsonObject thinking(String thinking) {
    return new JsonObject().put("role", "assistant").put("content", "").put("thinking", thinking);
  }

  /** A message with tool calls as Ollama writes them: function.index, name and arguments as an object. */
  public static JsonObject toolCalls(JsonObject... nameAndArgs) {
    JsonArray calls = new JsonArray();
    for (int i = 0; i < nameAndArgs.length; i++) {
      calls.add(new JsonObject().put("function", new JsonObject().put("index", i)
          .put("name", nameAndArgs[i].getString("name")).put("arguments", nameAndArgs[i].getJsonObject("arguments"))));
    }
    return new JsonObject().put("role", "assistant").put("content", "").put("tool_calls", calls);
  }

  public static JsonObject call(String name, JsonObject arguments) {
    return new JsonObject().put("name", name).put("arguments", arguments);
  }

  /** The last line of a chat stream (or, with the whole message, a non-streamed answer). */
  public static JsonObject chatDone(String model, JsonObject message, String doneReason, int prompt, int eval) {
    return metrics(new JsonObject().put("model", model).put("created_at", CREATED_AT).put("message", message)
        .put("done_reason", doneReason).put("done", true), prompt, eval);
  }

  public static JsonObject generateLine(String model, String response) {
    return new JsonObject().put("model", model).put("created_at", CREATED_AT).put("response", response)
        .put("done", false);
  }

  public static JsonObject generateDone(String model, String response, String doneReason, int prompt, int eval) {
    return metrics(new JsonObject().put("model", model).put("created_at", CREATED_AT).put("response", response)
        .put("done", true).put("done_reason", doneReason)
        .put("context", new JsonArray().add(151644).add(872).add(198)), prompt, eval);
  }

  private static JsonObject metrics(JsonObject o, int prompt, int eval) {
    return o.put("total_duration", 4_883_583_458L).put("load_duration", 1_334_875L)
        .put("prompt_eval_count", prompt).put("prompt_eval_duration", 342_546_000L)
        .put("eval_count", eval).put("eval_duration", 4_535_599_000L);
  }

  /** NDJSON: each object on its own line, newline-terminated. */
  public static String ndjson(JsonObject... lines) {
    StringBuilder b = new StringBuilder();
    for (JsonObject l : lines) {
      b.append(l.encode()).append('\n');
    }
    return b.toString();
  }

  // ---- behaviours ----

  /** Writes {@code pieces} as separate writes of one chunked NDJSON response (split or merged lines). */
  public static Behavior writes(String... pieces) {
    return (req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "application/x-ndjson");
      for (int i = 0; i < pieces.length - 1; i++) {
        req.response().write(pieces[i]);
      }
      req.response().end(pieces[pieces.length - 1]);
    };
  }

  /** Streams these lines one write each. */
  public static Behavior streamLines(JsonObject... lines) {
    String[] pieces = new String[lines.length];
    for (int i = 0; i < lines.length; i++) {
      pieces[i] = lines[i].encode() + "\n";
    }
    return writes(pieces);
  }

  /** One JSON answer, as Ollama sends for {@code "stream": false}. */
  public static Behavior json(JsonObject answer) {
    return (req, body) -> req.response().putHeader("content-type", "application/json; charset=utf-8")
        .end(answer.encode());
  }

  /** An error as Ollama writes it: {@code {"error":"..."}} with a status. */
  public static Behavior error(int status, String message) {
    return (req, body) -> req.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
        .end(new JsonObject().put("error", message).encode());
  }

  /** By path: a short chat or generate answer (streamed unless told not to) and embeddings of size 3. */
  private static void answerByPath(HttpServerRequest req, JsonObject body) {
    String model = body.getString("model", "unknown");
    switch (req.path()) {
      case "/api/chat" -> (streams(body)
          ? streamLines(chatLine(model, text("Hello")), chatLine(model, text(" from Ollama")),
              chatDone(model, text(""), "stop", 12, 3))
          : json(chatDone(model, text("Hello from Ollama"), "stop", 12, 3))).handle(req, body);
      case "/api/generate" -> (streams(body)
          ? streamLines(generateLine(model, "Once"), generateLine(model, " upon"),
              generateDone(model, "", "stop", 5, 2))
          : json(generateDone(model, "Once upon", "stop", 5, 2))).handle(req, body);
      case "/api/embed" -> {
        Object input = body.getValue("input");
        int n = input instanceof JsonArray list ? list.size() : 1;
        JsonArray embeddings = new JsonArray();
        for (int i = 0; i < n; i++) {
          embeddings.add(new JsonArray().add(0.5 + i).add(-0.25).add(0.125));
        }
        json(new JsonObject().put("model", model).put("embeddings", embeddings)
            .put("total_duration", 14_143_917L).put("load_duration", 1_019_500L).put("prompt_eval_count", 8 * n))
            .handle(req, body);
      }
      default -> req.response().setStatusCode(404).putHeader("content-type", "text/plain").end("404 page not found");
    }
  }
}
