package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * The models this API can route to. Single-node, that is the config in force; clustered, it also holds
 * what other nodes announce (dev.switchboard.cluster). Read on every request, so lookups must be cheap
 * and non-blocking.
 */
public interface ModelCatalog {

  /**
   * A routable model: its public name, the row /model/info shows for it, and the nodes serving it.
   * {@code nodes} is empty for a model whose only nodes left the cluster: still routable, so that a
   * request for it gets 503 (its backend is down) rather than 400 (no such model).
   */
  record Entry(String modelName, String provider, JsonObject publicParams, JsonObject modelInfo, String id,
               List<String> nodes) {

    public Entry {
      nodes = List.copyOf(nodes);
    }

    public static Entry of(ModelDeployment d, String nodeId) {
      return new Entry(d.modelName(), d.provider(), d.publicParams(), d.modelInfo(), d.id(), List.of(nodeId));
    }

    /** The JSON a node announces it with (docs/event-bus.md, "Catalog announcements"). */
    public JsonObject toJson() {
      return new JsonObject().put("model_name", modelName).put("model_id", id).put("provider", provider)
          .put("litellm_params", publicParams).put("model_info", modelInfo);
    }

    public static Entry fromJson(JsonObject j, String nodeId) {
      return new Entry(j.getString("model_name"), j.getString("provider"),
          j.getJsonObject("litellm_params", new JsonObject()), j.getJsonObject("model_info", new JsonObject()),
          j.getString("model_id"), List.of(nodeId));
    }
  }

  /** Every routable deployment, one entry per model_name and deployment id, in a stable order. */
  List<Entry> entries();

  Optional<Entry> find(String modelName);

  /** The catalog of one node: the models in its config in force. */
  static ModelCatalog local(ConfigHolder config, String nodeId) {
    return new LocalCatalog(config, nodeId);
  }
}
