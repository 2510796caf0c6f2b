package dev.switchboard.api;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.CallFailure;
import dev.switchboard.bus.CallHandle;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
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
 * read once here, in one pass that builds no tree ({@link RequestBody}); a backend that forwards it
 * gets the client's bytes with {@code model} replaced, not a tree encoded again.
 */
final class CompletionRoutes {

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
    RequestBody body;
    try {
      body = read(ctx.body().buffer());
    } catch (OpenAiError.Failure f) {
      fail(ctx, AnswerShape.OPENAI, f.error(), requestId, null, false, startedAt);
      return;
    }
    boolean stream = endpoint != Endpoint.EMBEDDINGS && isTrue(body.get("stream"));
    String pathModel = ctx.pathParam("model");
    Object model = pathModel != null ? pathModel : body.get("model");
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
      body = body.with("model", pathModel); // the client's bytes no longer say what the body does
    }
    dispatch(ctx, new Dispatch(endpoint, route, name, body, stream, AnswerShape.OPENAI, requestId, startedAt));
  }

  /**
   * A request ready to route: its OpenAI-shaped body (a front door's translation, or the client's own),
   * and the shape its answer is written in; {@code passThrough} for the
   * deployments that speak the front door's API themselves, {@code only} to route among those alone.
   */
  record Dispatch(Endpoint endpoint, String route, String model, RequestBody body, boolean stream,
                  AnswerShape shape, String requestId, long startedAt, Native passThrough,
                  Predicate<ModelCatalog.Entry> only) {

    Dispatch(Endpoint endpoint, String route, String model, RequestBody body, boolean stream,
             AnswerShape shape, String requestId, long startedAt) {
      this(endpoint, route, model, body, stream, shape, requestId, startedAt, null, null);
    }

    Dispatch(Endpoint endpoint, String route, String model, RequestBody body, boolean stream,
             AnswerShape shape, String requestId, long startedAt, Native passThrough) {
      this(endpoint, route, model, body, stream, shape, requestId, startedAt, passThrough, null);
    }
  }

  /**
   * A front door's request as its client sent it, for the deployments {@code serves} says speak that API
   * themselves: they get {@code body} on {@code endpoint}, answered in {@code shape}.
   */
  record Native(Endpoint endpoint, RequestBody body, AnswerShape shape,
                Predicate<ModelCatalog.Entry> serves) {
  }

  /** Plans the request's route and starts its first hop; an unknown model is a 400 in the request's own shape. */
  void dispatch(RoutingContext ctx, Dispatch request) {
    // One config version and one catalog index for the request's whole life.
    RouterSettings router = config.current().router();
    RequestRoute plan = RequestRoute.plan(request.model(), fallbacks(request.model(), request.body(), router), catalog.index(), router,
        stats, request.stream(), request.only());
    if (plan == null) {
      fail(ctx, request.shape(), OpenAiError.badRequest(request.route() + ": Invalid model name passed in model="
          + request.model() + ". Call `/v1/models` to view available models for your key.", "model"), request.requestId(),
          request.model(), request.stream(), request.startedAt());
      return;
    }
    new Attempts(ctx, request, plan).start();
  }

  /** Cancels every request still open with {@code error} (the shutdown grace ran out); returns how many. */
  int cancelAll(OpenAiError error) {
    List<Attempts> cancelled = new ArrayList<>(open);
    cancelled.forEach(a -> a.cancel(error));
    return cancelled.size();
  }

  /** Explicit fallbacks only: the request's {@code fallbacks}, else router_settings.fallbacks. Never implicit. */
  private static List<String> fallbacks(String model, RequestBody body, RouterSettings router) {
    if (body.get("fallbacks") instanceof JsonArray requested) {
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
   * error) wins. Each hop is counted in and out of its deployment's figures here, and only here; the
   * request is logged once, when it ends.
   */
  private final class Attempts {
    final RoutingContext ctx;
    final Dispatch request;
    final RequestRoute route;
    /** The hop under way: its call, its relay, its deployment's figures and when it started. */
    CallHandle call;
    ResponseRelay relay;
    RequestRoute.Hop hop;
    DeploymentStats.Deployment figures;
    long hopStartedAt;
    /** The hop under way left its deployment's figures already. */
    boolean hopCounted;
    boolean finished;

    Attempts(RoutingContext ctx, Dispatch request, RequestRoute route) {
      this.ctx = ctx;
      this.request = request;
      this.route = route;
      open.add(this);
      // Through the routing context, not the response's own (single) end and close handlers, which
      // would silence every other end handler (IdleClientConnections counts requests in flight by them).
      ctx.addEndHandler(ended -> {
        open.remove(this);
        if (ended.failed() && !finished && call != null) {
          // The connection closed (or failed) before the response ended: the backend stops too.
          call.cancel("client disconnected");
          finish(relay.clientGone());
        }
      });
    }

    void start() {
      attempt(route.first());
    }

    /** The shutdown grace ran out: the backend stops, the client gets {@code error}. */
    void cancel(OpenAiError error) {
      if (!finished && call != null) {
        call.cancel("shutdown grace ran out");
        finish(relay.cancel(error));
      }
    }

    private void attempt(RequestRoute.Hop planned) {
      ModelCatalog.Entry deployment = planned.deployment();
      ctx.response().putHeader("x-litellm-model-group", deployment.modelName());
      if (planned.fallbackIndex() > 0) {
        ctx.response().putHeader("x-litellm-attempted-fallbacks", String.valueOf(planned.fallbackIndex()));
      }
      if (route.retriesAttempted() > 0) {
        ctx.response().putHeader("x-litellm-attempted-retries", String.valueOf(route.retriesAttempted()));
      }
      figures = stats.of(deployment.id());
      figures.started();
      hop = planned;
      hopStartedAt = System.currentTimeMillis();
      hopCounted = false;
      boolean direct = request.passThrough() != null && request.passThrough().serves().test(deployment);
      Native asked = request.passThrough();
      relay = new ResponseRelay(ctx, request.stream(), request.requestId(), request.startedAt(),
          direct ? asked.shape() : request.shape());
      call = calls.call(deployment.address(), direct
          ? Call.of(request.requestId(), asked.endpoint(), planned.modelName(), asked.body(), request.stream(),
              request.startedAt())
          : Call.of(request.requestId(), request.endpoint(), planned.modelName(), request.body(), request.stream(),
              request.startedAt()));
      if (ctx.response().closed()) { // the client left while the route was planned
        call.cancel("client disconnected");
        finish(relay.clientGone());
        return;
      }
      RequestRoute.Hop current = hop;
      ResponseRelay currentRelay = relay;
      call.answer().onComplete(answered -> {
        if (finished || current != hop) {
          return; // the client left, or the shutdown ended the request
        }
        if (answered.succeeded()) {
          currentRelay.relay(answered.result()).onSuccess(this::finish);
        } else {
          failedBeforeHead(deployment, CallFailure.of(answered.cause()));
        }
      });
    }

    /** No answer from this hop: the route decides whether another one answers instead. */
    private void failedBeforeHead(ModelCatalog.Entry deployment, CallFailure failure) {
      OpenAiError error = failure.error();
      JsonObject accounting = failure.refused() ? refusedAccounting(deployment, failure) : failure.accounting();
      boolean reached = !accounting.getBoolean("unsent", false);
      hopEnded(error.status(), accounting);
      if (!reached && error.status() == 503) {
        figures.refused();
      }
      boolean replaced = false;
      if (!ctx.response().closed() && !ctx.response().headWritten()) {
        RequestRoute.Hop next = route.next(hop, error, reached);
        if (next != null) {
          attempt(next); // another deployment or an explicit fallback answers; this hop leaves no trace
          return;
        }
        OpenAiError answer = route.finalError();
        replaced = answer != error;
        error = answer;
      }
      finish(relay.error(error, accounting, replaced));
    }

    /** The request ended: its hop leaves its deployment's figures, and it is logged, once. */
    private void finish(ResponseRelay.Finished f) {
      if (finished) {
        return;
      }
      finished = true;
      open.remove(this);
      hopEnded(f.status(), f.accounting());
      String model = hop.modelName();
      // Logged and counted under the model the client asked for; a fallback that answered is named beside it.
      log.finished(ctx, request.requestId(), request.model(), model.equals(request.model()) ? null : model,
          request.endpoint(), request.stream(), f.status(), f.accounting(), request.startedAt());
    }

    /** A hop's end, in its deployment's figures (once per hop): in flight, latency and tokens for the strategies. */
    private void hopEnded(int status, JsonObject accounting) {
      if (hopCounted) {
        return;
      }
      hopCounted = true;
      figures.ended();
      int keep = config.current().router().latency().samples();
      if (status < 400 && accounting != null) {
        long ttft = accounting.getValue("ttft_ms") instanceof Number n ? n.longValue() : -1;
        long out = accounting.getValue("completion_tokens") instanceof Number n ? n.longValue() : 0;
        long in = accounting.getValue("prompt_tokens") instanceof Number n ? n.longValue() : 0;
        figures.answered(System.currentTimeMillis() - hopStartedAt, request.stream() ? ttft : -1, out, in + out, keep);
      } else if (status == 408) {
        figures.timedOut(keep);
      }
    }

    /**
     * A call turned away before its backend saw it: what the catalog knows stands in for its accounting,
     * and {@code unsent} tells the route that no backend did any work for it.
     */
    private JsonObject refusedAccounting(ModelCatalog.Entry e, CallFailure failure) {
      return failure.accounting().copy().put("provider", e.provider()).put("model_id", e.id())
          .put("api_base", e.publicParams().getValue("api_base"));
    }
  }

  void fail(RoutingContext ctx, AnswerShape shape, OpenAiError error, String requestId, String model,
                    boolean stream, long startedAt) {
    ctx.response().putHeader(CallId.HEADER, requestId);
    shape.error(ctx, error);
    log.rejected(ctx, requestId, model, stream, error, startedAt);
  }

  private static RequestBody read(Buffer raw) {
    if (raw == null || raw.length() == 0) {
      throw OpenAiError.badRequest("Invalid JSON payload: the request body is empty", null).asException();
    }
    RequestBody body;
    try {
      body = RequestBody.read(raw);
    } catch (DecodeException e) {
      throw OpenAiError.badRequest("Invalid JSON payload: " + firstLine(e.getMessage()), null).asException();
    }
    if (body == null) {
      throw OpenAiError.badRequest("Invalid JSON payload: expected a JSON object", null).asException();
    }
    return body;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "malformed JSON";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The parameters each endpoint cannot do without, checked before any backend sees the call. */
  private static OpenAiError validate(Endpoint endpoint, RequestBody body) {
    String route = endpoint.path();
    switch (endpoint) {
      case CHAT -> {
        if (!body.present("messages")) {
          return OpenAiError.badRequest(route + ": Missing required parameter: 'messages'.", "messages");
        }
        if (body.messageCount() <= 0) {
          return OpenAiError.badRequest(route + ": 'messages' must be a non-empty array of messages.", "messages");
        }
        int i = body.messageWithoutRole();
        if (i >= 0) {
          return OpenAiError.badRequest(route + ": messages[" + i + "] must be an object with a 'role'.", "messages");
        }
      }
      case COMPLETIONS -> {
        if (!body.present("prompt")) {
          return OpenAiError.badRequest(route + ": Missing required parameter: 'prompt'.", "prompt");
        }
      }
      case EMBEDDINGS -> {
        if (!body.present("input")) {
          return OpenAiError.badRequest(route + ": Missing required parameter: 'input'.", "input");
        }
      }
      default -> {
      }
    }
    Object stream = body.get("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      return OpenAiError.badRequest(route + ": 'stream' must be a boolean.", "stream");
    }
    return null;
  }

  private static boolean isTrue(Object v) {
    return Boolean.TRUE.equals(v);
  }
}
