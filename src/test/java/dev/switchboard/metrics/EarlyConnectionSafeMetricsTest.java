package dev.switchboard.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection Vert.x accepts in the moment between binding the port and making the server's
 * meters reaches the meters with no connection meter (null). Micrometer's own meters throw on it
 * and the request is never answered; Switchboard's factory serves it uncounted.
 */
class EarlyConnectionSafeMetricsTest {

  private static final SocketAddress SERVER = SocketAddress.inetSocketAddress(4000, "127.0.0.1");
  private static final SocketAddress CLIENT = SocketAddress.inetSocketAddress(50_000, "127.0.0.1");

  private final String registryName = "early-connection-" + UUID.randomUUID();
  private final VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true).setRegistryName(registryName).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));

  @AfterEach
  void dropRegistry() {
    BackendRegistries.stop(registryName);
  }

  @Test
  void micrometersOwnServerMetersThrowOnAConnectionWithoutItsMeter() {
    // The reason the wrapper exists: when this stops throwing, Vert.x has fixed the race.
    HttpServerMetrics<Object, Object, Object> plain = serverMeters(new MicrometerMetricsFactory().metrics(options));
    assertThatThrownBy(() -> plain.requestBegin(null, new Request())).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aRequestOnAnUnmeteredConnectionPassesEveryHookWithoutBeingCounted() {
    HttpServerMetrics<Object, Object, Object> meters = serverMeters(new EarlyConnectionSafeMetricsFactory().metrics(options));
    Request request = new Request();
    Response response = new Response();

    assertThatCode(() -> {
      Object requestMetric = meters.requestBegin(null, request);
      meters.requestRouted(requestMetric, "/health/liveliness");
      meters.requestEnd(requestMetric, request, 0);
      meters.responseBegin(requestMetric, response);
      meters.responseEnd(requestMetric, response, 2);
      meters.bytesRead(null, CLIENT, 100);
      meters.bytesWritten(null, CLIENT, 100);
      meters.exceptionOccurred(null, CLIENT, new RuntimeException("reset"));
      meters.disconnected(null, CLIENT);
    }).doesNotThrowAnyException();
    assertThat(requestsCounted()).isZero();
  }

  @Test
  void aMeteredConnectionIsCountedAsBefore() {
    HttpServerMetrics<Object, Object, Object> meters = serverMeters(new EarlyConnectionSafeMetricsFactory().metrics(options));
    Request request = new Request();
    Response response = new Response();

    Object connection = meters.connected(CLIENT, "127.0.0.1");
    Object requestMetric = meters.requestBegin(connection, request);
    meters.requestEnd(requestMetric, request, 0);
    meters.responseBegin(requestMetric, response);
    meters.responseEnd(requestMetric, response, 2);
    meters.disconnected(connection, CLIENT);

    assertThat(connection).isNotNull();
    assertThat(requestsCounted()).isEqualTo(1.0);
  }

  @SuppressWarnings("unchecked")
  private static HttpServerMetrics<Object, Object, Object> serverMeters(VertxMetrics metrics) {
    return (HttpServerMetrics<Object, Object, Object>) metrics.createHttpServerMetrics(new HttpServerOptions(), SERVER);
  }

  private double requestsCounted() {
    MeterRegistry registry = BackendRegistries.getNow(registryName);
    return registry.find("vertx.http.server.requests").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static final class Request implements HttpRequest {
    @Override public int id() { return 1; }
    @Override public String uri() { return "/health/liveliness"; }
    @Override public String absoluteURI() { return "http://127.0.0.1:4000/health/liveliness"; }
    @Override public HttpMethod method() { return HttpMethod.GET; }
    @Override public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
    @Override public SocketAddress remoteAddress() { return CLIENT; }
  }

  private static final class Response implements HttpResponse {
    @Override public int statusCode() { return 200; }
    @Override public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
  }
}
