package dev.switchboard.api;

import dev.switchboard.error.OpenAiError;
import dev.switchboard.responses.InputItems;
import dev.switchboard.responses.ResponseStoreClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The Responses API's calls on a stored response, answered from the store of the node that stored it
 * (docs/responses.md): {@code GET /v1/responses/{id}}, {@code DELETE}, {@code GET .../input_items} and
 * {@code POST .../cancel}, each also without {@code /v1}. An unknown id is OpenAI's 404.
 */
final class StoredResponsesRoutes {

  private final ResponseStoreClient store;

  StoredResponsesRoutes(ResponseStoreClient store) {
    this.store = store;
  }

  void mount(Router router, BodyHandler body) {
    for (String prefix : new String[] {"", "/v1"}) {
      router.get(prefix + "/responses/:id").handler(this::retrieve);
      router.delete(prefix + "/responses/:id").handler(this::delete);
      router.get(prefix + "/responses/:id/input_items").handler(this::inputItems);
      router.post(prefix + "/responses/:id/cancel").handler(body).handler(this::cancel);
    }
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

  private void inputItems(RoutingContext ctx) {
    store.get(ctx.pathParam("id"))
        .map(entry -> InputItems.list(entry, ctx.queryParams().get("limit"), ctx.queryParams().get("order"),
            ctx.queryParams().get("after")))
        .onSuccess(list -> Responses.json(ctx, 200, list))
        .onFailure(err -> Responses.error(ctx, Responses.of(err)));
  }

  /**
   * Only a background response can be cancelled, and there is no background mode here (a request with
   * {@code background: true} is refused): a stored response gets OpenAI's own answer for one that is
   * not, an unknown one a 404. A client stops a response in progress by closing its connection.
   */
  private void cancel(RoutingContext ctx) {
    store.get(ctx.pathParam("id"))
        .onSuccess(entry -> Responses.error(ctx, OpenAiError.badRequest("Cannot cancel a synchronous response.",
            null)))
        .onFailure(err -> Responses.error(ctx, Responses.of(err)));
  }
}
