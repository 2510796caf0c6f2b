package dev.switchboard.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.micrometer.backends.BackendRegistries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code switchboard_settings.metrics.vertx_meters}: with it off, a Vert.x built from Switchboard's
 * options serves HTTP and the bus as before (through the connection-safe factory, whose server meters
 * then have nothing to wrap), and the scrape carries no {@code vertx_http_*}, {@code vertx_net_*} or
 * {@code vertx_eventbus_*} series; the JVM's and the worker pools' stay. With it on (the default) they are all there.
 */
class VertxMetersSwitchTest {

  private final String registryName = "vertx-meters-" + UUID.randomUUID();
  private Vertx vertx;

  @AfterEach
  void close() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    BackendRegistries.stop(registryName);
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void vertxOwnMetersFollowTheSetting(boolean vertxMeters) throws Exception {
    VertxOptions options = new VertxOptions()
        .setMetricsOptions(Metrics.vertxOptions(vertxMeters).setRegistryName(registryName));
    vertx = Metrics.vertxBuilder(options).build();
    vertx.eventBus().<String>consumer("meters.test", m -> m.reply(m.body() + "!"));
    HttpServer server = vertx.createHttpServer()
        .requestHandler(req -> vertx.eventBus().<String>request("meters.test", "pong")
            .onComplete(reply -> req.response().end(reply.succeeded() ? reply.result().body() : "no reply")))
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);

    String body = vertx.createHttpClient()
        .request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
        .compose(req -> req.send().compose(HttpClientResponse::body))
        .map(Buffer::toString)
        .await(10, TimeUnit.SECONDS);

    assertThat(body).isEqualTo("pong!");
    String scrape = ((PrometheusMeterRegistry) BackendRegistries.getNow(registryName)).scrape();
    assertThat(scrape).contains("jvm_memory_used_bytes", "vertx_pool_in_use");
    for (String series : new String[] {"vertx_http_server_requests_total", "vertx_http_server_active_connections",
        "vertx_http_client_requests_total", "vertx_eventbus_handlers"}) {
      assertThat(scrape.contains(series)).as(series + " in the scrape").isEqualTo(vertxMeters);
    }
  }
}
