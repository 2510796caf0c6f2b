package dev.switchboard.api;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.impl.CallClient;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.SwitchboardSettings;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.responses.ResponseStoreClient;
import dev.switchboard.routing.ModelCatalog;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP edge: parses, authenticates and validates each request, then hands model calls to the
 * model's BackendVerticle over the event bus. Deployed once per event loop, all on one port. Holds no
 * backend client and no model state: only its own stream endpoint.
 */
public final class ApiVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

  private final ApiContext api;
  /** How long past the shutdown grace the connections of cancelled requests have to write their error. */
  private static final long ERROR_FLUSH_MS = 1_000;

  private CallClient calls;
  private CompletionRoutes completions;
  private IdleClientConnections idle;
  private HttpServer server;

  public ApiVerticle(ApiContext api) {
    this.api = api;
  }

  @Override
  public Future<?> start() {
    SwitchboardSettings s = api.config().current().switchboard();
    calls = new CallClient(vertx, s.ackTimeout(), s.keepaliveInterval(), s.streamPeerTimeout(),
        address -> nodesServing(address));
    idle = new IdleClientConnections(vertx, () -> api.config().current().switchboard().clientIdleTimeout());
    Router router = router(s);
    server = vertx.createHttpServer(new HttpServerOptions()
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        // HTTP/1.1 only: what OpenAI clients speak; h2c upgrades gain nothing for one request per
        // stream and JDK 17's client fails in-flight h2 streams on the GOAWAY of a graceful shutdown.
        .setHttp2ClearTextEnabled(false)
        // No idle timeout: it would cut a stream whose backend is silent; IdleClientConnections instead.
        .setIdleTimeout(0));
    idle.start();
    return calls.start().compose(v -> server.connectionHandler(idle::opened).requestHandler(router)
        .invalidRequestHandler(new InvalidRequests())
        .listen(api.port(), api.host()));
  }

  /**
   * Graceful: stop accepting connections, let requests in flight (streams included) finish within the
   * shutdown grace, then end what is left with an error that says so, and log how much that was.
   */
  @Override
  public Future<?> stop() {
    long grace = api.config().current().switchboard().shutdownGrace().toMillis();
    long graceTimer = vertx.setTimer(Math.max(1, grace), id -> {
      int cancelled = completions.cancelAll(OpenAiError.unavailable("Switchboard is shutting down, and this request "
          + "did not finish within switchboard_settings.shutdown_grace (" + grace / 1000 + " s): it was cancelled"));
      if (cancelled > 0) {
        LOG.warn("Shutdown grace ({} ms) ran out: {} request(s) in flight were cancelled", grace, cancelled);
      }
    });
    // The connections get a moment past the grace to flush the errors of the requests cancelled above.
    return server.shutdown(grace + ERROR_FLUSH_MS, TimeUnit.MILLISECONDS)
        .recover(err -> Future.succeededFuture())
        .compose(v -> {
          vertx.cancelTimer(graceTimer);
          idle.stop();
          return calls.stop();
        });
  }

  /** How many nodes consume a deployment's address (one single-node). */
  private int nodesServing(String address) {
    ModelCatalog.Entry e = api.catalog().index().byId(address.substring(Addresses.BACKEND_PREFIX.length()));
    return e == null ? 1 : Math.max(1, e.nodes().size());
  }

  /** The port actually bound (useful when asked for port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private Router router(SwitchboardSettings s) {
    Router router = Router.router(vertx);
    ConfigHolder config = api.config();
    HealthRoutes health = new HealthRoutes(config, api.cluster());
    ModelRoutes models = new ModelRoutes(api.catalog(), config);
    completions = new CompletionRoutes(api.catalog(), calls, api.requestLog(), config, api.stats());
    Auth auth = new Auth(config, api.requestLog());

    // First: a request is in flight from here until its response ends (every route, errors included).
    router.route().handler(idle::requestBegins);

    // Browsers: LiteLLM's proxy answers CORS for every origin (Starlette's CORSMiddleware, origins "*", any
    // method and header), so a web UI that calls it from its own page works; so must Switchboard. Without
    // credentials, as LiteLLM since 1.8x: "*" with credentials would let any site make credentialed calls.
    // Preflights are answered here, before auth: a browser sends them without the key.
    router.route().handler(CorsHandler.create().maxAgeSeconds(600)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE, HttpMethod.HEAD, HttpMethod.OPTIONS)));

    // Public, like LiteLLM's: probes must not need the key (uptime checkers send HEAD, browsers OPTIONS).
    for (String path : new String[] {"/health/liveliness", "/health/liveness", "/health/readiness"}) {
      Handler<RoutingContext> h = path.endsWith("readiness") ? health::readiness : health::liveliness;
      router.get(path).handler(h);
      router.head(path).handler(h);
      router.options(path).handler(ctx -> ctx.response().putHeader("allow", "GET, HEAD, OPTIONS").end());
    }
    api.publicRoutes().forEach(r -> r.accept(router));

    router.route().handler(auth);
    // Not router.post(): a path-less route for one method would make every unknown path a 405.
    router.route().handler(ctx -> {
      if (ctx.request().method() == HttpMethod.POST) {
        bodyIsJson(ctx);
      } else {
        ctx.next();
      }
    });
    api.protectedRoutes().forEach(r -> r.accept(router));
    for (String prefix : new String[] {"", "/v1"}) {
      router.get(prefix + "/models").handler(models::list);
      router.getWithRegex(prefix.replace("/", "\\/") + "\\/models\\/.+").handler(models::one);
      router.get(prefix + "/model/info").handler(models::info);
    }

    // The body's buffer starts at its Content-Length (Vert.x caps that at 64 KB), not at 1 KB: an agent's
    // 100 KB context would otherwise be copied through seven doublings on its way in.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(s.maxBodyBytes()).setPreallocateBodyBuffer(true);
    route(router, body, completions, Endpoint.CHAT, "/chat/completions");
    route(router, body, completions, Endpoint.COMPLETIONS, "/completions");
    route(router, body, completions, Endpoint.EMBEDDINGS, "/embeddings");
    MessagesRoutes messages = new MessagesRoutes(vertx, completions, api.catalog(), config);
    for (String prefix : new String[] {"", "/v1"}) {
      router.post(prefix + "/messages").handler(body).handler(messages::messages);
      router.post(prefix + "/messages/count_tokens").handler(body).handler(messages::countTokens);
    }
    new ResponsesRoutes(vertx, completions, new ResponseStoreClient(vertx, ResponseStoreClient.keyOf(api.nodeId())),
        api.catalog(), config).mount(router, body);

    // No catch-all route: the router itself then tells an unknown path (404) from a known one asked
    // with the wrong method (405, as LiteLLM's FastAPI answers a GET on /v1/chat/completions).
    router.errorHandler(404, ctx -> {
      api.requestLog().unserved(ctx, 404);
      Responses.error(ctx, new OpenAiError(404,
          "Not found: " + ctx.request().method() + " " + ctx.request().path(), "invalid_request_error", null));
    });
    router.errorHandler(413, ctx -> Responses.error(ctx, new OpenAiError(413, "Request body is larger than "
        + s.maxBodyBytes() + " bytes (switchboard_settings.max_body_size_mb)", "invalid_request_error", null)));
    router.errorHandler(403, ctx -> Responses.error(ctx, new OpenAiError(403, "CORS rejected: invalid Origin header "
        + ctx.request().getHeader("origin"), "invalid_request_error", null)));
    router.errorHandler(405, ctx -> {
      api.requestLog().unserved(ctx, 405);
      Responses.error(ctx, new OpenAiError(405, "Method not allowed: "
          + ctx.request().method() + " " + ctx.request().path(), "invalid_request_error", null));
    });
    // Vert.x's own 400s (a path with a broken %-escape, ...): our shape, and no stack trace in the log.
    router.errorHandler(400, ctx -> Responses.error(ctx, OpenAiError.badRequest("Malformed request: "
        + ctx.request().method() + " " + ctx.request().uri(), null)));
    router.errorHandler(500, this::internalError);
    return router;
  }

  /** The OpenAI path, LiteLLM's Azure-style and engines aliases, with and without /v1. */
  private static void route(Router router, BodyHandler body, CompletionRoutes completions, Endpoint endpoint,
                            String path) {
    Handler<RoutingContext> h = ctx -> completions.handle(ctx, endpoint);
    for (String p : new String[] {"/v1" + path, path, "/openai/deployments/:model" + path,
        "/engines/:model" + path, "/v1/openai/deployments/:model" + path, "/v1/engines/:model" + path}) {
      router.post(p).handler(body).handler(h);
    }
  }

  /**
   * The body is JSON whatever its label, as LiteLLM reads it: {@code curl -d} without a Content-Type
   * says form-urlencoded. Left so, BodyHandler would have it decoded as a form, whose limits answer a
   * plain-text 400 for anything above 1 KB.
   */
  private static void bodyIsJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    if (type != null && !type.regionMatches(true, 0, "application/json", 0, 16)) {
      ctx.request().headers().set("content-type", "application/json");
    }
    ctx.next();
  }

  private void internalError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof OpenAiError.Failure f) {
      Responses.error(ctx, f.error());
      return;
    }
    LOG.error("Unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
    Responses.error(ctx, OpenAiError.internal("Internal error in Switchboard (logged): "
        + (failure == null ? "unknown" : failure.getClass().getSimpleName())));
  }
}
