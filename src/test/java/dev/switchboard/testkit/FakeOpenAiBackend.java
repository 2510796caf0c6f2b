package dev.switchboard.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible server for tests (think llama-server or vLLM), speaking the real wire format:
 * JSON answers and {@code text/event-stream} with {@code data: {...}\n\n} events and {@code data: [DONE]}.
 * Records what it received, how many requests it held at once, and when a client closed on it.
 */
public final class FakeOpenAiBackend {

  /** What to do with one request. */
  @FunctionalInterface
  public interface Behavior {
    void handle(HttpServerRequest req, JsonObject body);
  }

  /** A request as the backend saw it; {@code raw} is its body's text, byte for byte. */
  public record Received(String path, JsonObject body, io.vertx.core.MultiMap headers, String raw) {
  }

  private final Vertx vertx;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger probes = new AtomicInteger();
  private volatile int modelsStatus = 200;
  private volatile boolean modelsHang;
  private final AtomicInteger probesAbandoned = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final CompletableFuture<Void> clientClosed = new CompletableFuture<>();
  private final CompletableFuture<Received> firstRequest = new CompletableFuture<>();
  private volatile Behavior behavior = (req, body) -> req.response().putHeader("content-type", "application/json")
      .end(chatCompletion("backend-model", "Hello from the fake backend").encode());
  private HttpServer server;

  private FakeOpenAiBackend(Vertx vertx) {
    this.vertx = vertx;
  }

  public static FakeOpenAiBackend start(Vertx vertx) {
    return start(vertx, 0);
  }

  /** On a given port: a backend that "comes up" where a model's api_base already points. */
  public static FakeOpenAiBackend start(Vertx vertx, int port) {
    FakeOpenAiBackend fake = new FakeOpenAiBackend(vertx);
    fake.server = vertx.createHttpServer().requestHandler(fake::onRequest).listen(port, "127.0.0.1").await();
    return fake;
  }

  public String apiBase() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public int port() {
    return server.actualPort();
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

  public int maxInFlight() {
    return maxInFlight.get();
  }

  public int inFlight() {
    return inFlight.get();
  }

  /** Completes when the first (non-probe) request has arrived. */
  public CompletableFuture<Received> firstRequest() {
    return firstRequest;
  }

  /** Completes when a client closes a connection before the answer ended. */
  public CompletableFuture<Void> clientClosed() {
    return clientClosed;
  }

  public void close() {
    server.close().await();
  }

  /** How many liveness probes (GET /v1/models) it answered; they are not in {@link #received()}. */
  public int probes() {
    return probes.get();
  }

  /**
   * Makes the model list take probes and never answer them, as llama-server does when every one of its
   * HTTP threads is held by a stream or a request waiting for a slot; or answer again.
   */
  public void modelsHang(boolean hang) {
    this.modelsHang = hang;
  }

  /** Probes left unanswered ({@link #modelsHang}) whose client gave up and closed the connection. */
  public int probesAbandoned() {
    return probesAbandoned.get();
  }

  /** Makes the model list answer {@code status} (e.g. 503 while "loading"), or 200 again. */
  public void modelsStatus(int status) {
    this.modelsStatus = status;
  }

  private void onRequest(HttpServerRequest req) {
    if (req.method() == io.vertx.core.http.HttpMethod.GET && req.path().endsWith("/models")) {
      probes.incrementAndGet();
      if (modelsHang) {
        req.connection().closeHandler(v -> probesAbandoned.incrementAndGet());
        return;
      }
      req.response().setStatusCode(modelsStatus).putHeader("content-type", "application/json")
          .end(new JsonObject().put("object", "list").put("data", new JsonArray().add(new JsonObject()
              .put("id", "fake-model").put("object", "model"))).encode());
      return;
    }
    req.body().onSuccess(buf -> {
      JsonObject body = buf.length() == 0 ? new JsonObject() : buf.toJsonObject();
      Received r = new Received(req.path(), body, req.headers(), buf.toString(java.nio.charset.StandardCharsets.UTF_8));
      received.add(r);
      firstRequest.complete(r);
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      req.response().closeHandler(v -> {
        inFlight.decrementAndGet();
        clientClosed.complete(null);
      });
      req.response().endHandler(v -> inFlight.decrementAndGet());
      behavior.handle(req, body);
    });
  }

  // ---- canned answers, in the shapes llama-server and vLLM write ----

  public static JsonObject chatCompletion(String model, String content) {
    return new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion").put("created", 1700000000)
        .put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("message", new JsonObject().put("role", "assistant").put("content", content))
            .put("finish_reason", "stop")))
        .put("usage", new JsonObject().put("prompt_tokens", 7).put("completion_tokens", 5).put("total_tokens", 12));
  }

  public static String chunk(String model, String content) {
    JsonObject c = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
        .put("created", 1700000000).put("model", model)
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", new JsonObject().put("content", content)).put("finish_reason", (Object) null)));
    return "data: " + c.encode() + "\n\n";
  }

  public static String usageChunk(String model, int prompt, int completion) {
    JsonObject c = new JsonObject().put("id", "chatcmpl-fake").put("object", "chat.completion.chunk")
        .put("created", 1700000000).put("model", model).put("choices", new JsonArray())
        .put("usage", new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
            .put("total_tokens", prompt + completion));
    return "data: " + c.encode() + "\n\n";
  }

  public static final String DONE = "data: [DONE]\n\n";

  /** Streams {@code contents} as chunks, {@code delayMs} apart, then usage and [DONE]. */
  public Behavior streaming(String model, long delayMs, String... contents) {
    return (req, body) -> {
      req.response().setChunked(true).putHeader("content-type", "text/event-stream");
      sendChunks(req, model, delayMs, contents, 0);
    };
  }

  private void sendChunks(HttpServerRequest req, String model, long delayMs, String[] contents, int i) {
    if (req.response().closed()) {
      return;
    }
    if (i == contents.length) {
      req.response().write(usageChunk(model, 3, contents.length));
      req.response().end(DONE);
      return;
    }
    req.response().write(chunk(model, contents[i]));
    if (delayMs <= 0) {
      sendChunks(req, model, delayMs, contents, i + 1);
    } else {
      vertx.setTimer(delayMs, id -> sendChunks(req, model, delayMs, contents, i + 1));
    }
  }

  /** An OpenAI-style error answer. */
  public static Behavior error(int status, String message) {
    return (req, body) -> req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("message", message)
            .put("type", "invalid_request_error").put("param", (Object) null).put("code", (Object) null)).encode());
  }

  /** Never answers (a server still loading weights). */
  public static Behavior hang() {
    return (req, body) -> {
    };
  }

  /** Raw bytes written as one piece, for split/merged event tests. */
  public static Buffer raw(String s) {
    return Buffer.buffer(s);
  }
}
