package dev.switchboard.api;

import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.error.OpenAiError;
import dev.switchboard.responses.InputItems;
import dev.switchboard.responses.ResponseStoreClient;
import dev.switchboard.responses.ResponsesRequest;
import dev.switchboard.routing.ModelCatalog;
import dev.switchboard.routing.RequestRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
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
 * ({@link ResponsesShape}). {@code POST /v1/responses/input_tokens} estimates a request's size; the calls
 * on a stored response are {@link StoredResponsesRoutes}'.
 */
final class ResponsesRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(ResponsesRoutes.class);

  private final Vertx vertx;
  private final CompletionRoutes completions;
  private final ResponseStoreClient store;
  private final ModelCatalog catalog;
  private final ConfigHolder config;

  ResponsesRoutes(Vertx vertx, CompletionRoutes completions, ResponseStoreClient store, ModelCatalog catalog,
                  ConfigHolder config) {
    this.vertx = vertx;
    this.completions = completions;
    this.store = store;
    this.catalog = catalog;
    this.config = config;
  }

  void mount(Router router, BodyHandler body) {
    for (String prefix : new String[] {"", "/v1"}) {
      router.post(prefix + "/responses").handler(body).handler(this::create);
      router.post(prefix + "/responses/input_tokens").handler(body).handler(this::inputTokens);
    }
    new StoredResponsesRoutes(store).mount(router, body);
  }

  private void create(RoutingContext ctx) {
    long startedAt = System.currentTimeMillis();
    String requestId = CallId.of(ctx);
    JsonObject request = parse(ctx, requestId, startedAt);
    if (request == null) {
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
          CompletionRoutes.Native passThrough = passThrough(ctx, request, translated, model);
          if (stream && passThrough == null) {
            keepAlive(ctx, shape, requestId);
          }
          completions.dispatch(ctx, new CompletionRoutes.Dispatch(Endpoint.CHAT, "/responses", model,
              RequestBody.of(translated.chat()), stream, shape, requestId, startedAt, passThrough));
        })
        .onFailure(err -> reject(ctx, requestId, model, stream, Responses.of(err), startedAt));
  }

  /**
   * {@code {"object": "response.input_tokens", "input_tokens": N}}, as {@code /v1/messages/count_tokens}
   * counts: a stateless request (no {@code previous_response_id}) for a group with a deployment that
   * serves Responses itself is asked of it (llama-server counts with its own tokenizer); otherwise, or
   * when it cannot count, an estimate answered here: a token per 4 characters of the chat request the
   * Responses request translates to (its messages, with a {@code previous_response_id}'s conversation,
   * and its tools). {@code model} and {@code input} may be left out, as OpenAI allows.
   */
  private void inputTokens(RoutingContext ctx) {
    long startedAt = System.currentTimeMillis();
    String requestId = CallId.of(ctx);
    JsonObject request = parse(ctx, requestId, startedAt);
    if (request == null) {
      return;
    }
    JsonObject counted = request.copy().put("stream", false);
    if (!(counted.getValue("model") instanceof String)) {
      counted.put("model", "-");
    }
    history(request.getValue("previous_response_id"))
        .map(history -> {
          if (counted.getValue("input") == null && history == null) {
            counted.put("input", new JsonArray());
          }
          JsonObject chat = ResponsesRequest.translate(counted, history).chat();
          long chars = chat.getJsonArray("messages").encode().length()
              + (chat.getValue("tools") instanceof JsonArray tools ? tools.encode().length() : 0);
          return new JsonObject().put("object", "response.input_tokens").put("input_tokens", (chars + 3) / 4);
        })
        .onSuccess(estimate -> {
          String model = request.getValue("model") instanceof String m ? m : null;
          List<ModelCatalog.Entry> group = model == null || request.getValue("previous_response_id") != null ? null
              : RequestRoute.resolve(model, catalog.index(), config.current().router());
          if (group == null || group.stream().noneMatch(ModelCatalog.Entry::nativeResponses)) {
            ctx.response().putHeader(CallId.HEADER, requestId);
            Responses.json(ctx, 200, estimate);
            return;
          }
          completions.dispatch(ctx, new CompletionRoutes.Dispatch(Endpoint.INPUT_TOKENS, "/responses/input_tokens",
              model, RequestBody.of(request, ctx.body().buffer()), false, AnswerShape.countOr(estimate), requestId,
              startedAt, null, ModelCatalog.Entry::nativeResponses));
        })
        .onFailure(err -> reject(ctx, requestId, request.getValue("model") instanceof String m ? m : null, false,
            Responses.of(err), startedAt));
  }

  /** The body as a JSON object, or null once an error was answered. */
  private JsonObject parse(RoutingContext ctx, String requestId, long startedAt) {
    JsonObject request;
    try {
      request = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      reject(ctx, requestId, null, false, OpenAiError.badRequest("/responses: Invalid JSON payload: expected a JSON "
          + "object", null), startedAt);
      return null;
    }
    if (request == null) {
      reject(ctx, requestId, null, false, OpenAiError.badRequest("/responses: Invalid JSON payload: the request body "
          + "is empty", null), startedAt);
    }
    return request;
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
    return new CompletionRoutes.Native(Endpoint.RESPONSES, RequestBody.of(request, ctx.body().buffer()),
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

  /**
   * The conversation so far: the stored history, then this request's input as items, each with an id
   * (so that {@code input_items} can page through them).
   */
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
    return InputItems.withIds(history);
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

  /**
   * Keeps a stream alive while its backend is silent before its first token (a long prompt on a CPU):
   * after {@link MessagesRoutes#PING_MS} of silence the stream is started for it (200,
   * {@code response.created}, {@code response.in_progress}), then another {@code response.in_progress}
   * goes out every {@link MessagesRoutes#PING_MS} (Responses streams have no ping event; Codex's idle timer
   * counts events). From then on a failure is the stream's {@code response.failed}, and no other deployment
   * is tried for this request. Not when a deployment of the group may answer natively: its own
   * {@code response.created} must be the first event.
   */
  private void keepAlive(RoutingContext ctx, ResponsesShape shape, String requestId) {
    long timer = vertx.setPeriodic(MessagesRoutes.PING_MS / 2, id -> {
      HttpServerResponse resp = ctx.response();
      if (resp.ended() || resp.closed() || shape.silentFor() < MessagesRoutes.PING_MS) {
        return;
      }
      Buffer events = shape.keepAlive();
      if (events.length() == 0) {
        return;
      }
      if (!resp.headWritten()) {
        resp.setStatusCode(200).setChunked(true).putHeader("content-type", "text/event-stream")
            .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no")
            .putHeader(CallId.HEADER, requestId);
      }
      resp.write(events);
    });
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
  }

  /** Refused before any routing: OpenAI's error shape, logged and counted like any refused request. */
  private void reject(RoutingContext ctx, String requestId, String model, boolean stream, OpenAiError error,
                      long startedAt) {
    completions.fail(ctx, AnswerShape.OPENAI, error, requestId, model, stream, startedAt);
  }
}
