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

import java.util.UUID;

/**
 * POST /v1/chat/completions, /v1/completions, /v1/embeddings and their aliases: validates the body,
 * finds the model, and hands the call to the model's BackendVerticle over the event bus. The body is
 * parsed once here; the backend gets the parsed object, not the bytes.
 */
final class CompletionRoutes {

  /** DATA frames a backend may send ahead of the client's reading. */
  static final int WINDOW = 32;

  private final ModelCatalog catalog;
  private final CallClient calls;
  private final RequestLog log;

  CompletionRoutes(ModelCatalog catalog, CallClient calls, RequestLog log) {
    this.catalog = catalog;
    this.calls = calls;
    this.log = log;
  }

  void handle(RoutingContext ctx, Endpoint endpoint) {
    long startedAt = System.currentTimeMillis();
    String route = endpoint.path();
    String requestId = callId(ctx);
    JsonObject body;
    try {
      body = parse(ctx.body().buffer());
    } catch (OpenAiError.Failure f) {
      fail(ctx, f.error(), requestId, null, startedAt);
      return;
    }
    String pathModel = ctx.pathParam("model");
    Object model = pathModel != null ? pathModel : body.getValue("model");
    if (!(model instanceof String name) || name.isBlank()) {
      fail(ctx, OpenAiError.badRequest(route + ": Missing required parameter: 'model'.", "model"), requestId,
          null, startedAt);
      return;
    }
    OpenAiError invalid = validate(endpoint, body);
    if (invalid != null) {
      fail(ctx, invalid, requestId, name, startedAt);
      return;
    }
    if (catalog.find(name).isEmpty()) {
      fail(ctx, OpenAiError.badRequest(route + ": Invalid model name passed in model=" + name
          + ". Call `/v1/models` to view available models for your key.", "model"), requestId, name, startedAt);
      return;
    }
    if (pathModel != null) {
      body.put("model", pathModel);
    }
    boolean stream = endpoint != Endpoint.EMBEDDINGS && isTrue(body.getValue("stream"));
    ResponseRelay relay = new ResponseRelay(ctx, stream, WINDOW, requestId, startedAt,
        (status, meta) -> log.finished(ctx, requestId, name, endpoint, stream, status, meta, startedAt));
    ctx.response().closeHandler(v -> relay.clientGone());
    log.started(name);
    calls.call(Addresses.backend(name), endpoint, requestId, name, body, stream, WINDOW, startedAt, relay)
        .onSuccess(relay::accepted)
        .onFailure(err -> relay.onError(Responses.of(err), new JsonObject().put("outcome",
            Responses.of(err).status() == 429 ? "rejected" : "error")));
  }

  private void fail(RoutingContext ctx, OpenAiError error, String requestId, String model, long startedAt) {
    ctx.response().putHeader("x-litellm-call-id", requestId);
    Responses.error(ctx, error);
    log.rejected(ctx, requestId, model, error, startedAt);
  }

  private static String callId(RoutingContext ctx) {
    String given = ctx.request().getHeader("x-litellm-call-id");
    return given != null && !given.isBlank() && given.length() <= 128 ? given : UUID.randomUUID().toString();
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
