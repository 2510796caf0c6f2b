package dev.switchboard.api;

import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.OpenAiError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per finished request: method, path, model, status, latency, tokens. Never a key, never
 * a prompt. Also the single place where a finished request is reported onwards (metrics).
 */
public class RequestLog {

  private static final Logger LOG = LoggerFactory.getLogger("switchboard.requests");

  /** Receives every finished request; the metrics work plugs in here. */
  public interface Listener {
    void finished(FinishedRequest request);
  }

  /** A finished request, as the log and the metrics see it. */
  public record FinishedRequest(String requestId, String method, String path, String model, Endpoint endpoint,
                                boolean stream, int status, long latencyMs, JsonObject meta) {
  }

  private final Listener listener;

  public RequestLog(Listener listener) {
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
