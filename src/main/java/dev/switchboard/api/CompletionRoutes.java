package dev.switchboard.api;

import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.impl.CallClient;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.RouterSettings;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.routing.DeploymentStats;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.routing.RequestRoute;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * POST /v1/chat/completions, /v1/completions, /v1/embeddings and their aliases: validates the body,
 * plans its route (dev.switchboard.routing) and hands each hop to a deployment's BackendVerticle over
 * the event bus. The body is
 * parsed once here; the backend gets the parsed object, and the client's bytes beside it for a
 * backend that forwards them (edited, not encoded again).
 */
final class CompletionRoutes {

  /** Bytes a backend may send ahead of the client's reading (docs/event-bus.md, credit). */
  static final int WINDOW = 64 * 1024;

  private final ModelCatalog catalog;
  private final CallClient calls;
  private final RequestLog log;
  private final ConfigHolder config;
  private final DeploymentStats stats;
  /** Requests not finished yet; confined to this verticle's event loop, like its HTTP server. */
  private final Set<Attempts> open = new HashSet<>();

  CompletionRoutes(ModelCatalog catalog, CallClient calls, RequestLog log, ConfigHolder config,
                   DeploymentStats stats) {
    this.catalog = catalog;
    this.calls = calls;
    this.log = log;
    this.config = config;
    this.stats = stats;
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
      fail(ctx, AnswerShape.OPENAI, f.error(), requestId, null, false, startedAt);
      return;
    }
    boolean stream = endpoint != Endpoint.EMBEDDINGS && isTrue(body.getValue("stream"));
    String pathModel = ctx.pathParam("model");
    Object model = pathModel != null ? pathModel : body.getValue("model");
    if (!(model instanceof String name) || name.isBlank()) {
      fail(ctx, AnswerShape.OPENAI, OpenAiError.badRequest(route + ": Missing required parameter: 'model'.", "model"),
          requestId, null, stream, startedAt);
      return;
    }
    OpenAiError invalid = validate(endpoint, body);
    if (invalid != null) {
      fail(ctx, AnswerShape.OPENAI, invalid, requestId, name, stream, startedAt);
      return;
    }
    if (pathModel != null) {
      body.put("model", pathModel);
      raw = null; // the bytes no longer say what the body does
    }
    dispatch(ctx, new Dispatch(endpoint, route, name, body, raw, stream, AnswerShape.OPENAI, requestId, startedAt));
  }

  /**
   * A request ready to route: its OpenAI-shaped body (a front door's translation, or the client's own
   * with {@code raw} its bytes), and the shape its answer is written in; {@code passThrough} for the
   * deployments that speak the front door's API themselves, {@code only} to route among those alone.
   */
  record Dispatch(Endpoint endpoint, String route, String model, JsonObject body, Buffer raw, boolean stream,
                  AnswerShape shape, String requestId, long startedAt, Native passThrough,
                  Predicate<ModelCatalog.Entry> only) {

    Dispatch(Endpoint endpoint, String route, String model, JsonObject body, Buffer raw, boolean stream,
             AnswerShape shape, String requestId, long startedAt) {
      this(endpoint, route, model, body, raw, stream, shape, requestId, startedAt, null, null);
    }

    Dispatch(Endpoint endpoint, String route, String model, JsonObject body, Buffer raw, boolean stream,
             AnswerShape shape, String requestId, long startedAt, Native passThrough) {
      this(endpoint, route, model, body, raw, stream, shape, requestId, startedAt, passThrough, null);
    }
  }

  /**
   * A front door's request as its client sent it, for the deployments {@code serves} says speak that API
   * themselves: they get {@code body} (and its bytes) on {@code endpoint}, answered in {@code shape}.
   */
  record Native(Endpoint endpoint, JsonObject body, Buffer raw, AnswerShape shape,
                Predicate<ModelCatalog.Entry> serves) {
  }

  /** Plans the request's route and starts its first hop; an unknown model is a 400 in the request's own shape. */
  void dispatch(RoutingContext ctx, Dispatch d) {
    // One config version and one catalog index for the request's whole life.
    RouterSettings router = config.current().router();
    RequestRoute plan = RequestRoute.plan(d.model(), fallbacks(d.model(), d.body(), router), catalog.index(), router,
        stats, d.stream(), d.only());
    if (plan == null) {
      fail(ctx, d.shape(), OpenAiError.badRequest(d.route() + ": Invalid model name passed in model="
          + d.model() + ". Call `/v1/models` to view available models for your key.", "model"), d.requestId(),
          d.model(), d.stream(), d.startedAt());
      return;
    }
    new Attempts(ctx, d, plan).start();
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
  private static List<String> fallbacks(String model, JsonObject body, RouterSettings router) {
    if (body.getValue("fallbacks") instanceof JsonArray requested) {
      List<String> out = new ArrayList<>();
      requested.forEach(f -> {
        if (f instanceof String s) {
          out.add(s);
        }
      });
      return out;
    }
    return router.fallbacks().getOrDefault(model, List.of());
  }

  /**
   * One request's hops, as its {@link RequestRoute} decides them; the first answer (or the route's final
   * error) wins. Each hop is counted in and out of its deployment's figures here, and only here.
   */
  private final class Attempts {
    final RoutingContext ctx;
    final Endpoint endpoint;
    final String requestId;
    final JsonObject body;
    final Buffer rawBody;
    final boolean stream;
    final long startedAt;
    final AnswerShape shape;
    final Native passThrough;
    final RequestRoute route;
    final String asked;
    ResponseRelay current;

    Attempts(RoutingContext ctx, Dispatch d, RequestRoute route) {
      this.ctx = ctx;
      this.endpoint = d.endpoint();
      this.requestId = d.requestId();
      this.body = d.body();
      this.rawBody = d.raw();
      this.stream = d.stream();
      this.startedAt = d.startedAt();
      this.shape = d.shape();
      this.passThrough = d.passThrough();
      this.route = route;
      this.asked = d.model();
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

    void start() {
      attempt(route.first());
    }

    private void attempt(RequestRoute.Hop hop) {
      ModelCatalog.Entry deployment = hop.deployment();
      ctx.response().putHeader("x-litellm-model-group", deployment.modelName());
      if (hop.fallbackIndex() > 0) {
        ctx.response().putHeader("x-litellm-attempted-fallbacks", String.valueOf(hop.fallbackIndex()));
      }
      if (route.retriesAttempted() > 0) {
        ctx.response().putHeader("x-litellm-attempted-retries", String.valueOf(route.retriesAttempted()));
      }
      DeploymentStats.Deployment figures = stats.of(deployment.id());
      figures.started();
      long hopStartedAt = System.currentTimeMillis();
      String model = hop.modelName();
      boolean direct = passThrough != null && passThrough.serves().test(deployment);
      boolean[] ended = new boolean[1];
      ResponseRelay relay = new ResponseRelay(ctx, stream, WINDOW, requestId, startedAt,
          direct ? passThrough.shape() : shape,
          (status, meta) -> {
            if (!ended[0]) {
              ended[0] = true;
              hopEnded(figures, hopStartedAt, status, meta);
            }
            // Logged and counted under the model the client asked for; a fallback that answered is named beside it.
            log.finished(ctx, requestId, asked, model.equals(asked) ? null : model, endpoint, stream, status, meta,
                startedAt);
          },
          (error, meta) -> {
            boolean reached = !meta.getBoolean("unsent", false);
            if (!ended[0]) {
              ended[0] = true;
              hopEnded(figures, hopStartedAt, error.status(), meta);
              if (!reached && error.status() == 503) {
                figures.refused();
              }
            }
            return tryNext(hop, error, reached);
          });
      current = relay;
      calls.call(deployment.address(), direct ? passThrough.endpoint() : endpoint, requestId, model,
              direct ? passThrough.body() : body, direct ? passThrough.raw() : rawBody, stream, WINDOW, startedAt, relay)
          .onSuccess(relay::accepted)
          .onFailure(err -> relay.onError(Responses.of(err), refusedMeta(deployment, Responses.of(err))));
    }

    /** A hop's end, in its deployment's figures: in flight, latency and tokens for the strategies. */
    private void hopEnded(DeploymentStats.Deployment figures, long hopStartedAt, int status, JsonObject meta) {
      figures.ended();
      int keep = config.current().router().latency().samples();
      if (status < 400 && meta != null) {
        long ttft = meta.getValue("ttft_ms") instanceof Number n ? n.longValue() : -1;
        long out = meta.getValue("completion_tokens") instanceof Number n ? n.longValue() : 0;
        long in = meta.getValue("prompt_tokens") instanceof Number n ? n.longValue() : 0;
        figures.answered(System.currentTimeMillis() - hopStartedAt, stream ? ttft : -1, out, in + out, keep);
      } else if (status == 408) {
        figures.timedOut(keep);
      }
    }

    /**
     * A call turned away before its backend saw it: what the catalog knows stands in for its accounting,
     * and {@code unsent} tells the route that no backend did any work for it.
     */
    private JsonObject refusedMeta(ModelCatalog.Entry e, OpenAiError error) {
      return new JsonObject().put("outcome", error.status() == 429 ? "rejected" : "error")
          .put("error_type", error.type()).put("unsent", true)
          .put("provider", e.provider()).put("model_id", e.id())
          .put("api_base", e.publicParams().getValue("api_base"));
    }

    /** A failure before any byte went out: the route decides whether another hop answers instead. */
    boolean tryNext(RequestRoute.Hop failed, OpenAiError error, boolean reachedBackend) {
      if (ctx.response().closed()) {
        return false;
      }
      RequestRoute.Hop next = route.next(failed, error, reachedBackend);
      if (next == null) {
        OpenAiError answer = route.finalError();
        if (answer != error) {
          current.replaceError(answer);
        }
        return false;
      }
      attempt(next);
      return true;
    }
  }

  void fail(RoutingContext ctx, AnswerShape shape, OpenAiError error, String requestId, String model,
                    boolean stream, long startedAt) {
    ctx.response().putHeader(CallId.HEADER, requestId);
    shape.error(ctx, error);
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
