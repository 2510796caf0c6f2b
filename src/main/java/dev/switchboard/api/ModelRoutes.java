package dev.switchboard.api;

import dev.switchboard.bus.OpenAiError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** GET /v1/models, /v1/models/{id} and /model/info, in the shapes OpenAI and LiteLLM write. */
final class ModelRoutes {

  /** LiteLLM's constant {@code created} for every model. */
  private static final long CREATED = 1677610602L;

  private final ModelCatalog catalog;

  ModelRoutes(ModelCatalog catalog) {
    this.catalog = catalog;
  }

  void list(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    // One model_name may have several deployments in a cluster (different configs on two nodes).
    new java.util.LinkedHashSet<>(catalog.entries().stream().map(ModelCatalog.Entry::modelName).toList())
        .forEach(name -> data.add(modelObject(name)));
    Responses.json(ctx, 200, new JsonObject().put("data", data).put("object", "list"));
  }

  void one(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    String prefix = path.startsWith("/v1/") ? "/v1/models/" : "/models/";
    String id = java.net.URLDecoder.decode(path.substring(prefix.length()), java.nio.charset.StandardCharsets.UTF_8);
    if (catalog.find(id).filter(e -> !e.nodes().isEmpty()).isEmpty()) { // served nowhere: not listed either
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
      if (only != null && !only.equals(e.id())) {
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

  private static JsonObject modelObject(String id) {
    return new JsonObject().put("id", id).put("object", "model").put("created", CREATED).put("owned_by", "openai");
  }
}
