package dev.switchboard.backend;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.AnswerStream;
import dev.switchboard.bus.Call;
import dev.switchboard.bus.impl.CallServer;
import dev.switchboard.config.GeneralSettings;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.ProviderKind;
import dev.switchboard.config.SwitchboardSettings;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;

/**
 * Serves one model: owns its backend's connection pool, its liveness, and its concurrency limit and
 * queue. Takes calls on {@code switchboard.backend.<model_name>} and answers state questions on
 * {@code switchboard.state.<model_name>}. A model whose backend is known to be down is refused with
 * 503 in milliseconds (the seed's fail-fast rule); probes bring it back as soon as the backend answers.
 * Undeploying drains: no new calls, open ones finish within the shutdown grace, the rest are cancelled.
 */
public final class BackendVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BackendVerticle.class);
  /** Pool size when the model sets no max_parallel_requests: effectively unlimited. */
  private static final int UNLIMITED_POOL = 1024;
  /** Probe period while a backend is down or not yet seen, so one that comes up serves within seconds. */
  private static final long RECOVERY_PROBE_MS = 2_000;
  private static final long PROBE_TIMEOUT_MS = 5_000;

  private final ModelDeployment deployment;
  private final SwitchboardSettings settings;
  private final GeneralSettings general;
  private final int retries;
  private final String nodeId;
  private final Set<Exchange> running = new HashSet<>();
  private final Liveness liveness = new Liveness();
  private AdmissionQueue queue;
  private MinuteLimits limits;
  private HttpClient client;
  private Prober prober;
  private Provider provider;
  private CallServer server;
  private MessageConsumer<JsonObject> stateConsumer;
  private MessageConsumer<JsonObject> nodeStateConsumer;
  private final ConnectionHistory connections = new ConnectionHistory();
  private long probeTimer = -1;
  /** When a call last ended with the backend's answer (epoch ms). */
  private long lastAnsweredAt;
  private boolean probing;
  private boolean stopping;

  public BackendVerticle(ModelDeployment deployment, SwitchboardSettings settings, GeneralSettings general,
                         int retries, String nodeId) {
    this.deployment = deployment;
    this.settings = settings;
    this.general = general;
    this.retries = retries;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    provider = Providers.forKind(deployment.kind());
    queue = new AdmissionQueue(vertx, deployment, settings);
    limits = new MinuteLimits(deployment);
    if (deployment.kind() != ProviderKind.MOCK) {
      int poolSize = deployment.maxParallelRequests() > 0 ? deployment.maxParallelRequests() : UNLIMITED_POOL;
      HttpClientOptions options = new HttpClientOptions()
          .setKeepAlive(true)
          // Below the idle close of uvicorn-based servers (vLLM: 5 s), so we rarely reuse a connection
          // the server is about to close; a stale one is retried (see HttpExchange).
          .setKeepAliveTimeout(3)
          .setTcpNoDelay(true)
          .setName("backend-" + deployment.modelName());
      client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(poolSize));
      prober = new Prober(vertx, provider, deployment);
      probeSoon(0);
    } else {
      setLiveness(Liveness.State.HEALTHY, "mock_response: no backend");
    }
    stateConsumer = vertx.eventBus().consumer(Addresses.state(deployment.id()), this::onStateRequest);
    nodeStateConsumer = vertx.eventBus().consumer(Addresses.stateOn(nodeId, deployment.id()), this::onStateRequest);
    server = new CallServer(vertx, Addresses.backend(deployment.id()), nodeId, settings.keepaliveInterval(), settings.streamPeerTimeout());
    return Future.all(server.start(this::onCall), stateConsumer.completion(), nodeStateConsumer.completion());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    vertx.cancelTimer(probeTimer);
    Promise<Void> drained = Promise.promise();
    Future.all(server.stopAccepting(), stateConsumer.unregister(), nodeStateConsumer.unregister()).onComplete(v ->
        awaitDrain(drained, System.currentTimeMillis() + settings.shutdownGrace().toMillis()));
    return drained.future().compose(v -> server.stop());
  }

  private void awaitDrain(Promise<Void> drained, long deadline) {
    if (running.isEmpty() && queue.isEmpty()) {
      drained.complete();
      return;
    }
    if (System.currentTimeMillis() >= deadline) {
      LOG.warn("model {}: shutdown grace ran out; cutting {} request(s) in flight and {} queued", deployment.modelName(),
          running.size(), queue.size());
      queue.failAll(OpenAiError.unavailable("Switchboard is shutting down or removing model=" + deployment.modelName()));
      // The client hears why at once, rather than guessing from a silent peer.
      OpenAiError cancelled = OpenAiError.unavailable("Request cancelled: model=" + deployment.modelName() + " was removed or changed by "
          + "a config reload, or Switchboard is shutting down, and switchboard_settings.shutdown_grace ("
          + settings.shutdownGrace().toSeconds() + " s) ran out before it finished");
      for (Exchange e : running.toArray(new Exchange[0])) {
        e.cancel(cancelled);
      }
      drained.complete();
      return;
    }
    vertx.setTimer(50, id -> awaitDrain(drained, deadline));
  }

  // ---- calls ----

  private void onCall(Message<Call> msg) {
    if (liveness.state() == Liveness.State.UNHEALTHY) {
      CallServer.reject(msg, OpenAiError.unavailable("litellm.ServiceUnavailableError: model=" + deployment.modelName()
          + " is unavailable: its backend at " + deployment.shownApiBase() + " is down (" + liveness.describe()
          + "). Switchboard checks it every " + RECOVERY_PROBE_MS / 1000 + " s and serves it again as soon as it "
          + "answers; no other model is tried."));
      return;
    }
    OpenAiError overRate = limits.admit();
    if (overRate != null) {
      CallServer.reject(msg, overRate);
      return;
    }
    boolean atLimit = deployment.maxParallelRequests() > 0 && running.size() >= deployment.maxParallelRequests();
    if (atLimit && queue.isFull()) {
      CallServer.reject(msg, queue.fullError(running.size()));
      return;
    }
    AnswerStream answer = server.accept(msg);
    if (atLimit) {
      queue.add(answer);
    } else {
      run(answer, System.currentTimeMillis());
    }
  }

  /** {@code acceptedAt}: when the call came in, so that its accounting counts any wait in the queue. */
  private void run(AnswerStream answer, long acceptedAt) {
    // A wildcard entry serves each requested name as its own backend model.
    ModelDeployment serving = deployment.serving(answer.call().modelName());
    String mock = MockExchange.mockText(answer.call(), serving);
    Exchange ex = mock != null || provider == null
        ? new MockExchange(serving, answer, acceptedAt, mock == null ? "" : mock)
        : new HttpExchange(vertx, client, connections, provider, serving, answer, acceptedAt, retries);
    running.add(ex);
    queue.started();
    Future<ExchangeOutcome> outcome;
    try {
      outcome = ex.start();
    } catch (RuntimeException bug) {
      // A translator tripping over a request it did not expect is our bug; the client must still get an
      // answer and the slot must come back, or a few such requests would block the model for good.
      LOG.error("model {}: unexpected failure starting a call", deployment.modelName(), bug);
      answer.fail(OpenAiError.internal("Internal error in Switchboard (logged): " + bug.getClass().getSimpleName()),
          null);
      outcome = Future.succeededFuture(new ExchangeOutcome(ExchangeOutcome.Kind.CANCELLED, "internal error"));
    }
    outcome.onSuccess(o -> finished(ex, o));
  }

  private void finished(Exchange ex, ExchangeOutcome outcome) {
    if (!running.remove(ex)) {
      return;
    }
    queue.finished();
    limits.used(outcome.tokens());
    noteOutcome(outcome);
    if (running.size() < Math.max(1, deployment.maxParallelRequests()) || deployment.maxParallelRequests() == 0) {
      AdmissionQueue.Waiting next = queue.poll();
      if (next != null) {
        run(next.answer, next.since);
      }
    }
  }

  /**
   * Passive detection: what real traffic runs into moves liveness. A refused connection is a down
   * backend, at once. One request that timed out (perhaps on the client's own short timeout) or whose
   * connection broke says less: the server may be up and serving everyone else, and turning them all
   * away is LiteLLM's #41223. A probe, sent at once, decides.
   */
  private void noteOutcome(ExchangeOutcome outcome) {
    switch (outcome.kind()) {
      case OK, CLIENT_ERROR, HTTP_ERROR, BAD_ANSWER -> {
        lastAnsweredAt = System.currentTimeMillis();
        setLiveness(Liveness.State.HEALTHY, "answered a request");
      }
      case CONNECT_FAILED -> setLiveness(Liveness.State.UNHEALTHY, "connection refused");
      case TIMEOUT, BACKEND_ERROR -> probeNow();
      default -> {
      }
    }
  }

  // ---- liveness ----

  /** Probes now instead of at the next tick, unless a probe is on its way already. */
  private void probeNow() {
    if (probing || prober == null || stopping) {
      return;
    }
    vertx.cancelTimer(probeTimer);
    probeSoon(0);
  }

  private void probeSoon(long delayMs) {
    if (stopping) {
      return;
    }
    Runnable probe = () -> {
      probing = true;
      long sentAt = System.currentTimeMillis();
      prober.probe(PROBE_TIMEOUT_MS).onComplete(ar -> {
        probing = false;
        if (stopping) {
          return; // the pool closes with the verticle: its failures say nothing about the backend
        }
        judge(ar.result(), sentAt);
        scheduleNextProbe();
      });
    };
    if (delayMs <= 0) {
      probe.run();
    } else {
      probeTimer = vertx.setTimer(delayMs, id -> probe.run());
    }
  }

  /**
   * Moves liveness by a probe's result. A probe the backend took but did not answer in time, while it
   * was answering our requests meanwhile, says it is busy, not down: llama-server serves its HTTP
   * requests on a few threads, and with more streams open than that, a probe waits behind them.
   */
  private ProbeResult judge(ProbeResult r, long sentAt) {
    if (r.healthy()) {
      setLiveness(Liveness.State.HEALTHY, "probe ok");
      return r;
    }
    long answering = running.stream().filter(e -> e.lastHeardAt() >= sentAt).count()
        + (lastAnsweredAt >= sentAt ? 1 : 0);
    if (r.noAnswer() && answering > 0) {
      String busy = "busy: the probe got " + r.reason() + ", but the backend answered " + answering
          + " request(s) meanwhile";
      LOG.info("model {}: {}", deployment.modelName(), busy);
      return new ProbeResult(true, busy);
    }
    setLiveness(Liveness.State.UNHEALTHY, r.reason());
    return r;
  }

  private void scheduleNextProbe() {
    if (liveness.state() != Liveness.State.HEALTHY) {
      probeSoon(RECOVERY_PROBE_MS);
    } else if (general.backgroundHealthChecks()) {
      probeSoon(general.healthCheckInterval().toMillis());
    }
  }

  private void setLiveness(Liveness.State state, String reason) {
    boolean wasHealthy = liveness.state() == Liveness.State.HEALTHY;
    if (!liveness.set(state, reason)) {
      return;
    }
    if (state == Liveness.State.HEALTHY) {
      LOG.info("model {}: backend at {} is healthy", deployment.modelName(), deployment.apiBase() == null ? "(mock)" : deployment.shownApiBase());
    } else {
      LOG.warn("model {}: backend at {} is {}: {}", deployment.modelName(), deployment.shownApiBase(), state.label(), reason);
      if (wasHealthy && prober != null && !stopping) {
        // Passive detection took it down between probes: start the recovery probing now.
        vertx.cancelTimer(probeTimer);
        probeSoon(RECOVERY_PROBE_MS);
      }
    }
    vertx.eventBus().publish(Addresses.LIVENESS, stateJson().put("version", 1).put("ts", System.currentTimeMillis()));
  }

  // ---- state for /health and metrics ----

  private void onStateRequest(Message<JsonObject> msg) {
    boolean probeNow = msg.body() != null && msg.body().getBoolean("probe", false);
    if (!probeNow || prober == null) {
      msg.reply(stateJson());
      return;
    }
    long timeout = msg.body().getLong("timeout_ms", PROBE_TIMEOUT_MS);
    long sentAt = System.currentTimeMillis();
    prober.probe(timeout).onComplete(ar -> {
      ProbeResult r = judge(ar.result(), sentAt);
      msg.reply(stateJson().put("probe", new JsonObject().put("healthy", r.healthy()).put("reason", r.reason())));
    });
  }

  private JsonObject stateJson() {
    return liveness.toJson()
        .put("model", deployment.modelName())
        .put("node", nodeId)
        .put("provider", deployment.provider())
        .put("litellm_model", deployment.provider() + "/" + deployment.backendModel())
        .put("api_base", deployment.shownApiBase())
        .put("model_id", deployment.id())
        .put("in_flight", running.size())
        .put("queued", queue == null ? 0 : queue.size())
        .put("max_parallel_requests", deployment.maxParallelRequests());
  }
}
