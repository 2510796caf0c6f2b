package dev.switchboard.routing;

import dev.switchboard.config.RouterSettings;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;

/**
 * Chooses one deployment among a group's candidates: first those not known to be down, then the lowest
 * {@code order} among them, then the configured strategy (LiteLLM's {@code routing_strategy}).
 */
final class DeploymentChooser {

  private DeploymentChooser() {
  }

  /** {@code candidates} not empty; returns one of them. */
  static ModelCatalog.Entry choose(List<ModelCatalog.Entry> candidates, RouterSettings router, DeploymentStats stats,
                                   boolean stream) {
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    List<ModelCatalog.Entry> pool = usable(candidates, stats);
    return switch (router.strategy()) {
      case LEAST_BUSY -> leastBusy(pool, stats);
      case LATENCY_BASED -> lowestLatency(pool, stats, router.latency(), stream);
      case USAGE_BASED -> lowestUsage(pool, stats);
      case SIMPLE_SHUFFLE -> shuffle(pool);
    };
  }

  /**
   * Not known down, then the lowest order present. When every candidate is known down they all stay:
   * the BackendVerticles then say so themselves (a refusal costs no backend I/O), with their reasons.
   */
  private static List<ModelCatalog.Entry> usable(List<ModelCatalog.Entry> candidates, DeploymentStats stats) {
    List<ModelCatalog.Entry> up = new ArrayList<>(candidates.size());
    for (ModelCatalog.Entry e : candidates) {
      if (!stats.of(e.id()).downOnAll(e.nodes())) {
        up.add(e);
      }
    }
    List<ModelCatalog.Entry> from = up.isEmpty() ? candidates : up;
    int best = Integer.MAX_VALUE;
    for (ModelCatalog.Entry e : from) {
      best = Math.min(best, e.routing().priority());
    }
    List<ModelCatalog.Entry> first = new ArrayList<>(from.size());
    for (ModelCatalog.Entry e : from) {
      if (e.routing().priority() == best) {
        first.add(e);
      }
    }
    return first;
  }

  /** Random, weighted by weight, else rpm, else tpm; uniform when no deployment sets any. */
  static ModelCatalog.Entry shuffle(List<ModelCatalog.Entry> pool) {
    double total = 0;
    for (ModelCatalog.Entry e : pool) {
      total += e.routing().shuffleWeight();
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (total <= 0) {
      return pool.get(random.nextInt(pool.size()));
    }
    double r = random.nextDouble(total);
    for (ModelCatalog.Entry e : pool) {
      r -= e.routing().shuffleWeight();
      if (r < 0) {
        return e;
      }
    }
    return pool.get(pool.size() - 1);
  }

  private static ModelCatalog.Entry leastBusy(List<ModelCatalog.Entry> pool, DeploymentStats stats) {
    return lowest(pool, e -> stats.of(e.id()).inFlight(), 0);
  }

  /** LiteLLM's lowest_latency: lowest mean of recent samples, random among those within the buffer. */
  private static ModelCatalog.Entry lowestLatency(List<ModelCatalog.Entry> pool, DeploymentStats stats,
                                                  RouterSettings.LatencySettings settings, boolean stream) {
    long ttl = settings.ttl().toMillis();
    return lowest(pool, e -> stats.of(e.id()).latency(stream, ttl), settings.buffer());
  }

  /** LiteLLM's usage-based-routing-v2: fewest tokens this minute among those under their rpm and tpm. */
  private static ModelCatalog.Entry lowestUsage(List<ModelCatalog.Entry> pool, DeploymentStats stats) {
    List<ModelCatalog.Entry> under = new ArrayList<>(pool.size());
    for (ModelCatalog.Entry e : pool) {
      DeploymentStats.Deployment s = stats.of(e.id());
      boolean rpmLeft = e.routing().rpm() == 0 || s.requestsThisMinute() < e.routing().rpm();
      boolean tpmLeft = e.routing().tpm() == 0 || s.tokensThisMinute() < e.routing().tpm();
      if (rpmLeft && tpmLeft) {
        under.add(e);
      }
    }
    // All at their limits: still choose one; its verticle refuses with 429 and the next is tried.
    return lowest(under.isEmpty() ? pool : under, e -> stats.of(e.id()).tokensThisMinute(), 0);
  }

  /** The entry with the lowest score; random among those within {@code buffer} (a fraction) of it. */
  private static ModelCatalog.Entry lowest(List<ModelCatalog.Entry> pool,
                                           ToDoubleFunction<ModelCatalog.Entry> score,
                                           double buffer) {
    double[] scores = new double[pool.size()];
    double min = Double.MAX_VALUE;
    for (int i = 0; i < scores.length; i++) {
      scores[i] = score.applyAsDouble(pool.get(i));
      min = Math.min(min, scores[i]);
    }
    double limit = min + Math.abs(min) * buffer;
    List<ModelCatalog.Entry> best = new ArrayList<>(2);
    for (int i = 0; i < scores.length; i++) {
      if (scores[i] <= limit) {
        best.add(pool.get(i));
      }
    }
    return best.get(ThreadLocalRandom.current().nextInt(best.size()));
  }
}
