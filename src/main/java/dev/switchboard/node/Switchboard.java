package dev.switchboard.node;

import dev.switchboard.api.ApiContext;
import dev.switchboard.api.ApiVerticle;
import dev.switchboard.api.ReloadRoutes;
import dev.switchboard.api.RequestLog;
import dev.switchboard.backend.ModelDeployer;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Codecs;
import dev.switchboard.cluster.CatalogGossip;
import dev.switchboard.cluster.ClusterCatalog;
import dev.switchboard.cluster.ClusterMembership;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.health.BackendHealth;
import dev.switchboard.metrics.FinishedRequest;
import dev.switchboard.metrics.Metrics;
import dev.switchboard.responses.ResponseStoreClient;
import dev.switchboard.responses.ResponseStoreVerticle;
import dev.switchboard.routing.DeploymentStats;
import dev.switchboard.routing.ModelCatalog;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One running Switchboard node on a given Vertx: the BackendVerticles for its models and the API
 * verticles in front. {@link Main} builds one from the command line; tests build them directly.
 */
public final class Switchboard {

  private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);

  /**
   * How to start a node. {@code port} 0 picks a free port (see {@link #port()}). {@code bridgePort}
   * overrides switchboard_settings.event_bridge.port; null: the config decides, 0: a free port.
   */
  public record Options(String host, int port, int apiInstances, Integer bridgePort, ClusterMembership cluster) {
    public Options(String host, int port, int apiInstances, Integer bridgePort) {
      this(host, port, apiInstances, bridgePort, null);
    }

    public Options(String host, int port, int apiInstances) {
      this(host, port, apiInstances, null, null);
    }

    public static Options onPort(int port) {
      return new Options("127.0.0.1", port, 1);
    }

    /** The same options on a clustered Vertx: the node id is then the cluster manager's. */
    public Options clustered(ClusterMembership membership) {
      return new Options(host, port, apiInstances, bridgePort, membership);
    }
  }

  private final Vertx vertx;
  private final ConfigHolder config;
  private final ModelDeployer deployer;
  private final ConfigReloader reloader;
  private final String nodeId;
  private final Metrics metrics;
  private final List<FinishedRequest.Listener> requestListeners = new CopyOnWriteArrayList<>();
  private final ModelCatalog catalog;
  private final DeploymentStats stats = new DeploymentStats();
  private final ClusterMembership cluster;
  /** As joined: cluster settings take effect at a restart, not at a reload. */
  private final String clusterName;
  private String apiDeploymentId;
  private String gossipDeploymentId;
  private String responseStoreDeploymentId;
  private int port;

  private Switchboard(Vertx vertx, SwitchboardConfig initial, String nodeId, ClusterMembership cluster) {
    this.vertx = vertx;
    this.config = new ConfigHolder(initial);
    this.nodeId = nodeId;
    this.cluster = cluster;
    this.clusterName = initial.switchboard().cluster().name();
    ModelCatalog local = ModelCatalog.local(config, nodeId);
    this.catalog = cluster == null ? local : new ClusterCatalog(local);
    this.deployer = new ModelDeployer(vertx, nodeId);
    this.metrics = Metrics.create(vertx, config, nodeId);
    requestListeners.add(metrics.requestListener());
    this.reloader = new ConfigReloader(vertx, config, deployer, nodeId);
  }

  /**
   * Starts a node: backends first, so the API never serves a model whose verticle is not there yet;
   * clustered, then the announcements that tell other nodes about them.
   */
  public static Future<Switchboard> start(Vertx vertx, SwitchboardConfig config, Options options) {
    ClusterMembership cluster = options.cluster();
    String nodeId = cluster != null ? cluster.nodeId() : UUID.randomUUID().toString();
    Switchboard sb = new Switchboard(vertx, config, nodeId, cluster);
    registerCodecs(vertx);
    return sb.stats.listen(vertx)
        .compose(v -> sb.deployer.apply(config))
        .compose(diff -> sb.startGossip())
        .compose(v -> sb.startResponseStore())
        .compose(v -> sb.startApi(options))
        .compose(v -> sb.metrics.start(options.bridgePort()))
        .map(sb);
  }

  private Future<Void> startGossip() {
    if (cluster == null) {
      return Future.succeededFuture();
    }
    return vertx.deployVerticle(new CatalogGossip(config, nodeId, cluster, (ClusterCatalog) catalog))
        .onSuccess(id -> gossipDeploymentId = id).mapEmpty();
  }

  /** The Responses API's store, before the API that uses it (docs/responses.md). */
  private Future<Void> startResponseStore() {
    return vertx.deployVerticle(new ResponseStoreVerticle(config.current().switchboard().responseStore(),
        ResponseStoreClient.keyOf(nodeId))).onSuccess(id -> responseStoreDeploymentId = id).mapEmpty();
  }

  private Future<Void> startApi(Options options) {
    List<ApiVerticle> instances = new CopyOnWriteArrayList<>();
    List<Consumer<Router>> publicRoutes = new ArrayList<>();
    List<Consumer<Router>> protectedRoutes = new ArrayList<>();
    protectedRoutes.add(ReloadRoutes.post(() -> reloader.reload("http").map(ConfigReloader.Outcome::toJson)));
    RequestLog log = new RequestLog(r -> requestListeners.forEach(l -> l.finished(r)));
    BackendHealth health = new BackendHealth(vertx, this::healthTargets, config);
    protectedRoutes.add(router -> router.get("/health").handler(health::handle));
    metrics.mount(publicRoutes, protectedRoutes);
    // Port 0 with several instances: -1 makes Vert.x pick one random port they all share.
    int listenPort = options.port() == 0 && options.apiInstances() > 1 ? -1 : options.port();
    ApiContext ctx = new ApiContext(options.host(), listenPort, config, catalog, stats, log,
        publicRoutes, protectedRoutes, cluster == null ? null : this::clusterInfo, nodeId);
    return vertx.deployVerticle(() -> {
          ApiVerticle v = new ApiVerticle(ctx);
          instances.add(v);
          return v;
        }, new DeploymentOptions().setInstances(options.apiInstances()))
        .onSuccess(id -> {
          apiDeploymentId = id;
          port = instances.get(0).actualPort();
        })
        .mapEmpty();
  }

  private static void registerCodecs(Vertx vertx) {
    try {
      Codecs.register(vertx);
    } catch (IllegalStateException alreadyRegistered) {
      // A second node on the same Vertx (tests): the codecs are there already.
    }
  }

  /** Single-node, each deployment's verticle; clustered, each node's verticle of each deployment. */
  private List<BackendHealth.Target> healthTargets() {
    if (cluster == null) {
      return catalog.entries().stream()
          .map(e -> new BackendHealth.Target(e.modelName(), Addresses.state(e.id()))).toList();
    }
    return catalog.entries().stream()
        .flatMap(e -> e.nodes().stream().map(n -> new BackendHealth.Target(e.modelName(), Addresses.stateOn(n, e.id()))))
        .distinct().toList();
  }

  private JsonObject clusterInfo() {
    return new JsonObject().put("name", clusterName).put("node", nodeId).put("nodes", new JsonArray(cluster.nodes()));
  }

  /** The port the API listens on. */
  public int port() {
    return port;
  }

  public String nodeId() {
    return nodeId;
  }

  public ConfigHolder config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Hot reload (docs/hot-reload.md): reloads config.yaml now; fails with the validation error. */
  public Future<ModelDeployer.Diff> reload() {
    return reloader.reload("api").map(ConfigReloader.Outcome::diff);
  }

  /** Reloads whenever {@code file} changes, resolving variables in {@code env} as at start. */
  public Future<Void> startWatching(Path file, Map<String, String> env) {
    return reloader.watch(file, env, ConfigReloader.SCAN_PERIOD);
  }

  /** What this node can route to: its own models, and clustered, every other node's. */
  public ModelCatalog catalog() {
    return catalog;
  }

  public ConfigReloader reloader() {
    return reloader;
  }

  /** This node's meters, /metrics and event bridge. */
  public Metrics metrics() {
    return metrics;
  }

  /** Receives every finished request (the log line's data), e.g. for metrics. */
  public void onRequestFinished(FinishedRequest.Listener listener) {
    requestListeners.add(listener);
  }

  /** Logs what a node on {@code config} serves, and what in the config deserves a warning. */
  public static void logModels(SwitchboardConfig config) {
    for (ModelDeployment deployment : config.models()) {
      LOG.info("model {} -> {} {} at {}{}", deployment.modelName(), deployment.provider(), deployment.backendModel(),
          deployment.apiBase() == null ? "(mock_response)" : deployment.shownApiBase(),
          deployment.maxParallelRequests() > 0 ? " (max_parallel_requests=" + deployment.maxParallelRequests() + ")"
              : "");
    }
    config.warnings().forEach(w -> LOG.warn("config: {}", w));
    if (config.general().masterKey() == null) {
      LOG.warn("No master_key configured: every request is accepted without a key. "
          + "Set general_settings.master_key (e.g. os.environ/LITELLM_MASTER_KEY).");
    }
  }

  /**
   * Stops gracefully: the API stops taking connections and lets requests in flight finish, then each
   * backend drains, all within the shutdown grace.
   */
  public Future<Void> close() {
    reloader.close();
    // Clustered: other nodes stop listing our models first (requests for them already routed still land).
    Future<Void> gossip = gossipDeploymentId == null ? Future.succeededFuture() : vertx.undeploy(gossipDeploymentId);
    return gossip.recover(err -> Future.succeededFuture())
        .compose(v -> apiDeploymentId == null ? Future.<Void>succeededFuture() : vertx.undeploy(apiDeploymentId))
        .recover(err -> Future.succeededFuture())
        .compose(v -> responseStoreDeploymentId == null ? Future.<Void>succeededFuture()
            : vertx.undeploy(responseStoreDeploymentId))
        .recover(err -> Future.succeededFuture()).compose(v -> deployer.stopAll())
        .compose(v -> metrics.close())
        .compose(v -> stats.close());
  }
}
