package dev.switchboard.backend;

import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps one BackendVerticle per deployment in step with the config: applies a new config as a diff. A
 * new deployment gets a verticle; a removed one is undeployed, which drains it; a changed one gets a new
 * verticle beside the old, and the old drains. Unchanged deployments are not touched: their pools,
 * liveness and queues carry on. Deployments are compared by slot ({@link SwitchboardConfig#deploymentsBySlot}:
 * the model_name, then {@code name#2}, ...). Use from one thread or context at a time.
 */
public final class ModelDeployer {

  private static final Logger LOG = LoggerFactory.getLogger(ModelDeployer.class);
  private static final long SETTLE_MS = 100;

  /** What one apply changed, by slot: the model_name, or {@code name#2}, ... for a group's later deployments. */
  public record Diff(List<String> added, List<String> removed, List<String> changed) {
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    public JsonObject toJson() {
      return new JsonObject().put("added", new JsonArray(added)).put("removed", new JsonArray(removed))
          .put("changed", new JsonArray(changed));
    }
  }

  /** A running verticle: its deployment, what it was built with, and its label in the reload's diff. */
  private record Deployed(ModelDeployment deployment, CommonSettings common, String deploymentId, String label) {
  }

  /**
   * What a BackendVerticle is built from besides its model: a change (in a reload) rebuilds every
   * model's verticle, the old ones draining. The master key and the rest of the config are not in it.
   */
  private record CommonSettings(boolean backgroundHealthChecks, Duration healthCheckInterval, int numRetries) {
    static CommonSettings of(SwitchboardConfig c) {
      return new CommonSettings(c.general().backgroundHealthChecks(), c.general().healthCheckInterval(),
          c.router().numRetries());
    }
  }

  private final Vertx vertx;
  private final String nodeId;
  /** By deployment id. */
  private final Map<String, Deployed> deployed = new LinkedHashMap<>();
  /** Removed and replaced verticles still finishing their requests: a shutdown waits for them too. */
  private final Set<Future<?>> draining = ConcurrentHashMap.newKeySet();

  public ModelDeployer(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  /** One change: a deployment to start ({@code next}), one to retire ({@code old}), or both (a replacement). */
  private record Step(String label, ModelDeployment next, Deployed old) {
  }

  private record Plan(List<Step> added, List<Step> changed, List<Step> removed) {
    Diff diff() {
      return new Diff(labels(added), labels(removed), labels(changed));
    }

    private static List<String> labels(List<Step> steps) {
      return steps.stream().map(Step::label).toList();
    }
  }

  /** What applying {@code next} would change. */
  public Diff diff(SwitchboardConfig next) {
    return plan(next).diff();
  }

  /**
   * Deployments are matched by id first (an untouched one keeps its verticle wherever it moved in the
   * file); what is left is paired by model_name in file order, so that an edited entry (whose generated
   * id follows its params) is a change of its group, not a removal and an addition.
   */
  private Plan plan(SwitchboardConfig next) {
    Map<String, ModelDeployment> bySlot = next.deploymentsBySlot();
    CommonSettings common = CommonSettings.of(next);
    List<Step> added = new ArrayList<>();
    List<Step> changed = new ArrayList<>();
    Map<String, List<Deployed>> unmatched = new LinkedHashMap<>();
    Set<String> wantedIds = new HashSet<>();
    bySlot.values().forEach(d -> wantedIds.add(d.id()));
    deployed.values().stream().filter(have -> !wantedIds.contains(have.deployment().id()))
        .forEach(have -> unmatched.computeIfAbsent(have.deployment().modelName(), k -> new ArrayList<>()).add(have));
    List<Step> fresh = new ArrayList<>();
    bySlot.forEach((label, d) -> {
      Deployed have = deployed.get(d.id());
      if (have == null) {
        fresh.add(new Step(label, d, null));
      } else if (!same(have.deployment(), d) || !have.common().equals(common)) {
        changed.add(new Step(label, d, have));
      }
    });
    for (Step f : fresh) {
      List<Deployed> old = unmatched.get(f.next().modelName());
      if (old != null && !old.isEmpty()) {
        changed.add(new Step(f.label(), f.next(), old.remove(0)));
      } else {
        added.add(f);
      }
    }
    List<Step> removed = new ArrayList<>();
    unmatched.values().forEach(list -> list.forEach(old -> removed.add(new Step(old.label(), null, old))));
    return new Plan(added, changed, removed);
  }

  /**
   * Brings the running verticles in line with {@code next}. Completes once new and changed deployments
   * are serving; removed and replaced verticles drain in the background.
   */
  public Future<Diff> apply(SwitchboardConfig next) {
    return apply(next, () -> { });
  }

  /**
   * As {@link #apply(SwitchboardConfig)}, running {@code inForce} once the new and changed deployments
   * are serving and before any removed or replaced verticle stops taking calls: the moment to put
   * {@code next} in force, so that the catalog never lists a model nobody serves, and a removed model
   * turns unknown (400) rather than unavailable (503).
   */
  public Future<Diff> apply(SwitchboardConfig next, Runnable inForce) {
    Plan plan = plan(next);
    List<Future<?>> started = new ArrayList<>();
    List<Deployed> replaced = new ArrayList<>();
    for (Step step : plan.added()) {
      started.add(deploy(step.label(), step.next(), next));
    }
    for (Step step : plan.changed()) {
      deployed.remove(step.old().deployment().id());
      // The new verticle registers before the old one stops taking calls, so no request finds nobody.
      started.add(deploy(step.label(), step.next(), next).onSuccess(v -> replaced.add(step.old())));
    }
    List<Deployed> removed = new ArrayList<>();
    for (Step step : plan.removed()) {
      removed.add(deployed.remove(step.old().deployment().id()));
    }
    return Future.join(started).transform(ar -> {
      inForce.run();
      // A replaced verticle on the same address (its id did not change) stops at once, so new requests
      // reach the new one; a call racing to the old one is sent again (CallClient). One whose successor
      // has another address (a generated id follows the params), and a removed one, have calls routed
      // under the old config still on their way: they stop a moment later.
      replaced.forEach(old -> drain(old, deployed.containsKey(old.deployment().id()) ? 0 : SETTLE_MS));
      removed.forEach(old -> drain(old, SETTLE_MS));
      return Future.succeededFuture(plan.diff());
    });
  }

  /** Undeploys every model, each draining within the shutdown grace. */
  public Future<Void> stopAll() {
    List<Future<?>> all = new ArrayList<>();
    for (Deployed d : deployed.values()) {
      all.add(vertx.undeploy(d.deploymentId()));
    }
    all.addAll(draining);
    deployed.clear();
    return Future.join(all).mapEmpty();
  }

  private Future<String> deploy(String slot, ModelDeployment d, SwitchboardConfig config) {
    return vertx.deployVerticle(new BackendVerticle(d, config.switchboard(), config.general(), config.router().numRetries(), nodeId), new DeploymentOptions())
        .onSuccess(id -> deployed.put(d.id(), new Deployed(d, CommonSettings.of(config), id, slot)))
        .onFailure(err -> LOG.error("model {}: could not start its backend verticle: {}", d.modelName(),
            err.getMessage()));
  }

  private void drain(Deployed old, long settleMs) {
    if (old == null) {
      return;
    }
    Promise<Void> drained = Promise.promise();
    draining.add(drained.future());
    drained.future().onComplete(ar -> draining.remove(drained.future()));
    Future<?> settled = settleMs > 0 ? vertx.timer(settleMs) : Future.succeededFuture();
    settled.compose(v -> vertx.undeploy(old.deploymentId()))
        .onFailure(err -> LOG.warn("model {}: undeploy of the old verticle failed: {}",
            old.deployment().modelName(), err.getMessage()))
        .onComplete(ar -> drained.complete());
  }

  /** Position in model_list and the generated id may move without the model changing. */
  private static boolean same(ModelDeployment a, ModelDeployment b) {
    return a.modelName().equals(b.modelName()) && a.provider().equals(b.provider()) && a.kind() == b.kind()
        && a.backendModel().equals(b.backendModel()) && Objects.equals(a.apiBase(), b.apiBase())
        && Objects.equals(a.apiKey(), b.apiKey()) && a.timeout().equals(b.timeout())
        && a.streamTimeout().equals(b.streamTimeout()) && a.streamSilenceTimeout().equals(b.streamSilenceTimeout())
        && a.maxParallelRequests() == b.maxParallelRequests()
        && a.extraHeaders().equals(b.extraHeaders()) && a.modelInfo().equals(b.modelInfo())
        && a.litellmParams().equals(b.litellmParams()) && a.id().equals(b.id()) && a.routing().equals(b.routing());
  }
}
