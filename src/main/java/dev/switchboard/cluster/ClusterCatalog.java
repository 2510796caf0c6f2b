package dev.switchboard.cluster;

import dev.switchboard.api.ModelCatalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The catalog of a clustered node: its own models (the config in force) and those other nodes
 * announce. {@link CatalogGossip} owns the remote part and swaps it whole, so API verticles on any
 * event loop read one consistent snapshot without locks.
 */
public final class ClusterCatalog implements ModelCatalog {

  /** What other nodes serve, and models whose only nodes left (routable, so they answer 503, not 400). */
  record Remote(List<Entry> served, Map<String, Entry> byName, Map<String, Entry> gone) {
    static final Remote EMPTY = new Remote(List.of(), Map.of(), Map.of());
  }

  private final ModelCatalog local;
  private volatile Remote remote = Remote.EMPTY;

  public ClusterCatalog(ModelCatalog local) {
    this.local = local;
  }

  @Override
  public List<Entry> entries() {
    // Deployments with the same name and id (the same config on two nodes) are one row, with both nodes.
    Map<String, Entry> rows = new LinkedHashMap<>();
    for (Entry e : local.entries()) {
      rows.put(e.modelName() + "\u0000" + e.id(), e);
    }
    for (Entry e : remote.served()) {
      rows.merge(e.modelName() + "\u0000" + e.id(), e, ClusterCatalog::withNodesOf);
    }
    return List.copyOf(rows.values());
  }

  @Override
  public Optional<Entry> find(String modelName) {
    Optional<Entry> mine = local.find(modelName);
    Remote r = remote;
    Entry theirs = r.byName().get(modelName);
    if (mine.isPresent()) {
      // Our own deployment describes it; the nodes are everyone's that serve the name.
      return theirs == null ? mine : Optional.of(withNodesOf(mine.get(), theirs));
    }
    return Optional.ofNullable(theirs != null ? theirs : r.gone().get(modelName));
  }

  /** Swaps in what other nodes serve now: {@code served} one entry per (node, deployment). */
  void update(List<Entry> served, Map<String, Entry> gone) {
    Map<String, Entry> byName = new LinkedHashMap<>();
    for (Entry e : served) {
      byName.merge(e.modelName(), e, ClusterCatalog::withNodesOf);
    }
    remote = new Remote(List.copyOf(served), Map.copyOf(byName), Map.copyOf(gone));
  }

  private static Entry withNodesOf(Entry a, Entry b) {
    List<String> nodes = new ArrayList<>(a.nodes());
    b.nodes().stream().filter(n -> !nodes.contains(n)).forEach(nodes::add);
    return new Entry(a.modelName(), a.provider(), a.publicParams(), a.modelInfo(), a.id(), nodes);
  }
}
