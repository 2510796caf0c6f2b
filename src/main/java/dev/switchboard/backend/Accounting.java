package dev.switchboard.backend;

import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import io.vertx.core.json.JsonObject;

/**
 * What a BackendVerticle knows about one call and the API side cannot: queueing, time to first byte,
 * upstream time and token counts. Sent in the END/ERROR frame's meta (docs/event-bus.md), from where
 * the API side builds its log line, headers and metrics event.
 */
final class Accounting {

  final Call call;
  final ModelDeployment deployment;
  /** When the BackendVerticle took the call, before any wait for a max_parallel_requests slot. */
  final long acceptedAt;
  long startedAt;
  long firstByteAt;
  long promptTokens = -1;
  long completionTokens = -1;

  Accounting(Call call, ModelDeployment deployment, long acceptedAt) {
    this.call = call;
    this.deployment = deployment;
    this.acceptedAt = acceptedAt;
  }

  void started() {
    startedAt = System.currentTimeMillis();
  }

  /** Token counts as the translator found them in the answer, when it did. */
  void usage(ResponseTranslator.Usage usage) {
    if (usage != null) {
      promptTokens = usage.promptTokens();
      completionTokens = usage.completionTokens();
    }
  }

  void firstByte() {
    if (firstByteAt == 0) {
      firstByteAt = System.currentTimeMillis();
    }
  }

  /** Response metadata for the HEAD frame. */
  JsonObject head(String contentType) {
    return new JsonObject()
        .put("content_type", contentType)
        .put("model_id", deployment.id())
        .put("api_base", deployment.shownApiBase())
        .put("provider", deployment.provider())
        .put("backend_model", deployment.backendModel());
  }

  /** Accounting for the END/ERROR frame. */
  JsonObject meta(String outcome) {
    long now = System.currentTimeMillis();
    long start = startedAt == 0 ? now : startedAt;
    JsonObject m = new JsonObject()
        .put("outcome", outcome)
        .put("provider", deployment.provider())
        .put("backend_model", deployment.backendModel())
        .put("api_base", deployment.shownApiBase())
        .put("model_id", deployment.id())
        .put("queue_ms", start - acceptedAt)
        .put("upstream_ms", now - start);
    if (firstByteAt > 0) {
      m.put("ttft_ms", firstByteAt - call.startedAt());
    }
    if (promptTokens >= 0) {
      m.put("prompt_tokens", promptTokens);
    }
    if (completionTokens >= 0) {
      m.put("completion_tokens", completionTokens);
    }
    return m;
  }
}
