package dev.switchboard.api;

import dev.switchboard.bus.Endpoint;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.metrics.FinishedRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One INFO line per finished request: method, path, model, status, latency, tokens. Never a key, never
 * a prompt. Also the single place where a finished request is reported onwards (metrics).
 */
public class RequestLog {

  private static final Logger LOG = LoggerFactory.getLogger("switchboard.requests");

  /** At most this many (route, client) pairs are remembered for {@link #unserved}; beyond it, one last line. */
  static final int UNSERVED_MEMORY = 1_000;

  private final FinishedRequest.Listener listener;
  /** (method, path, client address, user agent) already logged by {@link #unserved}; shared by every API verticle. */
  private final Set<String> unservedSeen = ConcurrentHashMap.newKeySet();

  public RequestLog(FinishedRequest.Listener listener) {
    this.listener = listener;
  }

  /** {@code fallback}: the model that answered instead of {@code model}, or null. */
  void finished(RoutingContext ctx, String requestId, String model, String fallback, Endpoint endpoint, boolean stream,
                int status, JsonObject meta, long startedAt) {
    JsonObject m = meta == null ? new JsonObject() : meta;
    long latency = System.currentTimeMillis() - startedAt;
    if (LOG.isInfoEnabled()) {
      String reason = m.getValue("reason") instanceof String r ? " reason=\"" + r.replace('"', '\'') + "\"" : "";
      LOG.info("{} {} model={}{} status={} latency_ms={} stream={} prompt_tokens={} completion_tokens={} outcome={}{} id={}",
          ctx.request().method(), ctx.request().path(), model, fallback == null ? "" : " fallback=" + fallback, status,
          latency, stream,
          m.getValue("prompt_tokens", "-"), m.getValue("completion_tokens", "-"), m.getString("outcome", "ok"),
          reason, requestId);
    }
    listener.finished(new FinishedRequest(requestId, ctx.request().method().name(), ctx.request().path(), model,
        endpoint, stream, status, latency, m));
  }

  /**
   * A request refused before its body was read (a missing or wrong key): its model and whether it
   * wanted a stream are unknown. Reported as LiteLLM counts it, a failed request (401, auth_error), so
   * that a client left with an old key, or someone trying keys, shows on the dashboard.
   */
  void denied(RoutingContext ctx, String requestId, OpenAiError error) {
    LOG.info("{} {} status={} outcome=rejected error=\"{}\" id={}", ctx.request().method(), ctx.request().path(),
        error.status(), error.message(), requestId);
    reportRejected(ctx, requestId, null, false, error, 0);
  }

  /**
   * A request for a route Switchboard does not serve (a client expecting another API, such as Codex's
   * {@code POST /v1/responses}): one line per route and client, so that whoever debugs that client sees
   * why it fails, and a client retrying in a loop does not flood the log.
   */
  void unserved(RoutingContext ctx, int status) {
    String method = ctx.request().method().name();
    String path = ctx.request().path();
    String client = ctx.request().remoteAddress() == null ? "-" : ctx.request().remoteAddress().hostAddress();
    String agent = ctx.request().getHeader("user-agent");
    String key = method + " " + path + " " + client + " " + agent;
    if (unservedSeen.size() > UNSERVED_MEMORY || !unservedSeen.add(key)) {
      return;
    }
    if (unservedSeen.size() > UNSERVED_MEMORY) {
      LOG.info("{} {} status={} outcome=unserved client={} user_agent=\"{}\" (the last such line: {} routes and "
          + "clients seen, no more are logged)", method, path, status, client, agent, UNSERVED_MEMORY);
      return;
    }
    LOG.info("{} {} status={} outcome=unserved client={} user_agent=\"{}\" (Switchboard does not serve this route; "
        + "logged once per route and client)", method, path, status, client, agent);
  }

  void rejected(RoutingContext ctx, String requestId, String model, boolean stream, OpenAiError error,
                long startedAt) {
    long latency = System.currentTimeMillis() - startedAt;
    LOG.info("{} {} model={} status={} latency_ms={} stream={} outcome=rejected error=\"{}\" id={}",
        ctx.request().method(), ctx.request().path(), model, error.status(), latency, stream, error.message(),
        requestId);
    reportRejected(ctx, requestId, model, stream, error, latency);
  }

  /** A request answered with {@code error} before any backend saw it, reported onwards as such. */
  private void reportRejected(RoutingContext ctx, String requestId, String model, boolean stream, OpenAiError error,
                              long latencyMs) {
    listener.finished(new FinishedRequest(requestId, ctx.request().method().name(), ctx.request().path(), model, null,
        stream, error.status(), latencyMs, new JsonObject().put("outcome", "rejected").put("error_type", error.type())));
  }
}
