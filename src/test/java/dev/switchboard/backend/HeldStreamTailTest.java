package dev.switchboard.backend;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tail-lost case made deterministic, one level down: the client's side grants no credit at all
 * while a llama-server-like backend sends its events one by one, then its last events, the chunked
 * terminator and a FIN in one go. Only once the backend's connection is closed does credit come.
 * Held that way, Vert.x's paused response used to be failed by the close ("Connection was closed")
 * with its end still queued; the whole answer must come through, then END.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HeldStreamTailTest {

  private static final int WINDOW = 32;
  /** The credit window, in bytes: about WINDOW events. */
  private static final int WINDOW_BYTES = WINDOW * FakeOpenAiBackend.chunk("m", "token 0").length();
  /** One by one: the credit window, plus what Vert.x queues in a paused response before it parks the rest. */
  private static final int ONE_BY_ONE = WINDOW + 16;
  private static final int LAST = 3;

  private NetServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close().await();
    }
  }

  @Test
  void tailArrivingWithTheFinWhileHeldIsDeliveredWhole(Vertx vertx) throws Exception {
    CompletableFuture<Void> backendClosed = new CompletableFuture<>();
    server = vertx.createNetServer().connectHandler(s -> answer(vertx, s, backendClosed)).listen(0, "127.0.0.1")
        .await();
    ModelDeployment d = TestNode.config("""
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: http://127.0.0.1:%d/v1}
        """.formatted(server.actualPort())).model("m").orElseThrow();
    ScriptedAnswer sink = new ScriptedAnswer(d);
    Context ctx = vertx.getOrCreateContext();
    CompletableFuture<ExchangeOutcome> outcome = new CompletableFuture<>();
    ctx.runOnContext(v -> {
      HttpClient client = vertx.createHttpClient();
      new HttpExchange(vertx, client, new ConnectionHistory(), Providers.forKind(d.kind()), d, sink,
          System.currentTimeMillis(), 0).start().onSuccess(outcome::complete);
    });

    backendClosed.get(10, TimeUnit.SECONDS);
    // The FIN is in our socket now; some turns of the exchange's event loop (each polls its sockets) let
    // it see the close if it reads the socket at all, before the client reads again.
    afterTurns(vertx, ctx, 20, () -> sink.grant(1 << 20));

    ExchangeOutcome result = outcome.get(10, TimeUnit.SECONDS);
    assertThat(result.kind()).as("outcome: %s; error: %s", result, sink.error).isEqualTo(ExchangeOutcome.Kind.OK);
    assertThat(sink.data.toString(StandardCharsets.UTF_8)).isEqualTo(expectedEvents());
  }

  /**
   * Runs {@code r} on {@code ctx} after {@code turns} more turns of its event loop, each of which polls
   * the sockets (a timer fires once per turn; tasks queued from tasks would all run in one turn).
   */
  private static void afterTurns(Vertx vertx, Context ctx, int turns, Runnable r) {
    ctx.runOnContext(v -> vertx.setTimer(1, id -> {
      if (turns == 0) {
        r.run();
      } else {
        afterTurns(vertx, ctx, turns - 1, r);
      }
    }));
  }

  private static String expectedEvents() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ONE_BY_ONE + LAST; i++) {
      sb.append(FakeOpenAiBackend.chunk("m", "token " + i));
    }
    return sb.append(FakeOpenAiBackend.DONE).toString();
  }

  /** Reads the request, then writes the headers and one event per write, and the last ones with the FIN. */
  private static void answer(Vertx vertx, NetSocket socket, CompletableFuture<Void> closed) {
    socket.closeHandler(v -> closed.complete(null));
    StringBuilder in = new StringBuilder();
    socket.handler(b -> {
      in.append(b.toString(StandardCharsets.ISO_8859_1));
      int headEnd = in.indexOf("\r\n\r\n");
      if (headEnd < 0 || !in.substring(0, headEnd).toLowerCase().startsWith("post")) {
        return;
      }
      socket.handler(null);
      socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nKeep-Alive: timeout=5, max=100\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n");
      writeOneByOne(vertx, socket, 0);
    });
  }

  private static void writeOneByOne(Vertx vertx, NetSocket socket, int i) {
    if (i < ONE_BY_ONE) {
      socket.write(chunked(FakeOpenAiBackend.chunk("m", "token " + i)));
      vertx.setTimer(2, id -> writeOneByOne(vertx, socket, i + 1)); // a backend generating, token by token
      return;
    }
    Buffer last = Buffer.buffer();
    for (int j = ONE_BY_ONE; j < ONE_BY_ONE + LAST; j++) {
      last.appendBuffer(chunked(FakeOpenAiBackend.chunk("m", "token " + j)));
    }
    last.appendBuffer(chunked(FakeOpenAiBackend.DONE)).appendString("0\r\n\r\n");
    socket.write(last).compose(v -> socket.close());
  }

  private static Buffer chunked(String event) {
    byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(Integer.toHexString(bytes.length) + "\r\n").appendBytes(bytes).appendString("\r\n");
  }

  /** The client's side of the call, scripted: credit, in bytes, only when the test grants it. */
  private static final class ScriptedAnswer implements AnswerStream {
    private final Call call;
    private final Buffer data = Buffer.buffer();
    private final ArrayDeque<Buffer> held = new ArrayDeque<>();
    private long credit = WINDOW_BYTES;
    private boolean full;
    private boolean closed;
    private Handler<Void> drainHandler;
    private Promise<Void> ended;
    private volatile OpenAiError error;

    ScriptedAnswer(ModelDeployment d) {
      JsonObject body = new JsonObject().put("model", "m").put("stream", true)
          .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user")
              .put("content", "x")));
      this.call = new Call("req-1", "stream-1", "nowhere", Endpoint.CHAT, d.modelName(), RequestBody.of(body), true,
          WINDOW_BYTES, System.currentTimeMillis());
    }

    void grant(int bytes) {
      credit += bytes;
      flush();
    }

    private void flush() {
      while (credit > 0 && !held.isEmpty()) {
        Buffer b = held.pollFirst();
        if (b.length() > credit) {
          held.addFirst(b.getBuffer((int) credit, b.length()));
          b = b.getBuffer(0, (int) credit);
        }
        credit -= b.length();
        data.appendBuffer(b);
      }
      if (held.isEmpty() && ended != null) {
        ended.tryComplete();
      } else if (held.isEmpty() && full && credit > 0) {
        full = false;
        drainHandler.handle(null);
      }
    }

    @Override
    public void head(int status, JsonObject meta) {
    }

    @Override
    public Future<Void> write(Buffer bytes) {
      held.addLast(bytes);
      flush();
      return Future.succeededFuture();
    }

    @Override
    public boolean writeQueueFull() {
      full |= !held.isEmpty() || credit <= 0;
      return full;
    }

    @Override
    public AnswerStream drainHandler(Handler<Void> handler) {
      drainHandler = handler;
      return this;
    }

    @Override
    public AnswerStream exceptionHandler(Handler<Throwable> handler) {
      return this;
    }

    @Override
    public AnswerStream setWriteQueueMaxSize(int maxSize) {
      return this;
    }

    @Override
    public Future<Void> end(JsonObject meta) {
      closed = true;
      ended = Promise.promise();
      flush();
      return ended.future();
    }

    @Override
    public void fail(OpenAiError e, JsonObject meta) {
      closed = true;
      error = e;
    }

    @Override
    public Future<String> cancelled() {
      return Promise.<String>promise().future();
    }

    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public Call call() {
      return call;
    }
  }
}
