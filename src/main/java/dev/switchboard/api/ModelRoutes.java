package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.RouterSettings;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.routing.CatalogIndex;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.routing.RequestRoute;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * GET /v1/models (each model group once), /v1/models/{id} and /model/info (one row per deployment), in the
 * shapes OpenAI and LiteLLM write.
 */
final class ModelRoutes {

  /** LiteLLM's constant {@code created} for every model. */
  private static final long CREATED = 1677610602L;
  /** The model_info keys LiteLLM copies into a model's /v1/models entry, when the model has them. */
  private static final String[] LISTED_INFO = {"max_input_tokens", "max_output_tokens", "mode"};

  private final ModelCatalog catalog;
  private final ConfigHolder config;

  ModelRoutes(ModelCatalog catalog, ConfigHolder config) {
    this.catalog = catalog;
    this.config = config;
  }

  /** Each group once (a wildcard as its pattern, as LiteLLM lists it), then the aliases not hidden. */
  void list(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    Set<String> names = new LinkedHashSet<>();
    for (ModelCatalog.Entry e : catalog.entries()) {
      if (!e.nodes().isEmpty()) {
        names.add(e.modelName());
      }
    }
    CatalogIndex index = catalog.index();
    RouterSettings router = config.current().router();
    router.aliases().forEach((alias, target) -> {
      if (!target.hidden() && !RequestRoute.resolve(alias, index, router).isEmpty()) {
        names.add(alias);
      }
    });
    names.forEach(name -> data.add(modelObject(name)));
    Responses.json(ctx, 200, new JsonObject().put("data", data).put("object", "list"));
  }

  void one(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String prefix = path.startsWith("/v1/") ? "/v1/models/" : "/models/";
    String id = URLDecoder.decode(path.substring(prefix.length()), StandardCharsets.UTF_8);
    boolean served = RequestRoute.resolve(id, catalog.index(), config.current().router()).stream()
        .anyMatch(e -> !e.nodes().isEmpty());
    if (!served) { // served nowhere: not listed either
      Responses.error(ctx, new OpenAiError(404, "Model '" + id + "' not found. Call `/v1/models` to view "
          + "available models for your key.", "invalid_request_error", "model"));
      return;
    }
    Responses.json(ctx, 200, modelObject(id));
  }

  void info(RoutingContext ctx) {
    String only = ctx.request().getParam("litellm_model_id");
    JsonArray data = new JsonArray();
    for (ModelCatalog.Entry e : catalog.entries()) {
      if (only != null && !only.equals(e.id()) || e.nodes().isEmpty()) {
        continue;
      }
      JsonObject info = new JsonObject()
          .put("id", e.id())
          .put("db_model", false)
          .put("litellm_provider", e.provider())
          .put("mode", "chat");
      info.mergeIn(e.modelInfo());
      // "nodes": which cluster nodes serve this deployment (Switchboard's addition; one node single-node).
      data.add(new JsonObject().put("model_name", e.modelName()).put("litellm_params", e.publicParams())
          .put("model_info", info).put("nodes", new JsonArray(e.nodes())));
    }
    Responses.json(ctx, 200, new JsonObject().put("data", data));
  }

  private JsonObject modelObject(String id) {
    JsonObject model = new JsonObject().put("id", id).put("object", "model").put("created", CREATED)
        .put("owned_by", "openai");
    catalog.find(id).ifPresent(e -> {
      for (String key : LISTED_INFO) {
        Object value = e.modelInfo().getValue(key);
        if (value != null) {
          model.put(key, value);
        }
      }
    });
    return model;
  }
}
