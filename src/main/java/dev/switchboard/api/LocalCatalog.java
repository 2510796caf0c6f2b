package dev.switchboard.api;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models in this node's config in force. Looked up on every request (more than once), so the
 * entries are built once per config version, not per lookup: an entry carries a copy of the model's
 * public params.
 */
final class LocalCatalog implements ModelCatalog {

  private record Snapshot(SwitchboardConfig config, List<Entry> entries, Map<String, Entry> byName) {
  }

  private final ConfigHolder config;
  private final String nodeId;
  /** Rebuilt when the config in force is another object; two loops racing build equal snapshots. */
  private volatile Snapshot snapshot;

  LocalCatalog(ConfigHolder config, String nodeId) {
    this.config = config;
    this.nodeId = nodeId;
  }

  @Override
  public List<Entry> entries() {
    return snapshot().entries();
  }

  @Override
  public Optional<Entry> find(String modelName) {
    return Optional.ofNullable(snapshot().byName().get(modelName));
  }

  private Snapshot snapshot() {
    SwitchboardConfig current = config.current();
    Snapshot s = snapshot;
    if (s == null || s.config() != current) {
      Map<String, Entry> byName = new LinkedHashMap<>();
      for (ModelDeployment d : current.models()) {
        byName.put(d.modelName(), Entry.of(d, nodeId));
      }
      s = new Snapshot(current, List.copyOf(byName.values()), Map.copyOf(byName));
      snapshot = s;
    }
    return s;
  }
}
