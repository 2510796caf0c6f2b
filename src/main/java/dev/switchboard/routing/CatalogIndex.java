package dev.switchboard.routing;

import dev.switchboard.config.WildcardPattern;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One version of the catalog, indexed for the request path: groups by name, deployments by id, and
 * the wildcard patterns from most to least specific. Built once per config version (and clustered, per
 * announcement change), then only read.
 */
public final class CatalogIndex {

  private record PatternGroup(WildcardPattern pattern, List<ModelCatalog.Entry> entries) {
  }

  public static final CatalogIndex EMPTY = new CatalogIndex(List.of());

  private final List<ModelCatalog.Entry> entries;
  private final Map<String, List<ModelCatalog.Entry>> groups;
  private final Map<String, ModelCatalog.Entry> byId;
  private final List<PatternGroup> patterns;

  /**
   * {@code entries}: every routable deployment; one with no node left (clustered: its nodes left) is
   * routable, so that a request for it is answered 503, but not listed.
   */
  public CatalogIndex(List<ModelCatalog.Entry> entries) {
    this.entries = entries.stream().filter(e -> !e.nodes().isEmpty()).toList();
    Map<String, List<ModelCatalog.Entry>> byName = new LinkedHashMap<>();
    Map<String, ModelCatalog.Entry> ids = new LinkedHashMap<>();
    for (ModelCatalog.Entry e : entries) {
      byName.computeIfAbsent(e.modelName(), k -> new ArrayList<>()).add(e);
      ids.putIfAbsent(e.id(), e);
    }
    Map<String, List<ModelCatalog.Entry>> frozen = new LinkedHashMap<>();
    List<PatternGroup> wild = new ArrayList<>();
    byName.forEach((name, list) -> {
      frozen.put(name, List.copyOf(list));
      if (WildcardPattern.isPattern(name)) {
        wild.add(new PatternGroup(new WildcardPattern(name), List.copyOf(list)));
      }
    });
    // Most literal characters first: "team-a/*" is tried before "*". Stable, so config order breaks ties.
    wild.sort(Comparator.comparingInt((PatternGroup p) -> p.pattern().specificity()).reversed());
    this.groups = Map.copyOf(frozen);
    this.byId = Map.copyOf(ids);
    this.patterns = List.copyOf(wild);
  }

  /** The deployments that some node serves, in catalog order. */
  public List<ModelCatalog.Entry> entries() {
    return entries;
  }


  /** See {@link ModelCatalog#group(String)}. */
  public List<ModelCatalog.Entry> group(String name) {
    List<ModelCatalog.Entry> explicit = groups.get(name);
    if (explicit != null) {
      return explicit;
    }
    ModelCatalog.Entry one = byId.get(name);
    if (one != null) {
      return List.of(one);
    }
    for (PatternGroup p : patterns) {
      if (p.pattern().match(name) != null) {
        return p.entries();
      }
    }
    return List.of();
  }

  /** The deployment with this id, or null. */
  public ModelCatalog.Entry byId(String id) {
    return byId.get(id);
  }

  /** Whether {@code name} is a group's own name (not reached through an id or a pattern). */
  public boolean isGroupName(String name) {
    return groups.containsKey(name);
  }
}
