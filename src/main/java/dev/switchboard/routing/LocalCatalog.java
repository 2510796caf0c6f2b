package dev.switchboard.routing;

import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.SwitchboardConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The deployments in this node's config in force. Indexed once per config version, not per lookup:
 * an entry carries a copy of its deployment's public params.
 */
final class LocalCatalog implements ModelCatalog {

  private record Snapshot(SwitchboardConfig config, CatalogIndex index) {
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
  public CatalogIndex index() {
    SwitchboardConfig current = config.current();
    Snapshot s = snapshot;
    if (s == null || s.config() != current) {
      List<Entry> entries = new ArrayList<>();
      for (ModelDeployment deployment : current.models()) {
        entries.add(Entry.of(deployment, nodeId));
      }
      s = new Snapshot(current, new CatalogIndex(entries));
      snapshot = s;
    }
    return s.index();
  }
}
