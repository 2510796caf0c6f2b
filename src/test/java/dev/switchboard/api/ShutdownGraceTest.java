package dev.switchboard.api;

import dev.switchboard.bus.Addresses;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Shutting down: what finishes within switchboard_settings.shutdown_grace finishes; the rest is cut, saying so. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ShutdownGraceTest {

  @Test
  void streamThatOutlivesTheGraceIsCutWithAnErrorAndTheNodeStopsInTime(Vertx vertx) throws Exception {
    FakeOpenAiBackend backend = FakeOpenAiBackend.start(vertx);
    String[] chunks = IntStream.range(0, 40).mapToObj(i -> "c" + i).toArray(String[]::new);
    backend.behave(backend.streaming("long-backend", 200, chunks));
    TestNode sb = TestNode.start(vertx, """
        model_list:
          - model_name: long
            litellm_params: {model: openai/long-backend, api_base: %s}
        switchboard_settings:
          shutdown_grace: 1
        """.formatted(backend.apiBase()));
    List<JsonObject> events = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(Addresses.METRICS, m -> events.add(m.body()));
    consumer.completion().await();
    try {
      HttpResponse<Stream<String>> stream = sb.postStreaming("/v1/chat/completions",
          "{\"model\":\"long\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
      Iterator<String> lines = stream.body().iterator();
      assertThat(CompletableFuture.supplyAsync(lines::next).get(5, TimeUnit.SECONDS)).contains("\"content\":\"c0\"");

      long t0 = System.nanoTime();
      Future<Void> closed = sb.node().close();

      List<String> rest = CompletableFuture.supplyAsync(() -> {
        List<String> out = new ArrayList<>();
        lines.forEachRemaining(out::add);
        return out;
      }).get(10, TimeUnit.SECONDS);
      assertThat(rest).doesNotContain("data: [DONE]")
          .anySatisfy(l -> assertThat(l).contains("\"error\"").contains("shutting down").contains("shutdown_grace"));
      closed.await(10, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));

      Await.until(Duration.ofSeconds(5), "the cut request's metrics event", () -> !events.isEmpty());
      JsonObject e = events.get(0);
      assertThat(e.getInteger("status")).isEqualTo(503);
      assertThat(e.getString("outcome")).isEqualTo("error");
      assertThat(e.getString("error_type")).isEqualTo("service_unavailable_error");
      assertThat(e.getString("provider")).isEqualTo("openai");
      backend.clientClosed().get(5, TimeUnit.SECONDS);
    } finally {
      consumer.unregister().await();
      backend.close();
    }
  }
}
