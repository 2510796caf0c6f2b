package dev.switchboard.backend;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.CallServer;
import dev.switchboard.bus.OpenAiError;
import dev.switchboard.bus.StreamSink;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.ProviderKind;
import dev.switchboard.config.SwitchboardSettings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Serves one model: owns its backend's connection pool, its concurrency limit and queue, and (with
 * the liveness work) its health. Takes calls on {@code switchboard.backend.<model_name>}; undeploying
 * it drains: it stops taking calls, lets the open ones finish within the shutdown grace, then cuts the
 * rest with an error the client sees.
 */
public final class BackendVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BackendVerticle.class);
  /** Pool size when the model sets no max_parallel_requests: effectively unlimited. */
  private static final int UNLIMITED_POOL = 1024;

  private final ModelDeployment d;
  private final SwitchboardSettings settings;
  private final String nodeId;
  private final Set<Exchange> running = new HashSet<>();
  private final Deque<Queued> queue = new ArrayDeque<>();
  private HttpClient client;
  private Provider provider;
  private CallServer server;

  public BackendVerticle(ModelDeployment deployment, SwitchboardSettings settings, String nodeId) {
    this.d = deployment;
    this.settings = settings;
    this.nodeId = nodeId;
  }

  @Override
  public Future<?> start() {
    provider = Providers.forKind(d.kind());
    if (d.kind() != ProviderKind.MOCK) {
      int poolSize = d.maxParallelRequests() > 0 ? d.maxParallelRequests() : UNLIMITED_POOL;
      HttpClientOptions options = new HttpClientOptions()
          .setKeepAlive(true)
          // Below the idle close of uvicorn-based servers (vLLM: 5 s), so we never reuse a connection
          // the server is about to close.
          .setKeepAliveTimeout(3)
          .setTcpNoDelay(true)
          .setName("backend-" + d.modelName());
      client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(poolSize));
    }
    server = new CallServer(vertx, d.address(), nodeId, settings.keepaliveInterval(), settings.streamPeerTimeout());
    return server.start(this::onCall);
  }

  @Override
  public Future<?> stop() {
    Promise<Void> drained = Promise.promise();
    server.stopAccepting().onComplete(v -> awaitDrain(drained, System.currentTimeMillis()
        + settings.shutdownGrace().toMillis()));
    return drained.future().compose(v -> server.stop());
  }

  private void awaitDrain(Promise<Void> drained, long deadline) {
    if (running.isEmpty() && queue.isEmpty()) {
      drained.complete();
      return;
    }
    if (System.currentTimeMillis() >= deadline) {
      int cut = running.size() + queue.size();
      LOG.warn("model {}: shutdown grace ran out; cutting {} request(s) still in flight", d.modelName(), cut);
      for (Queued q : queue) {
        q.sink.error(OpenAiError.unavailable("Switchboard is shutting down or removing model=" + d.modelName()),
            null);
      }
      queue.clear();
      for (Exchange e : running.toArray(new Exchange[0])) {
        e.cancel("shutdown grace ran out");
      }
      drained.complete();
      return;
    }
    vertx.setTimer(50, id -> awaitDrain(drained, deadline));
  }

  private void onCall(Message<Call> msg) {
    boolean atLimit = d.maxParallelRequests() > 0 && running.size() >= d.maxParallelRequests();
    if (atLimit && queue.size() >= settings.queueSize()) {
      CallServer.reject(msg, OpenAiError.tooManyRequests("Crossed Max Parallel Request Limit for model="
          + d.modelName() + ": " + running.size() + " in flight (max_parallel_requests) and " + queue.size()
          + " waiting (queue full). Try again later."));
      return;
    }
    StreamSink sink = server.accept(msg);
    if (atLimit) {
      enqueue(sink);
    } else {
      run(sink);
    }
  }

  private void enqueue(StreamSink sink) {
    Queued q = new Queued(sink);
    queue.addLast(q);
    q.timer = vertx.setTimer(settings.queueTimeout().toMillis(), id -> {
      if (queue.remove(q)) {
        sink.error(OpenAiError.tooManyRequests("Request for model=" + d.modelName() + " waited "
            + settings.queueTimeout().toSeconds() + " s for a free slot (max_parallel_requests="
            + d.maxParallelRequests() + "). Try again later."), null);
      }
    });
    sink.onCancel(reason -> {
      queue.remove(q);
      vertx.cancelTimer(q.timer);
    });
  }

  private void run(StreamSink sink) {
    String mock = MockExchange.mockText(sink.call(), d);
    Exchange[] self = new Exchange[1];
    java.util.function.Consumer<ExchangeOutcome> done = outcome -> finished(self[0], outcome);
    Exchange ex = mock != null || provider == null
        ? new MockExchange(d, sink, mock == null ? "" : mock, done)
        : new HttpExchange(vertx, client, provider, d, sink, done);
    self[0] = ex;
    running.add(ex);
    sink.onCancel(ex::cancel);
    ex.start();
  }

  private void finished(Exchange ex, ExchangeOutcome outcome) {
    if (ex == null || !running.remove(ex)) {
      return;
    }
    Queued next = queue.pollFirst();
    if (next != null) {
      vertx.cancelTimer(next.timer);
      run(next.sink);
    }
  }

  private static final class Queued {
    final StreamSink sink;
    long timer;

    Queued(StreamSink sink) {
      this.sink = sink;
    }
  }
}
