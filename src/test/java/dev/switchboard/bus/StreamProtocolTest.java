package dev.switchboard.bus;

import dev.switchboard.bus.impl.CallClient;
import dev.switchboard.bus.impl.CallServer;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.testkit.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream protocol between an API verticle and a BackendVerticle, on the event bus alone (no HTTP):
 * credit in bytes and a window no writer can overrun, keepalives, cancellation from either side, and a
 * peer on another node that vanishes (a peer on this node cannot: LocalPeerTest).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamProtocolTest {

  private static final String BACKEND = "test.backend";
  private static final Duration KEEPALIVE = Duration.ofMillis(50);
  private static final Duration PEER_TIMEOUT = Duration.ofMillis(300);

  private Vertx vertx;
  private Context loop;
  private CallServer server;
  private CallClient client;
  /** The answer stream of each call the backend accepted, in order. */
  private final List<AnswerStream> accepted = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    this.vertx = vertx;
    Codecs.register(vertx);
    loop = vertx.getOrCreateContext();
    onLoop(() -> {
      server = new CallServer(vertx, BACKEND, "node-1", KEEPALIVE, PEER_TIMEOUT);
      client = new CallClient(vertx, Duration.ofSeconds(2), KEEPALIVE, PEER_TIMEOUT);
      return server.start((Message<Call> msg) -> accepted.add(server.accept(msg))).compose(v -> client.start());
    });
  }

  @Test
  void aWriteBeyondTheWindowIsHeldAndTheWriterToldToWaitUntilCreditCoversIt() throws Exception {
    // A raw API endpoint: it grants credit only when the test says so.
    List<Frame> frames = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Frame>consumer("test.api", msg -> frames.add(msg.body()));
    AtomicReference<JsonObject> ack = new AtomicReference<>();
    onLoop(() -> vertx.eventBus().<JsonObject>request(BACKEND, new Call("r1", "s1", "test.api", Endpoint.CHAT, "m",
        RequestBody.of(new JsonObject()), true, 1000, System.currentTimeMillis())).onSuccess(m -> ack.set(m.body())));
    AnswerStream answer = accepted.get(0);
    AtomicInteger drains = new AtomicInteger();
    AtomicReference<Future<Void>> ended = new AtomicReference<>();
    AtomicBoolean fullAfterWrite = new AtomicBoolean();
    onLoop(() -> {
      answer.drainHandler(v -> drains.incrementAndGet());
      answer.head(200, new JsonObject());
      answer.write(Buffer.buffer("x".repeat(2500))); // one write, two and a half windows
      fullAfterWrite.set(answer.writeQueueFull());
      ended.set(answer.end(new JsonObject().put("outcome", "ok")));
      return Future.succeededFuture();
    });
    Await.until(Duration.ofSeconds(5), "the first window's data", () -> dataBytes(frames) == 1000);

    assertThat(fullAfterWrite).as("writeQueueFull once the window is used").isTrue();
    assertThat(ended.get().isComplete()).as("END waits behind the held bytes").isFalse();
    credit(ack.get(), 1000);
    Await.until(Duration.ofSeconds(5), "the second window's data", () -> dataBytes(frames) == 2000);
    assertThat(kinds(frames)).doesNotContain(Frame.Kind.END);
    credit(ack.get(), 600);

    Await.until(Duration.ofSeconds(5), "the rest, then END", () -> kinds(frames).contains(Frame.Kind.END));
    assertThat(dataBytes(frames)).isEqualTo(2500);
    assertThat(frames.get(frames.size() - 1).kind()).isEqualTo(Frame.Kind.END);
    assertThat(ended.get().succeeded()).isTrue();
  }

  @Test
  void aServerThatStopsSendsWhatItHoldsThenAnErrorInsteadOfLeavingTheStreamWaiting() throws Exception {
    List<Frame> frames = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Frame>consumer("test.api", msg -> frames.add(msg.body()));
    onLoop(() -> vertx.eventBus().request(BACKEND, new Call("r1", "s1", "test.api", Endpoint.CHAT, "m",
        RequestBody.of(new JsonObject()), true, 10, System.currentTimeMillis())));
    AnswerStream answer = accepted.get(0);
    onLoop(() -> {
      answer.head(200, new JsonObject());
      answer.write(Buffer.buffer("x".repeat(25)));
      return server.stop(); // the verticle is undeployed: no credit will ever come
    });

    Await.until(Duration.ofSeconds(5), "the last frame", () -> kinds(frames).contains(Frame.Kind.ERROR));
    assertThat(dataBytes(frames)).isEqualTo(25);
    Frame last = frames.get(frames.size() - 1);
    assertThat(last.kind()).isEqualTo(Frame.Kind.ERROR);
    assertThat(last.n()).isEqualTo(503);
  }

  @Test
  void creditComesBackOnlyForWhatTheReaderTookSoAPausedReaderStopsTheBackendWithinOneWindow() throws Exception {
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call(BACKEND, chat())));
    AnswerStream answer = awaitAccepted();
    Answer read = onLoop(() -> {
      answer.head(200, new JsonObject().put("content_type", "text/event-stream"));
      return call.answer();
    });
    Buffer got = Buffer.buffer();
    int total = 5 * CallClient.WINDOW;
    AtomicInteger written = new AtomicInteger();
    onLoop(() -> {
      read.pause();
      read.handler(got::appendBuffer);
      writeWhileWritable(answer, total, written);
      return Future.succeededFuture();
    });
    Await.until(Duration.ofSeconds(5), "the backend to be told to wait", () -> onLoopNow(answer::writeQueueFull));

    assertThat(written.get()).as("bytes the writer got out before waiting").isLessThanOrEqualTo(CallClient.WINDOW);
    assertThat(got.length()).as("nothing handed on while paused").isZero();
    onLoop(() -> {
      read.resume();
      return Future.succeededFuture();
    });
    Await.until(Duration.ofSeconds(10), "the whole answer", () -> onLoopNow(() -> got.length()) == total);
    JsonObject accounting = onLoop(() -> {
      answer.end(new JsonObject().put("outcome", "ok").put("completion_tokens", 7));
      return read.ended();
    });
    assertThat(accounting.getInteger("completion_tokens")).isEqualTo(7);
  }

  @Test
  void aSilentStreamStaysOpenLongerThanThePeerTimeout() throws Exception {
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call(BACKEND, chat())));
    AnswerStream answer = awaitAccepted();
    Answer read = onLoop(() -> {
      answer.head(200, new JsonObject());
      return call.answer();
    });
    CompletableFuture<Void> idle = new CompletableFuture<>();
    vertx.setTimer(4 * PEER_TIMEOUT.toMillis(), id -> idle.complete(null));
    idle.get(5, TimeUnit.SECONDS);

    assertThat(read.ended().isComplete()).as("answer ended: %s", read.ended().cause()).isFalse();
    assertThat(answer.cancelled().isComplete()).as("backend cancelled: %s", answer.cancelled().result()).isFalse();
    assertThat(onLoopNow(client::openCalls)).isEqualTo(1);
  }

  @Test
  void aCancelFromTheApiSideReachesTheBackendAndEndsItsWrites() throws Exception {
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call(BACKEND, chat())));
    AnswerStream answer = awaitAccepted();
    onLoop(() -> {
      answer.head(200, new JsonObject());
      return call.answer();
    });
    onLoop(() -> {
      call.cancel("client disconnected");
      return Future.succeededFuture();
    });

    String reason = onLoop(answer::cancelled);
    assertThat(reason).isEqualTo("client disconnected");
    Future<Void> write = onLoopNow(() -> answer.write(Buffer.buffer("late")));
    assertThat(write.failed()).isTrue();
    assertThat(answer.closed()).isTrue();
  }

  @Test
  void aCancelBeforeTheAckIsSentOnceTheBackendAcknowledges() throws Exception {
    CallHandle call = onLoop(() -> {
      CallHandle c = client.call(BACKEND, chat());
      c.cancel("client disconnected"); // the ack is not here yet
      return Future.succeededFuture(c);
    });
    AnswerStream answer = awaitAccepted();

    assertThat(onLoop(answer::cancelled)).isEqualTo("client disconnected");
    assertThat(call.answer().isComplete()).as("nothing reaches a cancelled call").isFalse();
  }

  @Test
  void aBackendErrorBeforeTheHeadFailsTheAnswerWithItsStatusAndAccounting() throws Exception {
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call(BACKEND, chat())));
    AnswerStream answer = awaitAccepted();
    onLoop(() -> {
      answer.fail(OpenAiError.timeout("too slow"), new JsonObject().put("outcome", "timeout"));
      return Future.succeededFuture();
    });

    Throwable failure = awaitFailure(call.answer());
    CallFailure f = CallFailure.of(failure);
    assertThat(f.error().status()).isEqualTo(408);
    assertThat(f.error().message()).isEqualTo("too slow");
    assertThat(f.accounting().getString("outcome")).isEqualTo("timeout");
    assertThat(f.refused()).isFalse();
  }

  @Test
  void aBackendErrorAfterTheHeadEndsTheAnswerAfterItsBytes() throws Exception {
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call(BACKEND, chat())));
    AnswerStream answer = awaitAccepted();
    Answer read = onLoop(() -> {
      answer.head(200, new JsonObject());
      return call.answer();
    });
    Buffer got = Buffer.buffer();
    onLoop(() -> {
      read.handler(got::appendBuffer);
      answer.write(Buffer.buffer("data: a\n\n"));
      answer.fail(OpenAiError.unavailable("backend broke"), null);
      return Future.succeededFuture();
    });

    Throwable failure = awaitFailure(read.ended());
    assertThat(CallFailure.of(failure).error().status()).isEqualTo(503);
    assertThat(got.toString()).isEqualTo("data: a\n\n");
  }

  @Test
  void aBackendOnAnotherNodeThatFallsSilentEndsTheAnswerWith503AfterThePeerTimeout() throws Exception {
    // A raw backend endpoint (not this node's CallServer, so a peer that can vanish): it acks, sends the
    // head, then nothing, not even keepalives.
    vertx.eventBus().<Call>consumer("test.remote.backend", msg -> {
      msg.reply(new JsonObject().put("control", "test.remote.control").put("node", "node-2"));
      vertx.eventBus().send(msg.body().replyTo(), Frame.head(msg.body().streamId(), 200, new JsonObject()));
    });
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call("test.remote.backend", chat())));
    Answer read = onLoop(call::answer);
    long silentFrom = System.currentTimeMillis();

    CallFailure f = CallFailure.of(awaitFailure(read.ended()));
    assertThat(f.error().status()).isEqualTo(503);
    assertThat(f.error().message()).contains("stopped answering");
    assertThat(System.currentTimeMillis() - silentFrom).isGreaterThanOrEqualTo(PEER_TIMEOUT.toMillis());
  }

  @Test
  void anApiSideOnAnotherNodeThatFallsSilentIsCancelledByTheBackendAfterTwiceThePeerTimeout() throws Exception {
    // A raw API endpoint: it sends the call and then nothing, not even keepalives.
    vertx.eventBus().consumer("test.remote.api", msg -> { });
    long sentAt = System.currentTimeMillis();
    onLoop(() -> vertx.eventBus().request(BACKEND, new Call("r1", "s1", "test.remote.api", Endpoint.CHAT, "m",
        RequestBody.of(new JsonObject()), true, 1000, sentAt)));
    AnswerStream answer = awaitAccepted();

    String reason = onLoop(answer::cancelled);
    assertThat(reason).contains("gone");
    assertThat(System.currentTimeMillis() - sentAt).isGreaterThanOrEqualTo(2 * PEER_TIMEOUT.toMillis());
    assertThat(onLoopNow(() -> answer.write(Buffer.buffer("late"))).failed()).isTrue();
  }

  @Test
  void aCallNoBackendTakesFailsAsRefusedWithoutWaitingForTheAckTimeout() throws Exception {
    long sentAt = System.currentTimeMillis();
    CallHandle call = onLoop(() -> Future.succeededFuture(client.call("test.nobody", chat())));

    CallFailure f = CallFailure.of(awaitFailure(call.answer()));
    assertThat(System.currentTimeMillis() - sentAt).as("ms until refused").isLessThan(1_000);
    assertThat(f.refused()).isTrue();
    assertThat(f.error().status()).isEqualTo(503);
    assertThat(f.accounting().getBoolean("unsent")).isTrue();
  }

  private static Call chat() {
    return Call.of("r1", Endpoint.CHAT, "m", RequestBody.of(new JsonObject()), true, System.currentTimeMillis());
  }

  /** Writes until the stream says wait (the drain handler writes on), up to {@code total} bytes. */
  private static void writeWhileWritable(AnswerStream answer, int total, AtomicInteger written) {
    while (written.get() < total && !answer.writeQueueFull()) {
      int n = Math.min(4096, total - written.get());
      answer.write(Buffer.buffer(new byte[n]));
      written.addAndGet(n);
    }
    if (written.get() < total) {
      answer.drainHandler(v -> writeWhileWritable(answer, total, written));
    }
  }

  private AnswerStream awaitAccepted() {
    Await.until(Duration.ofSeconds(5), "the backend to accept the call", () -> onLoopNow(() -> accepted.size()) > 0);
    return onLoopNow(() -> accepted.get(accepted.size() - 1));
  }

  private void credit(JsonObject ack, int bytes) {
    vertx.eventBus().send(ack.getString("control"), Frame.credit("s1", bytes));
  }

  private static int dataBytes(List<Frame> frames) {
    return frames.stream().filter(f -> f.kind() == Frame.Kind.DATA).mapToInt(f -> f.data().length()).sum();
  }

  private static List<Frame.Kind> kinds(List<Frame> frames) {
    return frames.stream().map(Frame::kind).toList();
  }

  /** Runs {@code work} on the protocol's event loop and waits for its future. */
  private <T> T onLoop(Supplier<Future<T>> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> work.get().onComplete(ar -> {
      if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result.get(10, TimeUnit.SECONDS);
  }

  /** Reads state owned by the event loop, on the event loop. */
  private <T> T onLoopNow(Supplier<T> read) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> result.complete(read.get()));
    return result.join();
  }

  private static Throwable awaitFailure(Future<?> f) throws Exception {
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    f.onComplete(ar -> failed.complete(ar.failed() ? ar.cause() : null));
    Throwable t = failed.get(10, TimeUnit.SECONDS);
    assertThat(t).as("expected a failure").isNotNull();
    return t;
  }
}
