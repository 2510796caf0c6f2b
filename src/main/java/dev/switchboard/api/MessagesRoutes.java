package dev.switchboard.api;

import dev.switchboard.anthropic.MessagesToChat;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.routing.RequestRoute;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * Anthropic's Messages API as a front door (Claude Code on local models): {@code POST /v1/messages} and
 * {@code /v1/messages/count_tokens}, with or without {@code /v1} and {@code ?beta=true}. A request is
 * translated to chat completions and routed like any other (groups, aliases, liveness, limits,
 * cancellation, metrics, cluster); its answer is reshaped as it streams ({@link MessagesShape}).
 * docs/anthropic.md.
 */
final class MessagesRoutes {

  /** Claude Code gives up on a stream after minutes without a byte; a ping this often keeps it waiting. */
  static final long PING_MS = 10_000;

  private final Vertx vertx;
  private final CompletionRoutes completions;
  private final ModelCatalog catalog;
  private final ConfigHolder config;

  MessagesRoutes(Vertx vertx, CompletionRoutes completions, ModelCatalog catalog, ConfigHolder config) {
    this.vertx = vertx;
    this.completions = completions;
    this.catalog = catalog;
    this.config = config;
  }

  /** Whether {@code path} is one of this front door's (its errors are then Anthropic's, 401 included). */
  static boolean isMessagesPath(String path) {
    return path != null && (path.startsWith("/v1/messages") || path.startsWith("/messages"));
  }

  void messages(RoutingContext ctx) {
    long startedAt = System.currentTimeMillis();
    String requestId = CallId.of(ctx);
    JsonObject req = parse(ctx, requestId, startedAt);
    if (req == null) {
      return;
    }
    String model = (String) req.getValue("model");
    boolean stream = Boolean.TRUE.equals(req.getValue("stream"));
    MessagesShape shape = new MessagesShape(model, estimateTokens(ctx.body().buffer()));
    List<ModelCatalog.Entry> group = RequestRoute.resolve(model, catalog.index(), config.current().router());
    JsonObject chat;
    try {
      chat = MessagesToChat.translate(req, maxOutputTokens(group));
    } catch (OpenAiError.Failure f) {
      completions.fail(ctx, shape, f.error(), requestId, model, stream, startedAt);
      return;
    }
    boolean anyNative = group.stream().anyMatch(ModelCatalog.Entry::nativeMessages);
    if (stream) {
      keepAlive(ctx, shape, !anyNative);
    }
    // A deployment that speaks Messages itself gets the client's request as it came (model rewritten).
    CompletionRoutes.Native passThrough = anyNative ? new CompletionRoutes.Native(Endpoint.MESSAGES,
        RequestBody.of(req, ctx.body().buffer()), shape.passThrough(), ModelCatalog.Entry::nativeMessages) : null;
    completions.dispatch(ctx, new CompletionRoutes.Dispatch(Endpoint.CHAT, "/v1/messages", model,
        RequestBody.of(chat), stream, shape, requestId, startedAt, passThrough));
  }

  /**
   * {@code {"input_tokens": N}}: the count of a deployment of the group that serves Messages itself (its
   * own tokenizer), else an estimate (a token per 4 characters of the translated prompt and tools, what
   * Claude Code falls back to without this endpoint), answered here without a backend call. A native
   * deployment that cannot count (an older server: 404) gets the estimate answered instead.
   */
  void countTokens(RoutingContext ctx) {
    long startedAt = System.currentTimeMillis();
    String requestId = CallId.of(ctx);
    JsonObject req = parse(ctx, requestId, startedAt);
    if (req == null) {
      return;
    }
    JsonObject counted = req.copy().put("max_tokens", 1);
    JsonObject chat;
    try {
      chat = MessagesToChat.translate(counted, 0);
    } catch (OpenAiError.Failure f) {
      completions.fail(ctx, MessagesShape.ERRORS, f.error(), requestId, (String) req.getValue("model"), false,
          startedAt);
      return;
    }
    long chars = chat.getJsonArray("messages").encode().length()
        + (chat.getValue("tools") instanceof JsonArray tools ? tools.encode().length() : 0);
    JsonObject estimate = new JsonObject().put("input_tokens", Math.max(1, (chars + 3) / 4));
    String model = (String) req.getValue("model");
    boolean anyNative = RequestRoute.resolve(model, catalog.index(), config.current().router()).stream()
        .anyMatch(ModelCatalog.Entry::nativeMessages);
    if (!anyNative) {
      ctx.response().putHeader(CallId.HEADER, requestId);
      Responses.json(ctx, 200, estimate);
      return;
    }
    completions.dispatch(ctx, new CompletionRoutes.Dispatch(Endpoint.COUNT_TOKENS, "/v1/messages/count_tokens",
        model, RequestBody.of(req, ctx.body().buffer()), false, AnswerShape.countOr(estimate), requestId,
        startedAt, null, ModelCatalog.Entry::nativeMessages));
  }

  /** The body as a Messages request with a model this node routes, or null once an error was answered. */
  private JsonObject parse(RoutingContext ctx, String requestId, long startedAt) {
    Buffer raw = ctx.body().buffer();
    Object parsed;
    try {
      parsed = raw == null || raw.length() == 0 ? null : raw.toJsonValue();
    } catch (RuntimeException malformed) {
      parsed = null;
    }
    if (!(parsed instanceof JsonObject req)) {
      completions.fail(ctx, MessagesShape.ERRORS, OpenAiError.badRequest(
          "The request body is not a JSON object (a Messages request)", null), requestId, null, false, startedAt);
      return null;
    }
    if (!(req.getValue("model") instanceof String model) || model.isBlank()) {
      completions.fail(ctx, MessagesShape.ERRORS, OpenAiError.badRequest("model: Field required", "model"),
          requestId, null, false, startedAt);
      return null;
    }
    return req;
  }

  /** The smallest {@code model_info.max_output_tokens} of the model's group (0: none set). */
  private static long maxOutputTokens(List<ModelCatalog.Entry> group) {
    long max = 0;
    for (ModelCatalog.Entry e : group) {
      if (e.modelInfo().getValue("max_output_tokens") instanceof Number n && n.longValue() > 0) {
        max = max == 0 ? n.longValue() : Math.min(max, n.longValue());
      }
    }
    return max;
  }

  /** A token per 4 bytes of the request: what message_start says until the backend's count comes. */
  private static long estimateTokens(Buffer raw) {
    return raw == null ? 0 : raw.length() / 4;
  }

  /**
   * Pings while the backend is silent (Claude Code's idle watchdog gives up after minutes without a
   * byte): they go between whole events, since the translator only ever writes whole ones. A backend
   * still silent after {@link #PING_MS} (a long prompt on a CPU) gets the stream started for it, 200 and
   * {@code message_start}: from then on a failure is the stream's error event, and no other deployment
   * is tried for this request. Not when a deployment of the group answers natively ({@code mayStartStream}
   * false): its own message_start must be the first event.
   */
  private void keepAlive(RoutingContext ctx, MessagesShape shape, boolean mayStartStream) {
    long timer = vertx.setPeriodic(PING_MS / 2, id -> {
      HttpServerResponse resp = ctx.response();
      if (resp.ended() || resp.closed() || shape.stream().isDone() || shape.silentFor() < PING_MS
          || !resp.headWritten() && !mayStartStream) {
        return;
      }
      Buffer ping = shape.ping();
      if (ping == null) {
        return;
      }
      if (!resp.headWritten()) {
        resp.setStatusCode(200).setChunked(true).putHeader("content-type", "text/event-stream")
            .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
      }
      resp.write(ping);
      shape.pinged();
    });
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
  }
}
