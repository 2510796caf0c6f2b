package dev.switchboard.backend;

import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps one BackendVerticle per model in step with the config: applies a new config as a diff. A new
 * model gets a verticle; a removed one is undeployed, which drains it; a changed one gets a new
 * verticle beside the old, and the old drains. Unchanged models are not touched: their pools,
 * liveness and queues carry on. Use from one thread or context at a time.
 */
public final class ModelDeployer {

  private static final Logger LOG = LoggerFactory.getLogger(ModelDeployer.class);

  /** What one apply changed, by model name. */
  public record Diff(List<String> added, List<String> removed, List<String> changed) {
    public boolean isEmpty() {
      return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    public JsonObject toJson() {
      return new JsonObject().put("added", new JsonArray(added)).put("removed", new JsonArray(removed))
          .put("changed", new JsonArray(changed));
    }
  }

  private record Deployed(ModelDeployment deployment, String deploymentId) {
  }

  private final Vertx vertx;
  private final String nodeId;
  private final Map<String, Deployed> deployed = new LinkedHashMap<>();

  public ModelDeployer(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  /** What applying {@code next} would change. */
  public Diff diff(SwitchboardConfig next) {
    Map<String, ModelDeployment> wanted = next.modelsByName();
    List<String> added = new ArrayList<>();
    List<String> changed = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    wanted.forEach((name, d) -> {
      Deployed have = deployed.get(name);
      if (have == null) {
        added.add(name);
      } else if (!same(have.deployment(), d)) {
        changed.add(name);
      }
    });
    deployed.keySet().stream().filter(n -> !wanted.containsKey(n)).forEach(removed::add);
    return new Diff(added, removed, changed);
  }

  /**
   * Brings the running verticles in line with {@code next}. Completes once new and changed models
   * are serving; removed and replaced verticles drain in the background.
   */
  public Future<Diff> apply(SwitchboardConfig next) {
    Diff diff = diff(next);
    Map<String, ModelDeployment> wanted = next.modelsByName();
    List<Future<?>> started = new ArrayList<>();
    for (String name : diff.added()) {
      started.add(deploy(wanted.get(name), next));
    }
    for (String name : diff.changed()) {
      Deployed old = deployed.get(name);
      // The new verticle registers before the old one stops taking calls, so no request finds nobody.
      started.add(deploy(wanted.get(name), next).onSuccess(v -> drain(old)));
    }
    for (String name : diff.removed()) {
      drain(deployed.remove(name));
    }
    return Future.join(started).map(diff).recover(err -> Future.succeededFuture(diff));
  }

  /** Undeploys every model, each draining within the shutdown grace. */
  public Future<Void> stopAll() {
    List<Future<?>> all = new ArrayList<>();
    for (Deployed d : deployed.values()) {
      all.add(vertx.undeploy(d.deploymentId()));
    }
    deployed.clear();
    return Future.join(all).mapEmpty();
  }

  private Future<String> deploy(ModelDeployment d, SwitchboardConfig config) {
    return vertx.deployVerticle(new BackendVerticle(d, config.switchboard(), config.general(), config.router().numRetries(), nodeId), new DeploymentOptions())
        .onSuccess(id -> deployed.put(d.modelName(), new Deployed(d, id)))
        .onFailure(err -> LOG.error("model {}: could not start its backend verticle: {}", d.modelName(),
            err.getMessage()));
  }

  private void drain(Deployed old) {
    if (old == null) {
      return;
    }
    vertx.undeploy(old.deploymentId()).onFailure(err ->
        LOG.warn("model {}: undeploy of the old verticle failed: {}", old.deployment().modelName(), err.getMessage()));
  }

  /** Position in model_list and the generated id may move without the model changing. */
  private static boolean same(ModelDeployment a, ModelDeployment b) {
    return a.modelName().equals(b.modelName()) && a.provider().equals(b.provider()) && a.kind() == b.kind()
        && a.backendModel().equals(b.backendModel()) && java.util.Objects.equals(a.apiBase(), b.apiBase())
        && java.util.Objects.equals(a.apiKey(), b.apiKey()) && a.timeout().equals(b.timeout())
        && a.streamTimeout().equals(b.streamTimeout()) && a.maxParallelRequests() == b.maxParallelRequests()
        && a.extraHeaders().equals(b.extraHeaders()) && a.modelInfo().equals(b.modelInfo())
        && a.litellmParams().equals(b.litellmParams());
  }
}
