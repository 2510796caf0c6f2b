package dev.switchboard.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Notices that the config file changed and says so ({@code onChange}); what a change means is the
 * reloader's business. The engine is vertx-config's {@link ConfigRetriever}, scanning every period a
 * {@link ConfigFileStore}, which yields the file's version (see there for why not the stock file store).
 */
public final class ConfigWatcherVerticle extends VerticleBase {

  private final Path file;
  private final long periodMs;
  private final Runnable onChange;
  private ConfigRetriever retriever;

  public ConfigWatcherVerticle(Path file, Duration period, Runnable onChange) {
    this.file = file;
    this.periodMs = Math.max(10, period.toMillis());
    this.onChange = onChange;
  }

  @Override
  public Future<?> start() {
    ConfigStoreOptions store = new ConfigStoreOptions().setType(ConfigFileStore.TYPE).setFormat("json")
        .setConfig(new JsonObject().put("path", file.toString()));
    retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().setScanPeriod(periodMs).addStore(store));
    // The first reading is the version the node started with: changes are counted from it.
    return retriever.getConfig().onSuccess(v -> retriever.listen(change -> onChange.run()));
  }

  @Override
  public Future<?> stop() {
    return retriever == null ? Future.succeededFuture() : retriever.close();
  }
}
