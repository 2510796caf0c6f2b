package dev.switchboard.bus;

import dev.switchboard.bus.impl.CallClient;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The API side's reaper takes a silent peer for dead only for silence it was there to hear. Here the
 * whole process "pauses" (a long GC, CPUs taken by a local llama-server): the API verticle's event
 * loop is blocked longer than the peer timeout, and the backend, paused too, speaks again only just
 * after. Its keepalive comes after the reaper's first tick; that tick must not end the stream.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PausedReaperTest {

  private static final Duration KEEPALIVE = Duration.ofMillis(100);
  private static final Duration PEER_TIMEOUT = Duration.ofMillis(500);

  @Test
  void aPauseOfOurOwnLoopLongerThanThePeerTimeoutDoesNotEndTheStream(Vertx vertx) throws Exception {
    Codecs.register(vertx);
    AtomicBoolean backendPaused = new AtomicBoolean();
    AtomicReference<String> streamId = new AtomicReference<>();
    AtomicReference<String> replyTo = new AtomicReference<>();
    // The backend: accepts the call, then keeps it alive every 100 ms, except while "paused".
    vertx.eventBus().<Call>consumer("test.backend", (Message<Call> msg) -> {
      streamId.set(msg.body().streamId());
      replyTo.set(msg.body().replyTo());
      msg.reply(new JsonObject().put("control", "test.backend.ctl").put("node", "n1"));
    });
    vertx.eventBus().consumer("test.backend.ctl", msg -> { });
    vertx.setPeriodic(KEEPALIVE.toMillis(), id -> {
      if (streamId.get() != null && !backendPaused.get()) {
        vertx.eventBus().send(replyTo.get(), Frame.keepalive(new JsonArray().add(streamId.get())));
      }
    });

    Context api = vertx.getOrCreateContext();
    CompletableFuture<OpenAiError> ended = new CompletableFuture<>();
    CompletableFuture<CallClient> client = new CompletableFuture<>();
    api.runOnContext(v -> {
      CallClient c = new CallClient(vertx, Duration.ofSeconds(2), KEEPALIVE, PEER_TIMEOUT);
      c.start().onSuccess(x -> {
        c.call("test.backend", Call.of("r1", Endpoint.CHAT, "m", RequestBody.of(new JsonObject()), true,
            System.currentTimeMillis())).answer().onComplete(ar -> ended.complete(ar.failed()
            ? CallFailure.of(ar.cause()).error() : null));
        client.complete(c);
      }).onFailure(client::completeExceptionally);
    });
    CallClient c = client.get(5, TimeUnit.SECONDS);

    // The pause: the backend stops, our loop is blocked 3 peer timeouts long; the backend speaks again
    // 200 ms after our loop is free (so our first late tick comes before its keepalive).
    CompletableFuture<Void> unblocked = new CompletableFuture<>();
    backendPaused.set(true);
    api.runOnContext(v -> {
      sleep(3 * PEER_TIMEOUT.toMillis());
      unblocked.complete(null);
    });
    unblocked.get(5, TimeUnit.SECONDS);
    Thread.sleep(200); // the rest of the pause, for the backend: part of the scenario, not a synchronisation
    backendPaused.set(false);

    // Well past the pause, with keepalives flowing again: the stream is still open.
    CompletableFuture<Integer> open = new CompletableFuture<>();
    vertx.setTimer(3 * PEER_TIMEOUT.toMillis(), id -> api.runOnContext(v -> open.complete(c.openCalls())));
    assertThat(open.get(5, TimeUnit.SECONDS)).as("ended with: %s", ended.getNow(null)).isEqualTo(1);
    assertThat(ended).isNotDone();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
