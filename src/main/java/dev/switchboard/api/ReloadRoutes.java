package dev.switchboard.api;

import dev.switchboard.config.ConfigException;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code POST /config/reload} (master key): reloads config.yaml now and answers what changed,
 * {@code {"status":"reloaded"|"unchanged","added":[],"removed":[],"changed":[]}}, or 400 with the
 * validation error (its {@code param} is the YAML path) while the config in force stays.
 */
public final class ReloadRoutes {

  private ReloadRoutes() {
  }

  /** For {@link ApiContext#protectedRoutes()}; {@code reload} answers the body above or fails. */
  public static Consumer<Router> post(Supplier<Future<JsonObject>> reload) {
    return router -> router.post("/config/reload").handler(ctx -> {
      // The reload completes on the reloader's context; answer from this request's own event loop.
      Context here = Vertx.currentContext();
      reload.get().onComplete(ar -> here.runOnContext(v -> {
        if (ar.succeeded()) {
          Responses.json(ctx, 200, ar.result());
        } else {
          Responses.error(ctx, toError(ar.cause()));
        }
      }));
    });
  }

  private static OpenAiError toError(Throwable err) {
    if (err instanceof ConfigException ce) {
      return OpenAiError.badRequest("Invalid config; the running one stays in force: " + ce.getMessage(),
          ce.path().isEmpty() ? null : ce.path());
    }
    return OpenAiError.internal("Reload failed: " + err.getMessage());
  }
}
