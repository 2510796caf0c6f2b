package dev.switchboard.cluster;

import dev.switchboard.routing.CatalogIndex;
import dev.switchboard.routing.ModelCatalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog of a clustered node: its own deployments (the config in force) and those other nodes
 * announce. {@link CatalogGossip} owns the remote part and swaps it whole, so API verticles on any
 * event loop read one consistent snapshot without locks.
 */
public final class ClusterCatalog implements ModelCatalog {

  /** What other nodes serve, and models whose only nodes left (routable, so they answer 503, not 400). */
  record Remote(List<Entry> served, Map<String, Entry> gone) {
    static final Remote EMPTY = new Remote(List.of(), Map.of());
  }

  /** The merged index and what it was built from: rebuilt when either part is another object. */
  private record Merged(CatalogIndex local, Remote remote, CatalogIndex index) {
  }

  private final ModelCatalog local;
  private volatile Remote remote = Remote.EMPTY;
  private volatile Merged merged;

  public ClusterCatalog(ModelCatalog local) {
    this.local = local;
  }

  @Override
  public CatalogIndex index() {
    CatalogIndex mine = local.index();
    Remote r = remote;
    Merged m = merged;
    if (m == null || m.local() != mine || m.remote() != r) {
      m = new Merged(mine, r, new CatalogIndex(merge(mine.entries(), r)));
      merged = m;
    }
    return m.index();
  }

  /**
   * Deployments with the same name and id (the same entry in two nodes' configs) are one row, with both
   * nodes; a model nobody serves any more stays, with no node, until its last node comes back without it.
   */
  private static List<Entry> merge(List<Entry> mine, Remote r) {
    Map<String, Entry> rows = new LinkedHashMap<>();
    for (Entry e : mine) {
      rows.put(e.modelName() + "\u0000" + e.id(), e);
    }
    for (Entry e : r.served()) {
      rows.merge(e.modelName() + "\u0000" + e.id(), e, ClusterCatalog::withNodesOf);
    }
    List<Entry> all = new ArrayList<>(rows.values());
    r.gone().forEach((name, e) -> {
      if (all.stream().noneMatch(x -> x.modelName().equals(name))) {
        all.add(e);
      }
    });
    return all;
  }

  /** Swaps in what other nodes serve now: {@code served} one entry per (node, deployment). */
  void update(List<Entry> served, Map<String, Entry> gone) {
    remote = new Remote(List.copyOf(served), Map.copyOf(gone));
  }

  private static Entry withNodesOf(Entry a, Entry b) {
    List<String> nodes = new ArrayList<>(a.nodes());
    b.nodes().stream().filter(n -> !nodes.contains(n)).forEach(nodes::add);
    return a.withNodes(nodes);
  }
}
