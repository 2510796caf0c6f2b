package dev.switchboard.api;

import dev.switchboard.bus.Endpoint;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.responses.ResponseStoreClient;
import dev.switchboard.responses.ResponsesRequest;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.routing.RequestRoute;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * OpenAI's Responses API (Codex CLI, newer SDKs, agent frameworks): {@code POST /v1/responses} is
 * translated to chat completions (dev.switchboard.responses) and dispatched through the same router,
 * limits, cancellation and metrics as {@code /v1/chat/completions}; its answer is reshaped on the way out
 * ({@link ResponsesShape}). {@code GET} and {@code DELETE /v1/responses/{id}} read the node's store.
 */
final class ResponsesRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ResponsesRoutes.class);

  private final CompletionRoutes completions;
  private final ResponseStoreClient store;
  private final ModelCatalog catalog;
  private final ConfigHolder config;

  ResponsesRoutes(CompletionRoutes completions, ResponseStoreClient store, ModelCatalog catalog, ConfigHolder config) {
    this.completions = completions;
    this.store = store;
    this.catalog = catalog;
    this.config = config;
  }

  void mount(Router router, BodyHandler body) {
    for (String prefix : new String[] {"", "/v1"}) {
      router.post(prefix + "/responses").handler(body).handler(this::create);
      router.get(prefix + "/responses/:id").handler(this::retrieve);
      router.delete(prefix + "/responses/:id").handler(this::delete);
    }
  }

  private void create(RoutingContext ctx) {
    long startedAt = System.currentTimeMillis();
    String requestId = CallId.of(ctx);
    JsonObject request;
    try {
      request = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      reject(ctx, requestId, null, false, OpenAiError.badRequest("/responses: Invalid JSON payload: expected a JSON "
          + "object", null), startedAt);
      return;
    }
    if (request == null) {
      reject(ctx, requestId, null, false, OpenAiError.badRequest("/responses: Invalid JSON payload: the request body "
          + "is empty", null), startedAt);
      return;
    }
    boolean stream = Boolean.TRUE.equals(request.getValue("stream"));
    String model = request.getValue("model") instanceof String m ? m : null;
    history(request.getValue("previous_response_id"))
        .map(history -> ResponsesRequest.translate(request, history))
        .onSuccess(translated -> {
          String id = store.newId();
          JsonArray history = inputHistory(request, translated);
          boolean keep = translated.echo().getBoolean("store");
          ResponsesShape shape = new ResponsesShape(id, model, translated, stream,
              response -> remember(keep, id, response, history));
          completions.dispatch(ctx, new CompletionRoutes.Dispatch(Endpoint.CHAT, "/responses", model, translated.chat(), null,
              stream, shape, requestId, startedAt, passThrough(ctx, request, translated, model)));
        })
        .onFailure(err -> reject(ctx, requestId, model, stream, Responses.of(err), startedAt));
  }

  /**
   * A stateless request ({@code store: false}, no {@code previous_response_id}: Codex's) goes as it came to
   * the deployments of its group that serve Responses themselves; the others get the translation. A
   * request that needs the store is always translated, since only a translated answer is stored here.
   */
  private CompletionRoutes.Native passThrough(RoutingContext ctx, JsonObject request, ResponsesRequest translated,
                                              String model) {
    if (translated.echo().getBoolean("store") || translated.history() != null) {
      return null;
    }
    List<ModelCatalog.Entry> group = RequestRoute.resolve(model, catalog.index(), config.current().router());
    if (group == null || group.stream().noneMatch(ModelCatalog.Entry::nativeResponses)) {
      return null;
    }
    return new CompletionRoutes.Native(Endpoint.RESPONSES, request, ctx.body().buffer(),
        ResponsesShape.passThrough(model, translated), ModelCatalog.Entry::nativeResponses);
  }

  /** The stored conversation {@code previous_response_id} names (null without one); a 400 when it is gone. */
  private Future<JsonArray> history(Object previousId) {
    if (previousId == null) {
      return Future.succeededFuture(null);
    }
    if (!(previousId instanceof String id)) {
      return Future.failedFuture(OpenAiError.badRequest("/responses: 'previous_response_id' must be a string.",
          "previous_response_id").asException());
    }
    return store.get(id).map(entry -> entry.getJsonArray("history")).recover(err -> {
      OpenAiError e = Responses.of(err);
      return Future.failedFuture(e.status() == 404
          ? OpenAiError.badRequest("/responses: Previous response with id '" + id + "' not found: " + e.message(),
              "previous_response_id").asException()
          : err);
    });
  }

  /** The conversation so far: the stored history, then this request's input as items. */
  private static JsonArray inputHistory(JsonObject request, ResponsesRequest translated) {
    if (!translated.echo().getBoolean("store")) {
      return null;
    }
    JsonArray history = new JsonArray();
    if (translated.history() != null) {
      history.addAll(translated.history());
    }
    Object input = request.getValue("input");
    if (input instanceof String text) {
      history.add(new JsonObject().put("type", "message").put("role", "user").put("content", text));
    } else if (input instanceof JsonArray items) {
      history.addAll(items);
    }
    return history;
  }

  /** Stores a finished response with the conversation it ends, unless the request said {@code store: false}. */
  private void remember(boolean keep, String id, JsonObject response, JsonArray history) {
    if (!keep) {
      return;
    }
    JsonArray all = history.copy().addAll(response.getJsonArray("output", new JsonArray()));
    store.put(id, new JsonObject().put("response", response).put("history", all))
        .onFailure(err -> LOG.warn("Response {} could not be stored: {}", id, err.getMessage()));
  }

  private void retrieve(RoutingContext ctx) {
    store.get(ctx.pathParam("id"))
        .onSuccess(entry -> Responses.json(ctx, 200, entry.getJsonObject("response")))
        .onFailure(err -> Responses.error(ctx, Responses.of(err)));
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.delete(id)
        .onSuccess(v -> Responses.json(ctx, 200, new JsonObject().put("id", id).put("object", "response")
            .put("deleted", true)))
        .onFailure(err -> Responses.error(ctx, Responses.of(err)));
  }

  /** Refused before any routing: OpenAI's error shape, logged and counted like any refused request. */
  private void reject(RoutingContext ctx, String requestId, String model, boolean stream, OpenAiError error,
                      long startedAt) {
    completions.fail(ctx, AnswerShape.OPENAI, error, requestId, model, stream, startedAt);
  }
}
