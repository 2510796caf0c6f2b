package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * The models this API can route to. Single-node, that is the config in force; clustered, it also holds
 * what other nodes announce. Read on every request, so lookups must be cheap and non-blocking.
 */
public interface ModelCatalog {

  /** A routable model: its public name and the row /model/info shows for it. */
  record Entry(String modelName, String provider, JsonObject publicParams, JsonObject modelInfo, String id) {

    static Entry of(ModelDeployment d) {
      return new Entry(d.modelName(), d.provider(), d.publicParams(), d.modelInfo(), d.id());
    }
  }

  List<Entry> entries();

  Optional<Entry> find(String modelName);

  /** The catalog of one node: the models in its config in force. */
  static ModelCatalog local(ConfigHolder config) {
    return new ModelCatalog() {
      @Override
      public List<Entry> entries() {
        return config.current().models().stream().map(Entry::of).toList();
      }

      @Override
      public Optional<Entry> find(String modelName) {
        return config.current().model(modelName).map(Entry::of);
      }
    };
  }
}
