package dev.switchboard.health;

import dev.switchboard.config.ConfigHolder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * {@code GET /health} (authenticated): asks every model's BackendVerticle to probe its backend now,
 * in parallel, each within its own timeout, and answers in LiteLLM's shape
 * ({@code healthy_endpoints}, {@code unhealthy_endpoints}, counts). Probes are the cheap per-kind
 * checks, never a generation. {@code ?model=NAME} checks one model. The per-probe timeouts and the
 * fan-out are vertx-health-check's: one procedure per model.
 */
public final class BackendHealth {

  /** Default time a probe may take; {@code model_info.health_check_timeout} (seconds) overrides it. */
  private static final long DEFAULT_TIMEOUT_MS = 5_000;

  /**
   * One backend to probe: a model, and the address of its BackendVerticle. Clustered, a model served
   * by several nodes is one target per node, so that /health shows each of them.
   */
  public record Target(String model, String address) {
  }

  private final Vertx vertx;
  private final Supplier<List<Target>> models;
  private final ConfigHolder config;

  public BackendHealth(Vertx vertx, Supplier<List<Target>> models, ConfigHolder config) {
    this.vertx = vertx;
    this.models = models;
    this.config = config;
  }

  public void handle(RoutingContext ctx) {
    String only = ctx.request().getParam("model");
    List<Target> targets = models.get().stream().filter(t -> only == null || only.equals(t.model())).toList();
    if (only != null && targets.isEmpty()) {
      ctx.response().setStatusCode(404).putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", new JsonObject().put("message", "Model '" + only + "' not found")
              .put("type", "invalid_request_error").put("param", "model").put("code", "404")).encode());
      return;
    }
    HealthChecks checks = HealthChecks.create(vertx);
    // A check's id is the model, or the model and its node's address when several nodes serve it.
    Map<String, Long> perModel = targets.stream().collect(Collectors.groupingBy(Target::model, Collectors.counting()));
    Map<String, String> modelOf = new HashMap<>();
    for (Target t : targets) {
      String name = t.model();
      String checkId = perModel.get(name) > 1 ? name + " " + t.address() : name;
      modelOf.put(checkId, name);
      long timeout = timeoutFor(name);
      checks.register(checkId, timeout + 500, promise -> probe(t.address(), timeout).onComplete(ar -> {
        if (ar.succeeded()) {
          JsonObject state = ar.result();
          boolean ok = state.getJsonObject("probe", new JsonObject())
              .getBoolean("healthy", "healthy".equals(state.getString("state")));
          promise.complete(ok ? Status.OK(state) : Status.KO(state));
        } else {
          promise.complete(Status.KO(new JsonObject().put("model", name)
              .put("reason", "no backend verticle answered: " + ar.cause().getMessage())));
        }
      }));
    }
    checks.checkStatus().onComplete(ar -> {
      JsonArray healthy = new JsonArray();
      JsonArray unhealthy = new JsonArray();
      if (ar.succeeded() && ar.result().getChecks() != null) {
        ar.result().getChecks().forEach(check -> {
          String model = modelOf.getOrDefault(check.getId(), check.getId());
          JsonObject data = check.getStatus() == null || check.getStatus().getData() == null
              ? new JsonObject().put("model", model) : check.getStatus().getData();
          JsonObject entry = endpoint(model, data);
          if (check.getUp()) {
            healthy.add(entry);
          } else {
            String reason = data.getJsonObject("probe", new JsonObject()).getString("reason", data.getString("reason"));
            unhealthy.add(entry.put("error", reason == null ? "probe timed out" : reason));
          }
        });
      }
      if (only != null && healthy.isEmpty()) {
        // As LiteLLM: asked about one model and none of its endpoints is healthy, so a monitor can go by status.
        ctx.response().setStatusCode(503);
      }
      ctx.response().putHeader("content-type", "application/json").end(new JsonObject()
          .put("healthy_endpoints", healthy).put("unhealthy_endpoints", unhealthy)
          .put("healthy_count", healthy.size()).put("unhealthy_count", unhealthy.size()).encode());
    });
  }

  private Future<JsonObject> probe(String address, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(address,
            new JsonObject().put("probe", true).put("timeout_ms", timeoutMs),
            new DeliveryOptions().setSendTimeout(timeoutMs + 250))
        .map(msg -> msg.body());
  }

  /** LiteLLM's entry: {@code model} is the provider-prefixed model, plus api_base and the deployment id. */
  private static JsonObject endpoint(String name, JsonObject data) {
    return new JsonObject()
        .put("model", data.getString("litellm_model", name))
        .put("model_name", name)
        .put("api_base", data.getString("api_base"))
        .put("model_id", data.getString("model_id"))
        .put("node", data.getString("node"));
  }

  private long timeoutFor(String model) {
    return config.current().model(model)
        .map(d -> d.modelInfo().getValue("health_check_timeout"))
        .filter(v -> v instanceof Number)
        .map(v -> (long) (((Number) v).doubleValue() * 1000))
        .orElse(DEFAULT_TIMEOUT_MS);
  }
}
