package dev.switchboard.bus.impl;

import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.CallFailure;
import dev.switchboard.bus.Codecs;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A BackendVerticle's event loop that waits for a core longer than the peer timeout (a local llama-server
 * takes the CPUs) while the API side's loop runs: on one node the peer cannot have vanished, so neither
 * side's reaper ends the stream, and it completes once the backend runs again.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LocalPeerTest {

  private static final Duration KEEPALIVE = Duration.ofMillis(100);
  private static final Duration PEER_TIMEOUT = Duration.ofMillis(500);

  @Test
  void aStalledBackendLoopOnThisNodeDoesNotEndItsStreams(Vertx vertx) throws Exception {
    Codecs.register(vertx);
    Context backend = newContext(vertx);
    Context api = contextOnAnotherThread(vertx, backend);

    CompletableFuture<AnswerStream> accepted = new CompletableFuture<>();
    backend.runOnContext(v -> {
      CallServer server = new CallServer(vertx, "test.local.backend", "n1", KEEPALIVE, PEER_TIMEOUT);
      server.start(msg -> accepted.complete(server.accept(msg)));
    });
    CompletableFuture<Object> ended = new CompletableFuture<>();
    api.runOnContext(v -> {
      CallClient client = new CallClient(vertx, Duration.ofSeconds(5), KEEPALIVE, PEER_TIMEOUT);
      client.start().onSuccess(x -> client.call("test.local.backend", Call.of("r1", Endpoint.CHAT, "m",
          RequestBody.of(new JsonObject()), true, System.currentTimeMillis())).answer()
          .compose(answer -> answer.handler(data -> { }).ended())
          .onComplete(ar -> ended.complete(ar.succeeded() ? "end" : CallFailure.of(ar.cause()).error().message())));
    });
    AnswerStream sink = accepted.get(10, TimeUnit.SECONDS);

    CompletableFuture<Void> answered = new CompletableFuture<>();
    backend.runOnContext(v -> {
      stall(4 * PEER_TIMEOUT.toMillis()); // the scenario: this loop gets no core for 2 s; the API's loop runs
      sink.head(200, new JsonObject());
      sink.write(Buffer.buffer("data: {}\n\n"));
      sink.end(new JsonObject().put("outcome", "ok"));
      answered.complete(null);
    });
    answered.get(10, TimeUnit.SECONDS);

    assertThat(ended.get(10, TimeUnit.SECONDS)).as("how the stream ended").isEqualTo("end");
  }

  private static Context contextOnAnotherThread(Vertx vertx, Context other) throws Exception {
    Thread otherThread = threadOf(other);
    for (int i = 0; i < 64; i++) {
      Context c = newContext(vertx);
      if (threadOf(c) != otherThread) {
        return c;
      }
    }
    throw new AssertionError("no event loop other than the backend's");
  }

  /** Each verticle deployed gets a context of its own, on the event loops in turn. */
  private static Context newContext(Vertx vertx) throws Exception {
    CompletableFuture<Context> its = new CompletableFuture<>();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        its.complete(context);
        return Future.succeededFuture();
      }
    }).await(5, TimeUnit.SECONDS);
    return its.get(5, TimeUnit.SECONDS);
  }

  private static Thread threadOf(Context c) throws Exception {
    CompletableFuture<Thread> t = new CompletableFuture<>();
    c.runOnContext(v -> t.complete(Thread.currentThread()));
    return t.get(5, TimeUnit.SECONDS);
  }

  private static void stall(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
