package dev.switchboard.routing;

import dev.switchboard.config.RouterSettings;
import dev.switchboard.error.OpenAiError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where one request goes, decided in one place: which deployment of its model group serves it, which
 * one next when a deployment turns it away, and which explicit fallback group after that. Built under
 * one config version and one catalog index, which it keeps for the request's whole life.
 *
 * <p>The rules (docs/routing.md): a deployment that turns a call away before any backend saw it (down,
 * at a limit, not serving) is skipped and the next deployment of the group is tried, until each was
 * tried once. A call that reached a backend and failed is tried again only as {@code retry_policy}
 * grants for its error class. Then, for errors worth it (408, 429, 5xx), the next group of the
 * request's or the config's {@code fallbacks}; never a group nobody named.
 */
public final class RequestRoute {

  /** One attempt: a deployment, and the name the answer is stamped with (the fallback's own, for a fallback). */
  public record Hop(ModelCatalog.Entry deployment, String modelName, int fallbackIndex) {
  }

  private record Failure(ModelCatalog.Entry deployment, OpenAiError error) {
  }

  private final CatalogIndex catalog;
  private final RouterSettings router;
  private final DeploymentStats stats;
  private final boolean stream;
  private final List<String> chain;
  private int chainIndex;
  private List<ModelCatalog.Entry> group;
  /** Tries per deployment id in the current group: one each, or one per node serving it in a cluster. */
  private final Map<String, Integer> tried = new HashMap<>();
  private final List<Failure> failures = new ArrayList<>();
  private int policyRetries;
  private int hops;
  private OpenAiError lastError;

  private RequestRoute(CatalogIndex catalog, RouterSettings router, DeploymentStats stats, boolean stream,
                       List<String> chain, List<ModelCatalog.Entry> group) {
    this.catalog = catalog;
    this.router = router;
    this.stats = stats;
    this.stream = stream;
    this.chain = chain;
    this.group = group;
  }

  /**
   * The route for a request for {@code requested} with {@code fallbacks} (already chosen: the request's
   * own or the config's), or null when no group serves that name (a 400 for the caller).
   */
  public static RequestRoute plan(String requested, List<String> fallbacks, CatalogIndex catalog,
                                  RouterSettings router, DeploymentStats stats, boolean stream) {
    return plan(requested, fallbacks, catalog, router, stats, stream, null);
  }

  /** As above, among the group's deployments {@code only} accepts (null: all); none accepted is null too. */
  public static RequestRoute plan(String requested, List<String> fallbacks, CatalogIndex catalog,
                                  RouterSettings router, DeploymentStats stats, boolean stream,
                                  Predicate<ModelCatalog.Entry> only) {
    List<ModelCatalog.Entry> group = resolve(requested, catalog, router);
    if (only != null) {
      group = group.stream().filter(only).toList();
    }
    if (group.isEmpty()) {
      return null;
    }
    List<String> chain = new ArrayList<>(1 + fallbacks.size());
    chain.add(requested);
    chain.addAll(fallbacks);
    return new RequestRoute(catalog, router, stats, stream, chain, group);
  }

  /** A group's own name first (explicit names win over aliases and patterns), then an alias, then the catalog's rules. */
  public static List<ModelCatalog.Entry> resolve(String name, CatalogIndex catalog, RouterSettings router) {
    if (!catalog.isGroupName(name)) {
      RouterSettings.GroupAlias alias = router.aliases().get(name);
      if (alias != null) {
        return catalog.group(alias.group());
      }
    }
    return catalog.group(name);
  }

  /** The first hop. */
  public Hop first() {
    return choose();
  }

  /** Hops after the first (LiteLLM's {@code x-litellm-attempted-retries}). */
  public int retriesAttempted() {
    return hops - 1;
  }

  /**
   * The hop after {@code failed} ended with {@code error} before any byte reached the client, or null
   * when there is none; then {@link #finalError()} is the answer. {@code reachedBackend}: false when the
   * call was turned away (refused, could not connect), so that no backend did any work for it.
   */
  public Hop next(Hop failed, OpenAiError error, boolean reachedBackend) {
    failures.add(new Failure(failed.deployment(), error));
    lastError = error;
    if (!reachedBackend) {
      Hop sibling = choose();
      if (sibling != null) {
        return sibling;
      }
    } else if (policyRetries < router.retryPolicy().retriesFor(error.status())) {
      policyRetries++;
      Hop again = choose();
      if (again != null) {
        return again;
      }
      tried.remove(failed.deployment().id()); // the group has no other: the same deployment again
      return choose();
    }
    boolean worthFallingBack = error.status() == 408 || error.status() == 429 || error.status() >= 500;
    while (worthFallingBack && chainIndex + 1 < chain.size()) {
      chainIndex++;
      group = resolve(chain.get(chainIndex), catalog, router);
      if (group.isEmpty()) {
        continue; // not a model: skipped, as LiteLLM does; the real failure stays the answer
      }
      lastError = groupError();
      tried.clear();
      failures.clear();
      policyRetries = 0;
      return choose();
    }
    lastError = groupError();
    return null;
  }

  /** What the client hears when no hop is left. */
  public OpenAiError finalError() {
    return lastError;
  }

  private Hop choose() {
    List<ModelCatalog.Entry> left = new ArrayList<>(group.size());
    for (ModelCatalog.Entry e : group) {
      if (tried.getOrDefault(e.id(), 0) < Math.max(1, e.nodes().size())) {
        left.add(e);
      }
    }
    if (left.isEmpty()) {
      return null;
    }
    ModelCatalog.Entry chosen = DeploymentChooser.choose(left, router, stats, stream);
    tried.merge(chosen.id(), 1, Integer::sum);
    hops++;
    return new Hop(chosen, chain.get(chainIndex), chainIndex);
  }

  /**
   * One deployment's error as it was; several turned away: one error naming each with its reason, 503
   * unless every one was at a limit (429, with the shortest Retry-After among them).
   */
  private OpenAiError groupError() {
    if (failures.stream().map(f -> f.deployment().id()).distinct().count() <= 1) {
      return lastError; // one deployment's own words (tried on each node that serves it)
    }
    boolean allLimited = failures.stream().allMatch(f -> f.error().status() == 429);
    StringBuilder msg = new StringBuilder(allLimited ? "litellm.RateLimitError: " : "litellm.ServiceUnavailableError: ")
        .append("No deployment of model group '").append(chain.get(chainIndex))
        .append("' could take the request (").append(failures.size()).append(" tried): ");
    Integer retryAfter = null;
    for (int i = 0; i < failures.size(); i++) {
      Failure f = failures.get(i);
      msg.append(i == 0 ? "" : "; ").append("deployment ").append(f.deployment().id()).append(": ")
          .append(f.error().message());
      Integer ra = f.error().retryAfterSeconds();
      if (ra != null && (retryAfter == null || ra < retryAfter)) {
        retryAfter = ra;
      }
    }
    OpenAiError e = allLimited ? OpenAiError.tooManyRequests(msg.toString()) : OpenAiError.unavailable(msg.toString());
    return retryAfter != null ? e.withRetryAfter(retryAfter) : e;
  }
}
