package dev.switchboard.api;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.CallClient;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.OpenAiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * POST /v1/chat/completions, /v1/completions, /v1/embeddings and their aliases: validates the body,
 * finds the model, and hands the call to the model's BackendVerticle over the event bus. The body is
 * parsed once here; the backend gets the parsed object, and the client's bytes beside it for a
 * backend that forwards them (edited, not encoded again).
 */
final class CompletionRoutes {

  /** DATA frames a backend may send ahead of the client's reading. */
  static final int WINDOW = 32;

  private final ModelCatalog catalog;
  private final CallClient calls;
  private final RequestLog log;
  private final java.util.function.Function<String, List<String>> fallbackConfig;
  /** Requests not finished yet; confined to this verticle's event loop, like its HTTP server. */
  private final java.util.Set<Attempts> open = new java.util.HashSet<>();

  CompletionRoutes(ModelCatalog catalog, CallClient calls, RequestLog log,
                   java.util.function.Function<String, List<String>> fallbackConfig) {
    this.catalog = catalog;
    this.calls = calls;
    this.log = log;
    this.fallbackConfig = fallbackConfig;
  }

  void handle(RoutingContext ctx, Endpoint endpoint) {
    long startedAt = System.currentTimeMillis();
    String route = endpoint.path();
    String requestId = CallId.of(ctx);
    Buffer raw = ctx.body().buffer();
    JsonObject body;
    try {
      body = parse(raw);
    } catch (OpenAiError.Failure f) {
      fail(ctx, f.error(), requestId, null, false, startedAt);
      return;
    }
    boolean stream = endpoint != Endpoint.EMBEDDINGS && isTrue(body.getValue("stream"));
    String pathModel = ctx.pathParam("model");
    Object model = pathModel != null ? pathModel : body.getValue("model");
    if (!(model instanceof String name) || name.isBlank()) {
      fail(ctx, OpenAiError.badRequest(route + ": Missing required parameter: 'model'.", "model"), requestId,
          null, stream, startedAt);
      return;
    }
    OpenAiError invalid = validate(endpoint, body);
    if (invalid != null) {
      fail(ctx, invalid, requestId, name, stream, startedAt);
      return;
    }
    if (catalog.find(name).isEmpty()) {
      fail(ctx, OpenAiError.badRequest(route + ": Invalid model name passed in model=" + name
          + ". Call `/v1/models` to view available models for your key.", "model"), requestId, name, stream,
          startedAt);
      return;
    }
    if (pathModel != null) {
      body.put("model", pathModel);
      raw = null; // the bytes no longer say what the body does
    }
    List<String> chain = new ArrayList<>();
    chain.add(name);
    chain.addAll(fallbacks(name, body));
    new Attempts(ctx, endpoint, requestId, body, raw, stream, startedAt, chain).next();
  }

  /** Ends every request still open with {@code error} (the shutdown grace ran out); returns how many. */
  int cutAll(OpenAiError error) {
    List<Attempts> cut = new ArrayList<>(open);
    open.clear();
    cut.forEach(a -> {
      if (a.current != null) {
        a.current.cut(error);
      }
    });
    return cut.size();
  }

  /** Explicit fallbacks only: the request's {@code fallbacks}, else router_settings.fallbacks. Never implicit. */
  private List<String> fallbacks(String model, JsonObject body) {
    List<String> out = new ArrayList<>();
    if (body.getValue("fallbacks") instanceof JsonArray requested) {
      requested.forEach(f -> {
        if (f instanceof String s) {
          out.add(s);
        }
      });
      return out;
    }
    return fallbackConfig.apply(model);
  }

  /** One request's walk down its model and explicit fallbacks; the first answer (or last error) wins. */
  private final class Attempts {
    final RoutingContext ctx;
    final Endpoint endpoint;
    final String requestId;
    final JsonObject body;
    final Buffer rawBody;
    final boolean stream;
    final long startedAt;
    final List<String> chain;
    int index = -1;
    int sameModelRetries;
    ResponseRelay current;
    /** Why the previous model in the chain failed: what the client hears if no fallback answers. */
    OpenAiError lastError;

    Attempts(RoutingContext ctx, Endpoint endpoint, String requestId, JsonObject body, Buffer rawBody, boolean stream,
             long startedAt, List<String> chain) {
      this.ctx = ctx;
      this.endpoint = endpoint;
      this.requestId = requestId;
      this.body = body;
      this.rawBody = rawBody;
      this.stream = stream;
      this.startedAt = startedAt;
      this.chain = chain;
      open.add(this);
      // Through the routing context, not the response's own (single) end and close handlers, which
      // would silence every other end handler (IdleClientConnections counts requests in flight by them).
      ctx.addEndHandler(ended -> {
        open.remove(this);
        if (ended.failed() && current != null) {
          current.clientGone(); // the connection closed (or failed) before the response ended
        }
      });
    }

    void next() {
      index++;
      sameModelRetries = 0;
      String model = chain.get(index);
      if (index > 0) {
        ctx.response().putHeader("x-litellm-attempted-fallbacks", String.valueOf(index));
        if (catalog.find(model).isEmpty()) {
          current = null; // not a model: skipped, as LiteLLM does; the real failure stays the answer
          if (!tryNext(lastError)) {
            fail(ctx, lastError, requestId, chain.get(0), stream, startedAt);
          }
          return;
        }
      }
      attempt(model);
    }

    private void attempt(String model) {
      // Logged and counted under the model the client asked for; a fallback that answered is named beside it.
      String asked = chain.get(0);
      ResponseRelay relay = new ResponseRelay(ctx, stream, WINDOW, requestId, startedAt,
          (status, meta) -> log.finished(ctx, requestId, asked, model.equals(asked) ? null : model, endpoint, stream,
              status, meta, startedAt),
          this::tryNext);
      current = relay;
      calls.call(Addresses.backend(model), endpoint, requestId, model, body, rawBody, stream, WINDOW, startedAt,
          relay)
          .onSuccess(relay::accepted)
          .onFailure(err -> relay.onError(Responses.of(err), refusedMeta(model, Responses.of(err))));
    }

    /** A call the model's verticle refused (or that found none): what the catalog knows stands in for its accounting. */
    private JsonObject refusedMeta(String model, OpenAiError error) {
      JsonObject meta = new JsonObject().put("outcome", error.status() == 429 ? "rejected" : "error")
          .put("error_type", error.type());
      catalog.find(model).ifPresent(e -> meta.put("provider", e.provider()).put("model_id", e.id())
          .put("api_base", e.publicParams().getValue("api_base")));
      return meta;
    }

    /** A failure before any byte went out: try the next fallback if there is one and the error warrants it. */
    boolean tryNext(OpenAiError error) {
      // The same model on another cluster node first (LiteLLM retries within a model group the same
      // way): only for "unavailable" and "busy", which mean no generation was done for this call.
      String model = chain.get(index);
      if ((error.status() == 503 || error.status() == 429) && !ctx.response().closed()
          && sameModelRetries < catalog.find(model).map(e -> e.nodes().size()).orElse(1) - 1) {
        sameModelRetries++;
        attempt(model);
        return true;
      }
      boolean retryable = error.status() == 408 || error.status() == 429 || error.status() >= 500;
      if (!retryable || index + 1 >= chain.size() || ctx.response().closed()) {
        return false;
      }
      lastError = error;
      next();
      return true;
    }
  }

  private void fail(RoutingContext ctx, OpenAiError error, String requestId, String model, boolean stream,
                    long startedAt) {
    ctx.response().putHeader(CallId.HEADER, requestId);
    Responses.error(ctx, error);
    log.rejected(ctx, requestId, model, stream, error, startedAt);
  }

  private static JsonObject parse(Buffer raw) {
    if (raw == null || raw.length() == 0) {
      throw OpenAiError.badRequest("Invalid JSON payload: the request body is empty", null).asException();
    }
    Object parsed;
    try {
      parsed = raw.toJsonValue();
    } catch (DecodeException e) {
      throw OpenAiError.badRequest("Invalid JSON payload: " + firstLine(e.getMessage()), null).asException();
    }
    if (!(parsed instanceof JsonObject json)) {
      throw OpenAiError.badRequest("Invalid JSON payload: expected a JSON object", null).asException();
    }
    return json;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "malformed JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The parameters each endpoint cannot do without, checked before any backend sees the call. */
  private static OpenAiError validate(Endpoint endpoint, JsonObject body) {
    String route = endpoint.path();
    switch (endpoint) {
      case CHAT -> {
        Object messages = body.getValue("messages");
        if (messages == null) {
          return OpenAiError.badRequest(route + ": Missing required parameter: 'messages'.", "messages");
        }
        if (!(messages instanceof JsonArray list) || list.isEmpty()) {
          return OpenAiError.badRequest(route + ": 'messages' must be a non-empty array of messages.", "messages");
        }
        for (int i = 0; i < list.size(); i++) {
          if (!(list.getValue(i) instanceof JsonObject m) || !(m.getValue("role") instanceof String)) {
            return OpenAiError.badRequest(route + ": messages[" + i + "] must be an object with a 'role'.",
                "messages");
          }
        }
      }
      case COMPLETIONS -> {
        if (body.getValue("prompt") == null) {
          return OpenAiError.badRequest(route + ": Missing required parameter: 'prompt'.", "prompt");
        }
      }
      case EMBEDDINGS -> {
        if (body.getValue("input") == null) {
          return OpenAiError.badRequest(route + ": Missing required parameter: 'input'.", "input");
        }
      }
      default -> {
      }
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      return OpenAiError.badRequest(route + ": 'stream' must be a boolean.", "stream");
    }
    return null;
  }

  private static boolean isTrue(Object v) {
    return Boolean.TRUE.equals(v);
  }
}
