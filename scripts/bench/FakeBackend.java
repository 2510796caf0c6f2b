import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's fake OpenAI-compatible backend (scripts/bench.sh), on one event loop.
 *
 * <ul>
 *   <li>{@code POST .../chat/completions}: a fixed chat.completion, answered at once;</li>
 *   <li>{@code POST /c<N>i<MS>/.../chat/completions}: an SSE stream of N chunks, the first at once and
 *       then one every MS milliseconds, then {@code data: [DONE]}. Each chunk carries {@code "ts"}, the
 *       backend's {@link System#nanoTime()} when it was written: on Linux that clock is CLOCK_MONOTONIC,
 *       shared by every process, so the load generator can tell how long each chunk took to reach it;</li>
 *   <li>{@code GET .../models}: a model list (Switchboard's liveness probe);</li>
 *   <li>{@code POST /api/chat}: a fixed answer of Ollama's native API ({@code "stream": false}), and
 *       {@code GET /api/tags} (its liveness probe): the Ollama translation path's backend.</li>
 * </ul>
 *
 * Usage: {@code java -cp switchboard.jar:classes FakeBackend PORT}. Listens on 127.0.0.1 only.
 */
public final class FakeBackend {

  private static final Pattern STREAM_PATH = Pattern.compile("^/c(\\d+)i(\\d+)/");
  private static final Buffer COMPLETION = Buffer.buffer("{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
      + "\"created\":1700000000,\"model\":\"bench-backend\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
      + "\"assistant\",\"content\":\"pong\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
      + "\"completion_tokens\":1,\"total_tokens\":6}}");
  private static final Buffer MODELS = Buffer.buffer("{\"object\":\"list\",\"data\":[{\"id\":\"bench-backend\","
      + "\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"bench\"}]}");
  private static final Buffer OLLAMA_CHAT = Buffer.buffer("{\"model\":\"bench-backend\",\"created_at\":"
      + "\"2023-11-14T22:13:20Z\",\"message\":{\"role\":\"assistant\",\"content\":\"pong\"},\"done\":true,"
      + "\"done_reason\":\"stop\",\"total_duration\":1000,\"prompt_eval_count\":5,\"eval_count\":1}");
  private static final Buffer OLLAMA_TAGS = Buffer.buffer("{\"models\":[{\"name\":\"bench:latest\","
      + "\"model\":\"bench:latest\"}]}");
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private static Vertx vertx;

  private FakeBackend() {
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true).setIdleTimeout(0))
        .requestHandler(FakeBackend::handle)
        .listen(port, "127.0.0.1")
        .onSuccess(s -> System.out.println("fake backend listening on 127.0.0.1:" + s.actualPort()))
        .onFailure(e -> {
          System.err.println("fake backend: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
          System.exit(1);
        });
  }

  private static void handle(HttpServerRequest req) {
    String path = req.path();
    HttpServerResponse resp = req.response();
    if (path.equals("/api/chat")) {
      req.end().onComplete(ar -> resp.putHeader("content-type", "application/json").end(OLLAMA_CHAT));
      return;
    }
    if (path.equals("/api/tags")) {
      resp.putHeader("content-type", "application/json").end(OLLAMA_TAGS);
      return;
    }
    if (path.endsWith("/models")) {
      resp.putHeader("content-type", "application/json").end(MODELS);
      return;
    }
    if (!path.endsWith("/completions")) {
      resp.setStatusCode(404).end();
      return;
    }
    Matcher m = STREAM_PATH.matcher(path);
    if (!m.find()) {
      // The body is not needed; end() once it has been read so that the connection stays reusable.
      req.end().onComplete(ar -> resp.putHeader("content-type", "application/json").end(COMPLETION));
      return;
    }
    int chunks = Integer.parseInt(m.group(1));
    long intervalMs = Long.parseLong(m.group(2));
    req.end().onComplete(ar -> stream(req, chunks, intervalMs));
  }

  private static void stream(HttpServerRequest req, int chunks, long intervalMs) {
    HttpServerResponse resp = req.response();
    resp.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    int[] sent = {0};
    long[] timer = {-1};
    Runnable next = () -> {
      if (resp.closed()) {
        vertx.cancelTimer(timer[0]);
        return;
      }
      int i = sent[0]++;
      resp.write(chunk(i, i == chunks - 1));
      if (i == chunks - 1) {
        vertx.cancelTimer(timer[0]);
        resp.end(Buffer.buffer(DONE));
      }
    };
    next.run();
    if (chunks > 1 && !resp.ended()) {
      timer[0] = vertx.setPeriodic(Math.max(1, intervalMs), id -> next.run());
    }
  }

  private static Buffer chunk(int i, boolean last) {
    String finish = last ? "\"stop\"" : "null";
    return Buffer.buffer("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
        + "\"model\":\"bench-backend\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"},"
        + "\"finish_reason\":" + finish + "}],\"ts\":" + System.nanoTime() + "}\n\n");
  }
}
