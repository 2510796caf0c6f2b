package dev.switchboard.metrics;

import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * Vert.x's Micrometer meters, minus a start-up race that leaves a client's connection hanging.
 *
 * <p>Vert.x 5.0.7 creates an HTTP server's meters only once its port is bound, and reads them again
 * for every connection it accepts. A connection accepted in between gets no connection meter, but
 * its first request finds the server's meters and calls {@code requestBegin} with a null
 * connection meter: vertx-micrometer throws a {@code NullPointerException} inside Netty's
 * pipeline and the request is never answered (a client connecting at the moment of a restart
 * waits forever). Seen here about once in five starts with a client polling the port.
 *
 * <p>This factory is Micrometer's, with each HTTP server's meters wrapped in
 * {@link EarlyConnectionSafeHttpServerMetrics}: such a connection is served and simply not counted.
 */
public final class EarlyConnectionSafeMetricsFactory implements VertxMetricsFactory {

  private final MicrometerMetricsFactory micrometer = new MicrometerMetricsFactory();

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new EarlyConnectionSafeVertxMetrics(micrometer.metrics(options));
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return micrometer.newOptions(json);
  }
}
