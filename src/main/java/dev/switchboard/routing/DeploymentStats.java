package dev.switchboard.routing;

import dev.switchboard.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the router knows of each deployment, node-wide and shared by the API verticles of this node
 * (thread-safe: atomics and short synchronized sections, no lock on the request path longer than a
 * few field writes). All of it is a hint for choosing, never a gate: a deployment's BackendVerticle has
 * the last word (it refuses a call when its backend is down or it is at a limit).
 *
 * <ul>
 *   <li>in flight: calls this node's API has open on it, exact and current (least-busy);</li>
 *   <li>latency and time to first token: the last samples of calls this node made (latency-based);</li>
 *   <li>requests and tokens this minute, counted from this node's calls (usage-based);</li>
 *   <li>down: from {@code switchboard.liveness} events, which every node's BackendVerticles publish
 *       cluster-wide, and for a moment after a refusal this node received.</li>
 * </ul>
 */
public final class DeploymentStats {

  private final Map<String, Deployment> byId = new ConcurrentHashMap<>();
  private MessageConsumer<JsonObject> liveness;

  /** Follows liveness events; call before the BackendVerticles start so that none is missed. */
  public Future<Void> listen(Vertx vertx) {
    liveness = vertx.eventBus().consumer(Addresses.LIVENESS, msg -> onLiveness(msg.body()));
    return liveness.completion();
  }

  public Future<Void> close() {
    return liveness == null ? Future.succeededFuture() : liveness.unregister();
  }

  public Deployment of(String id) {
    Deployment d = byId.get(id);
    return d != null ? d : byId.computeIfAbsent(id, k -> new Deployment());
  }

  private void onLiveness(JsonObject event) {
    String id = event.getString("model_id");
    String node = event.getString("node", "");
    if (id == null) {
      return;
    }
    if ("unhealthy".equals(event.getString("state"))) {
      of(id).markDown(node, event.getString("reason", "down"));
    } else {
      of(id).markUp(node);
    }
  }

  /** How long a refusal keeps a deployment at the back of the line: a down backend's recovery probe period. */
  static final long REFUSED_HINT_MS = 2_000;

  /** One deployment's figures. */
  public static final class Deployment {
    private volatile long refusedUntil;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<String, String> downOn = new ConcurrentHashMap<>();
    private final Samples latency = new Samples();
    private final Samples firstToken = new Samples();
    private final AtomicLong minute = new AtomicLong();
    private final AtomicLong requestsThisMinute = new AtomicLong();
    private final AtomicLong tokensThisMinute = new AtomicLong();

    public int inFlight() {
      return inFlight.get();
    }

    /** A call to it starts. */
    public void started() {
      inFlight.incrementAndGet();
      rollMinute();
      requestsThisMinute.incrementAndGet();
    }

    /** A call to it ended ({@link #started()} was called for it). */
    public void ended() {
      inFlight.decrementAndGet();
    }

    /** A call answered: its latency per output token (or whole, without a count) and first-token time. */
    public void answered(long latencyMs, long ttftMs, long outputTokens, long totalTokens, int keep) {
      latency.add(outputTokens > 0 ? (double) latencyMs / outputTokens : latencyMs, keep);
      if (ttftMs >= 0) {
        firstToken.add(ttftMs, keep);
      }
      if (totalTokens > 0) {
        rollMinute();
        tokensThisMinute.addAndGet(totalTokens);
      }
    }

    /** A call timed out there: LiteLLM's penalty, so that latency-based routing moves off it. */
    public void timedOut(int keep) {
      latency.add(1_000_000, keep);
      firstToken.add(1_000_000, keep);
    }

    /** Mean of the samples younger than {@code ttlMs}; 0 when there are none (tried first, as LiteLLM). */
    public double latency(boolean stream, long ttlMs) {
      return (stream ? firstToken : latency).mean(ttlMs);
    }

    public long tokensThisMinute() {
      rollMinute();
      return tokensThisMinute.get();
    }

    public long requestsThisMinute() {
      rollMinute();
      return requestsThisMinute.get();
    }

    void markDown(String node, String reason) {
      downOn.put(node, reason == null ? "down" : reason);
    }

    void markUp(String node) {
      downOn.remove(node);
      refusedUntil = 0;
    }

    /**
     * It turned a call away as unavailable (its backend down, its node gone or frozen): others are tried
     * first for a while, so that the requests after it do not each pay for finding out again.
     */
    public void refused() {
      refusedUntil = System.currentTimeMillis() + REFUSED_HINT_MS;
    }

    /** Known down on every node that serves it (a node not heard of counts as up), or refused just now. */
    public boolean downOnAll(List<String> nodes) {
      if (refusedUntil != 0 && System.currentTimeMillis() < refusedUntil) {
        return true;
      }
      if (downOn.isEmpty()) {
        return false;
      }
      for (String n : nodes) {
        if (!downOn.containsKey(n)) {
          return false;
        }
      }
      return true;
    }

    private void rollMinute() {
      long now = System.currentTimeMillis() / 60_000;
      long was = minute.get();
      if (was != now && minute.compareAndSet(was, now)) {
        requestsThisMinute.set(0);
        tokensThisMinute.set(0);
      }
    }
  }

  /** The last few samples with their times; small, so a synchronized copy is cheap. */
  private static final class Samples {
    private double[] values = new double[0];
    private long[] at = new long[0];
    private int next;
    private int count;

    synchronized void add(double v, int keep) {
      if (values.length != keep) {
        values = new double[keep];
        at = new long[keep];
        next = 0;
        count = 0;
      }
      values[next] = v;
      at[next] = System.currentTimeMillis();
      next = (next + 1) % keep;
      count = Math.min(count + 1, keep);
    }

    synchronized double mean(long ttlMs) {
      long oldest = System.currentTimeMillis() - ttlMs;
      double sum = 0;
      int n = 0;
      for (int i = 0; i < count; i++) {
        if (at[i] >= oldest) {
          sum += values[i];
          n++;
        }
      }
      return n == 0 ? 0 : sum / n;
    }
  }
}
