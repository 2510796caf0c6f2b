package dev.switchboard.node;

import dev.switchboard.backend.ModelDeployer;
import dev.switchboard.bus.Addresses;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.ConfigWatcherVerticle;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.config.SwitchboardSettings;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Hot reload: reads the config file again, validates it whole, applies it as a diff and puts it in
 * force. File changes, SIGHUP and POST /config/reload all come here. Reloads run one at a time on one
 * context; a reload asked for while one runs is done once more after it (however many asked).
 *
 * <p>Order: new and changed models' verticles are serving before the new config goes in force (so the
 * catalog never lists a model nobody serves); removed and replaced verticles stop taking calls only
 * after (so a removed model is unknown at once, and its requests in flight finish). The config is
 * swapped whole, master key included: every request sees one version or the other.
 */
public final class ConfigReloader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);
  /** How often the watcher looks at the file: a change takes effect within two periods. */
  public static final Duration SCAN_PERIOD = Duration.ofMillis(500);

  /** What a successful reload did. {@code settingsChanged}: general or router settings differ. */
  public record Outcome(ModelDeployer.Diff diff, boolean settingsChanged) {
    public boolean unchanged() {
      return diff.isEmpty() && !settingsChanged;
    }

    /** The body POST /config/reload answers with. */
    public JsonObject toJson() {
      return new JsonObject().put("status", unchanged() ? "unchanged" : "reloaded").mergeIn(diff.toJson());
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final ConfigHolder config;
  private final ModelDeployer deployer;
  private final String nodeId;
  private Path file;
  private Map<String, String> env;
  private String watcherId;
  private volatile boolean closed;
  private boolean running;
  private Promise<Outcome> again;
  private String againSource;
  private String lastLoggedError;

  ConfigReloader(Vertx vertx, ConfigHolder config, ModelDeployer deployer, String nodeId) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.config = config;
    this.deployer = deployer;
    this.nodeId = nodeId;
  }

  /** Reloads will read {@code file}, resolving variables in {@code env} (the environment the node started with). */
  public void use(Path file, Map<String, String> env) {
    context.runOnContext(v -> {
      this.file = file;
      this.env = Map.copyOf(env);
    });
  }

  /** As {@link #use}, and reloads whenever the file changes (checked every {@code period}). */
  public Future<Void> watch(Path file, Map<String, String> env, Duration period) {
    use(file, env);
    return vertx.deployVerticle(new ConfigWatcherVerticle(file, period, () -> reload("file")))
        .onSuccess(id -> {
          watcherId = id;
          context.runOnContext(v -> catchUp(period));
        })
        .mapEmpty();
  }

  /**
   * The watcher takes the file as it finds it for its starting point; an edit saved while the node
   * was starting (after the config was read, before the watch) would wait for the next edit. Reload
   * once if the file no longer says what is in force. Like the watcher, it trusts only what two reads
   * a scan period apart agree on: a file caught half-written (truncated, then written) may still
   * parse, and an invalid one is the watcher's to report when it settles.
   */
  private void catchUp(Duration period) {
    loadNow()
        .compose(first -> vertx.timer(Math.max(10, period.toMillis())).compose(t -> loadNow())
            .map(second -> first.equals(second) ? second : null))
        .onSuccess(read -> {
          if (read == null) {
            return; // the two reads disagree: the file is being written, and the watcher will see it settle
          }
          SwitchboardConfig current = config.current();
          if (!deployer.diff(read).isEmpty() || !read.general().equals(current.general())
              || !read.router().equals(current.router())) {
            reload("file");
          }
        });
  }

  private Future<SwitchboardConfig> loadNow() {
    Path from = file;
    Map<String, String> withEnv = env;
    return context.executeBlocking(() -> ConfigLoader.load(from, withEnv));
  }

  /**
   * Reloads now. Fails with the {@link ConfigException} when the file is invalid (the config in force
   * stays, and /health/readiness shows the error). {@code source} names the trigger in logs and events.
   */
  public Future<Outcome> reload(String source) {
    if (closed) {
      return Future.failedFuture(new IllegalStateException("the node is shutting down"));
    }
    Promise<Outcome> done = Promise.promise();
    context.runOnContext(v -> {
      if (!running) {
        run(source).onComplete(done);
      } else {
        if (again == null) {
          again = Promise.promise();
        }
        againSource = source;
        again.future().onComplete(done);
      }
    });
    return done.future();
  }

  /** Stops watching and takes no more reloads. */
  public Future<Void> close() {
    closed = true;
    return watcherId == null ? Future.succeededFuture() : vertx.undeploy(watcherId);
  }

  private Future<Outcome> run(String source) {
    running = true;
    return loadAndApply(source).onComplete(ar -> {
      running = false;
      if (again != null) {
        Promise<Outcome> next = again;
        again = null;
        run(againSource).onComplete(next);
      }
    });
  }

  private Future<Outcome> loadAndApply(String source) {
    if (file == null) {
      return Future.failedFuture(new IllegalStateException("this node was not started from a config file"));
    }
    Path from = file;
    Map<String, String> withEnv = env;
    SwitchboardConfig current = config.current();
    // Blocking file I/O and parsing: on a worker, never on the event loop.
    return context.executeBlocking(() -> ConfigLoader.load(from, withEnv))
        .compose(loaded -> {
          SwitchboardConfig next = keepRestartOnlySettings(loaded, current);
          next.warnings().stream().filter(w -> !current.warnings().contains(w))
              .forEach(w -> LOG.warn("config: {}", w));
          boolean settingsChanged = !next.general().equals(current.general())
              || !next.router().equals(current.router());
          // An unchanged file keeps its loaded_at, unless it clears a reload error.
          boolean swap = settingsChanged || !deployer.diff(next).isEmpty() || config.state().lastError() != null;
          return deployer.apply(next, () -> {
            if (swap) {
              config.swap(next);
            }
          }).map(diff -> new Outcome(diff, settingsChanged));
        })
        .andThen(ar -> {
          if (ar.succeeded()) {
            applied(source, ar.result());
          } else {
            failed(source, ar.cause());
          }
        });
  }

  /**
   * switchboard_settings are read once by the API verticles (body limit, timeouts); applying them to
   * new model verticles only would mix two versions, so the running values stay until a restart.
   */
  private static SwitchboardConfig keepRestartOnlySettings(SwitchboardConfig loaded, SwitchboardConfig current) {
    List<String> differ = differences(loaded.switchboard(), current.switchboard());
    if (!differ.isEmpty()) {
      LOG.warn("config: switchboard_settings changed ({}): they take effect at the next restart; "
          + "the running values stay in force", String.join(", ", differ));
    }
    return new SwitchboardConfig(loaded.models(), loaded.general(), loaded.router(), current.switchboard(),
        loaded.warnings(), loaded.source());
  }

  private static List<String> differences(SwitchboardSettings a, SwitchboardSettings b) {
    List<String> out = new ArrayList<>();
    try {
      for (var c : SwitchboardSettings.class.getRecordComponents()) {
        if (!Objects.equals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
          out.add(c.getName().replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT));
        }
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("record accessors are public", e);
    }
    return out;
  }

  private void applied(String source, Outcome o) {
    lastLoggedError = null;
    ModelDeployer.Diff d = o.diff();
    if (o.unchanged()) {
      LOG.info("config reloaded ({}): nothing changed", source);
    } else {
      LOG.info("config reloaded ({}): added {}, removed {}, changed {}{}", source, d.added(), d.removed(),
          d.changed(), o.settingsChanged() ? "; general/router settings changed" : "");
    }
    vertx.eventBus().publish(Addresses.CONFIG_RELOADED, event(source).put("ok", true)
        .put("status", o.unchanged() ? "unchanged" : "reloaded").mergeIn(d.toJson()));
  }

  private void failed(String source, Throwable err) {
    String message = err instanceof ConfigException ? err.getMessage() : String.valueOf(err);
    config.reloadFailed(message);
    // The watcher fires once per file version; a repeat of the same error from it is not news.
    if (!message.equals(lastLoggedError) || !source.equals("file")) {
      LOG.error("config reload ({}) failed; the config in force stays: {}", source, message);
      lastLoggedError = message;
    }
    JsonObject event = event(source).put("ok", false).put("error", message);
    if (err instanceof ConfigException ce) {
      event.put("path", ce.path());
    }
    vertx.eventBus().publish(Addresses.CONFIG_RELOADED, event);
  }

  private JsonObject event(String source) {
    return new JsonObject().put("version", 1).put("ts", System.currentTimeMillis()).put("node", nodeId)
        .put("source", source);
  }
}
