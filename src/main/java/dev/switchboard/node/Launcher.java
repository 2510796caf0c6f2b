package dev.switchboard.node;

import dev.switchboard.cluster.ClusterStart;
import dev.switchboard.config.ClusterSettings;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.EnvFile;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Turns parsed command-line options into a running node, or into an exit code and one clear line. */
public final class Launcher {

  /** Returned instead of an exit code when the node is up: the JVM keeps running. */
  public static final int KEEP_RUNNING = -1;

  private final StartOptions opts;

  public Launcher(StartOptions opts) {
    this.opts = opts;
  }

  public int run() {
    long t0 = System.nanoTime();
    Path configFile = opts.config().toAbsolutePath().normalize();
    EnvFile.Loaded env;
    SwitchboardConfig config;
    try {
      Path envFile = opts.envFile() != null ? opts.envFile() : configFile.resolveSibling(".env");
      env = EnvFile.load(envFile, opts.envFile() != null, System.getenv());
      config = ConfigLoader.load(configFile, env.env());
    } catch (ConfigException e) {
      System.err.println("switchboard: " + e.getMessage());
      return 2;
    }
    if (opts.checkConfig()) {
      printCheck(config);
      return 0;
    }
    Logger log = LoggerFactory.getLogger(Switchboard.class);
    env.warnings().forEach(w -> log.warn("{}", w));
    if (env.file() != null) {
      log.info("environment: filled unset variables from {}", env.file());
    }
    Switchboard.logModels(config);
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    // One event loop per core, shared by the API instances and the BackendVerticles: a call then often
    // stays on one thread, where Vert.x's default (two loops per core) makes it hop between two.
    VertxOptions vertxOptions = new VertxOptions()
        .setMetricsOptions(Metrics.vertxOptions(config.switchboard().vertxMeters()))
        .setEventLoopPoolSize(instances);
    Switchboard.Options options = new Switchboard.Options(opts.host(), opts.port(), instances, opts.bridgePort());
    Vertx vertx;
    if (opts.cluster()) {
      ClusterStart.Started started;
      try {
        started = joinCluster(vertxOptions, config, log);
      } catch (IllegalArgumentException e) {
        System.err.println("switchboard: " + e.getMessage());
        return 2;
      } catch (Exception e) {
        System.err.println("switchboard: cannot join the cluster: " + rootCause(e));
        return 1;
      }
      vertx = started.vertx();
      options = options.clustered(started.membership());
    } else {
      vertx = Metrics.vertxBuilder(vertxOptions).build();
    }
    Switchboard node;
    try {
      node = Switchboard.start(vertx, config, options).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      if (rootCause(e) instanceof BindException) {
        String why = String.valueOf(rootCause(e).getMessage());
        System.err.println("switchboard: cannot listen on " + opts.host() + ":" + opts.port() + ": " + why
            + (why.contains("in use") ? " (is another process using the port?)" : ""));
      } else {
        System.err.println("switchboard: failed to start: " + rootCause(e));
      }
      return 1;
    }
    Shutdown.install(node, config.switchboard().shutdownGrace().toMillis());
    node.startWatching(configFile, env.env())
        .onFailure(e -> log.warn("config: not watching {} for changes: {}", configFile, e.toString()));
    Sighup.install(() -> node.reloader().reload("sighup"));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    String shownHost = opts.host().equals("0.0.0.0") ? "localhost" : opts.host();
    log.info("Switchboard {} ready on http://{}:{} ({} models, started in {} ms)", Version.VERSION, shownHost,
        node.port(), config.models().size(), ms);
    log.info("Application startup complete.");
    return KEEP_RUNNING;
  }

  private ClusterStart.Started joinCluster(VertxOptions base, SwitchboardConfig config, Logger log) throws Exception {
    ClusterSettings cs = config.switchboard().cluster();
    ClusterStart.Overrides overrides = new ClusterStart.Overrides(opts.clusterConfig(), opts.clusterHost(),
        opts.clusterPublicHost(), opts.clusterMembers());
    log.info("cluster: joining '{}' ({})", cs.name(),
        opts.clusterConfig() != null ? opts.clusterConfig() : "the bundled conf/cluster.xml");
    ClusterStart.Started started = ClusterStart.start(base, cs, overrides).await(60, TimeUnit.SECONDS);
    log.info("cluster: joined as node {} ({} node(s); event bus {})", started.membership().nodeId(),
        started.membership().nodes().size(), cs.tls() != null ? "TLS" : "plain TCP");
    return started;
  }

  private static void printCheck(SwitchboardConfig config) {
    System.out.println("config OK: " + config.source());
    for (ModelDeployment deployment : config.models()) {
      System.out.println("  " + deployment.modelName() + " -> " + deployment.provider() + "/"
          + deployment.backendModel() + " at " + (deployment.apiBase() == null ? "(mock_response)" : deployment.shownApiBase())
          + "  [deployment " + shortId(deployment.id()) + "]");
    }
    if (config.models().stream().map(ModelDeployment::modelName).distinct().count() < config.models().size()) {
      System.out.println("  routing_strategy: " + config.router().strategy().configName());
    }
    config.warnings().forEach(w -> System.out.println("  warning: " + w));
  }

  /** A generated id is a 64-hex hash: its first 12 characters tell deployments apart on screen. */
  private static String shortId(String id) {
    return id.matches("[0-9a-f]{64}(-\\d+)?") ? id.substring(0, 12) + "…" : id;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
