package dev.switchboard.metrics;

import dev.switchboard.bus.Addresses;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Gauges whose truth the BackendVerticles own: liveness ({@code litellm_deployment_state}: 0 healthy,
 * 1 unknown, 2 down) from this node's liveness events, and requests in flight and queued, asked of
 * each local model's BackendVerticle on {@code switchboard.state.<model>} when Prometheus scrapes. A
 * model whose verticle does not answer keeps no stale number: its gauges read NaN.
 */
final class ModelStateGauges {

  /** A scrape must not hang on a frozen verticle. */
  static final long STATE_TIMEOUT_MS = 250;

  private final Vertx vertx;
  private final ConfigHolder config;
  private final MeterRegistry registry;
  private final Map<String, Slot> liveness = new ConcurrentHashMap<>();
  private final Map<String, Slot> queued = new ConcurrentHashMap<>();
  private final Map<String, Slot> inFlight = new ConcurrentHashMap<>();

  /** One model's gauge and the value it reads. */
  private record Slot(AtomicReference<Double> value, Gauge gauge) {
  }
  private MessageConsumer<Object> consumer;

  ModelStateGauges(Vertx vertx, ConfigHolder config, MeterRegistry registry) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
  }

  /** Listens to this node's liveness events only: Prometheus scrapes each node for its own models. */
  Future<Void> start() {
    consumer = vertx.eventBus().localConsumer(Addresses.LIVENESS, this::onLiveness);
    return consumer.completion();
  }

  Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** Asks each local deployment for its state; completes (never fails) when all answered or timed out. */
  Future<Void> refresh() {
    Map<String, ModelDeployment> deployments = deployments();
    forgetAllBut(deployments.keySet());
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true).setSendTimeout(STATE_TIMEOUT_MS);
    List<Future<?>> asked = new ArrayList<>();
    for (ModelDeployment deployment : deployments.values()) {
      asked.add(vertx.eventBus().<Object>request(Addresses.state(deployment.id()), new JsonObject(), local)
          .onSuccess(reply -> onState(deployment, reply.body()))
          .onFailure(err -> {
            unknown(queued.get(deployment.id()));
            unknown(inFlight.get(deployment.id()));
          }));
    }
    return Future.join(asked).<Void>mapEmpty().recover(err -> Future.succeededFuture());
  }

  /** A model no longer in the config keeps no series: a removed model must not read as healthy forever. */
  private void forgetAllBut(Set<String> models) {
    for (Map<String, Slot> gauges : List.of(liveness, queued, inFlight)) {
      gauges.entrySet().removeIf(e -> {
        if (models.contains(e.getKey())) {
          return false;
        }
        registry.remove(e.getValue().gauge());
        return true;
      });
    }
  }

  /** This node's deployments by id. */
  private Map<String, ModelDeployment> deployments() {
    Map<String, ModelDeployment> byId = new LinkedHashMap<>();
    config.current().models().forEach(deployment -> byId.put(deployment.id(), deployment));
    return byId;
  }

  private void onLiveness(Message<Object> msg) {
    // A removed deployment's verticle may still report while it drains: not one of this node's any more.
    if (msg.body() instanceof JsonObject e && e.getString("model_id") != null) {
      ModelDeployment deployment = deployments().get(e.getString("model_id"));
      if (deployment != null) {
        setLiveness(deployment, e.getString("state"));
      }
    }
  }

  private void onState(ModelDeployment deployment, Object body) {
    if (!(body instanceof JsonObject s)) {
      return;
    }
    if (s.getValue("queued") instanceof Number n) {
      gauge(queued, "switchboard_queue_depth", "Requests waiting for a free slot (max_parallel_requests)",
          Tags.of("model", deployment.modelName(), "model_id", deployment.id()), deployment.id()).set(n.doubleValue());
    }
    if (s.getValue("in_flight") instanceof Number n) {
      gauge(inFlight, "switchboard_requests_in_flight", "Requests the model's backend is working on",
          Tags.of("model", deployment.modelName(), "model_id", deployment.id()), deployment.id()).set(n.doubleValue());
    }
    if (s.getValue("state") instanceof String state) {
      setLiveness(deployment, state);
    }
  }

  private static void unknown(Slot gauge) {
    if (gauge != null) {
      gauge.value().set(Double.NaN);
    }
  }

  /** With LiteLLM's deployment labels: litellm_model_name, model_id, api_base, api_provider. */
  private void setLiveness(ModelDeployment deployment, String state) {
    double value = state == null ? 1 : switch (state) {
      case "healthy" -> 0;
      case "unhealthy" -> 2;
      default -> 1;
    };
    gauge(liveness, "litellm_deployment_state", "0 healthy, 1 unknown or partial outage, 2 down",
        Tags.of("litellm_model_name", deployment.modelName(), "model_id", deployment.id(),
            "api_base", deployment.shownApiBase() == null ? "" : deployment.shownApiBase(),
            "api_provider", deployment.provider()), deployment.id())
        .set(value);
  }

  private AtomicReference<Double> gauge(Map<String, Slot> map, String name, String description, Tags tags,
                                        String id) {
    return map.computeIfAbsent(id, m -> {
      AtomicReference<Double> v = new AtomicReference<>(Double.NaN);
      return new Slot(v, Gauge.builder(name, v, AtomicReference::get).description(description).tags(tags)
          .strongReference(true).register(registry));
    }).value();
  }
}
