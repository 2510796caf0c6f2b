package dev.switchboard.metrics;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardSettings;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A node's metrics: the per-request events and meters, {@code GET /metrics}, and the optional TCP
 * event-bus bridge. Uses the Prometheus registry Vert.x's own metrics write to when they are on (so
 * one scrape shows both), else a registry of its own (tests, embedders).
 */
public final class Metrics {

  private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);

  private final Vertx vertx;
  private final ConfigHolder config;
  private final PrometheusMeterRegistry registry;
  private final MetricsPublisher publisher;
  private final ModelStateGauges states;
  private EventBridge bridge;
  private int bridgePort;

  private Metrics(Vertx vertx, ConfigHolder config, String nodeId, PrometheusMeterRegistry registry,
                  RequestMeters meters) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.publisher = new MetricsPublisher(vertx.eventBus(), nodeId, meters);
    this.states = new ModelStateGauges(vertx, config, registry);
  }

  /**
   * What {@code VertxOptions.setMetricsOptions} needs for Vert.x's meters to land in the same scrape.
   * {@code perRequestMeters} false ({@code switchboard_settings.metrics.vertx_meters: false}) leaves out
   * Vert.x's own meters of each request, connection and bus message ({@code vertx_http_*},
   * {@code vertx_net_*}, {@code vertx_eventbus_*}): Vert.x 5.0.7 looks each of them up in the registry
   * on every call, ~14 % of a small request's CPU at saturation (docs/benchmarks.md). Switchboard's own meters
   * and the JVM's stay.
   */
  public static MicrometerMetricsOptions vertxOptions(boolean perRequestMeters) {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    if (!perRequestMeters) {
      for (MetricsDomain d : List.of(MetricsDomain.HTTP_SERVER, MetricsDomain.HTTP_CLIENT, MetricsDomain.NET_SERVER,
          MetricsDomain.NET_CLIENT, MetricsDomain.EVENT_BUS)) {
        options.addDisabledMetricsCategory(d);
      }
    }
    return options;
  }

  /**
   * A Vert.x builder for {@code options}; when they enable metrics, Micrometer's meters come from
   * {@link EarlyConnectionSafeMetricsFactory} (a connection accepted at start-up is answered).
   */
  public static VertxBuilder vertxBuilder(VertxOptions options) {
    VertxBuilder builder = Vertx.builder().with(options);
    MetricsOptions metrics = options.getMetricsOptions();
    return metrics != null && metrics.isEnabled() ? builder.withMetrics(new EarlyConnectionSafeMetricsFactory()) : builder;
  }

  public static Metrics create(Vertx vertx, ConfigHolder config, String nodeId) {
    // Group names and aliases label their own series; anything else (a wildcard's matches) is "other".
    Predicate<String> known = m -> config.current().model(m).isPresent()
        || config.current().router().aliases().containsKey(m);
    Function<String, ModelDeployment> deployment = id ->
        config.current().models().stream().filter(d -> d.id().equals(id)).findFirst().orElse(null);
    if (BackendRegistries.getDefaultNow() instanceof PrometheusMeterRegistry shared) {
      try {
        return new Metrics(vertx, config, nodeId, shared, new RequestMeters(shared, known, deployment));
      } catch (IllegalArgumentException secondNodeInThisJvm) {
        // Vert.x's registry is JVM-wide; a second node in the same JVM (tests) gets its own.
      }
    }
    PrometheusMeterRegistry own = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    return new Metrics(vertx, config, nodeId, own, new RequestMeters(own, known, deployment));
  }

  /** Receives every finished request (register with {@code Switchboard.onRequestFinished}). */
  public FinishedRequest.Listener requestListener() {
    return publisher;
  }

  /**
   * Adds {@code GET /metrics}: open, or behind the master key when
   * {@code switchboard_settings.metrics.require_auth} is set (read per scrape, so a reload applies).
   */
  public void mount(List<Consumer<Router>> publicRoutes, List<Consumer<Router>> protectedRoutes) {
    publicRoutes.add(r -> r.get("/metrics").handler(ctx -> {
      if (config.current().switchboard().metricsRequireAuth()) {
        ctx.next();
      } else {
        scrape(ctx);
      }
    }));
    protectedRoutes.add(r -> r.get("/metrics").handler(this::scrape));
  }

  /**
   * Starts listening to liveness events, and the bridge when a port is set: {@code cliPort} (the
   * {@code --bridge-port} flag) wins over {@code switchboard_settings.event_bridge.port}.
   */
  public Future<Void> start(Integer cliPort) {
    SwitchboardSettings s = config.current().switchboard();
    int port = cliPort != null ? cliPort : s.eventBridgePort();
    Future<Void> started = states.start();
    if (cliPort == null && port == 0) {
      return started;
    }
    bridge = new EventBridge(vertx, registry);
    return started.compose(v -> bridge.listen(port, s.eventBridgeHost()))
        // Not a BindException: the launcher would blame the API port.
        .recover(err -> Future.failedFuture(new IllegalStateException("event bridge: cannot listen on "
            + s.eventBridgeHost() + ":" + port + ": " + err.getMessage())))
        .map(bound -> {
      bridgePort = bound;
      LOG.info("event bridge: subscribers may register for metrics, liveness and config events on tcp://{}:{}",
          s.eventBridgeHost(), bound);
      return null;
    });
  }

  /** The port the bridge listens on, 0 when it is off. */
  public int bridgePort() {
    return bridgePort;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Future<Void> close() {
    Future<Void> b = bridge == null ? Future.succeededFuture() : bridge.close();
    return Future.join(b, states.stop()).mapEmpty();
  }

  private void scrape(RoutingContext ctx) {
    states.refresh().onComplete(v -> ctx.response()
        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
  }
}
