package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.node.Version;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/** The public health routes: answered from memory, never touching a backend. */
final class HealthRoutes {

  private final ConfigHolder config;
  private final Supplier<JsonObject> cluster;

  HealthRoutes(ConfigHolder config, Supplier<JsonObject> cluster) {
    this.config = config;
    this.cluster = cluster;
  }

  void liveliness(RoutingContext ctx) {
    Responses.json(ctx, 200, "I'm alive!");
  }

  void readiness(RoutingContext ctx) {
    ConfigHolder.State s = config.state();
    JsonObject cfg = new JsonObject()
        .put("source", s.config().source())
        .put("loaded_at", s.loadedAt().toString())
        .put("models", s.config().models().size())
        .put("last_reload_error", s.lastError())
        .put("last_reload_error_at", s.lastErrorAt() == null ? null : s.lastErrorAt().toString());
    Responses.json(ctx, 200, new JsonObject()
        .put("status", "healthy")
        .put("db", "Not connected")
        .put("cache", null)
        .put("litellm_version", Version.VERSION)
        .put("switchboard_version", Version.VERSION)
        .put("config", cfg)
        .put("cluster", cluster == null ? null : cluster.get()));
  }
}
