package dev.switchboard.backend;

import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.ProviderKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A cheap liveness probe per backend kind, never a generation (LiteLLM's health checks are billed
 * completions that time out on reasoning models): OpenAI-compatible servers get {@code GET /v1/models},
 * Ollama {@code GET /api/tags}; {@code model_info.health_check_url} overrides the URL (any 2xx is up).
 * A server that answers but lacks the model says so. Uses its own one-connection client so a pool
 * full of long generations cannot make a healthy backend look dead.
 */
final class Prober {

  /** Result of one probe; {@code noAnswer}: the backend took the probe but did not answer in time. */
  record Result(boolean healthy, String reason, boolean noAnswer) {
    Result(boolean healthy, String reason) {
      this(healthy, reason, false);
    }
  }

  private final HttpClient client;
  private final ModelDeployment d;

  Prober(Vertx vertx, ModelDeployment d) {
    this.d = d;
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(2)
        .setName("probe-" + d.modelName()), new PoolOptions().setHttp1MaxSize(1));
  }

  Future<Result> probe(long timeoutMs) {
    String custom = d.modelInfo().getValue("health_check_url") instanceof String s ? s : null;
    String url = custom != null ? custom : switch (d.kind()) {
      case OLLAMA -> d.apiBase() + "/api/tags";
      default -> OpenAiCompatibleProvider.baseUrl(d.apiBase()) + "/models";
    };
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setTimeout(timeoutMs);
    if (d.apiKey() != null && !d.apiKey().isEmpty()) {
      o.putHeader("authorization", "Bearer " + d.apiKey());
    }
    return client.request(o)
        .compose(req -> req.send().compose(resp -> resp.body().map(body -> {
          if (resp.statusCode() / 100 != 2) {
            return new Result(false, "probe " + url + " answered HTTP " + resp.statusCode());
          }
          return custom != null ? new Result(true, "probe answered HTTP " + resp.statusCode()) : checkModel(body);
        })))
        .otherwise(err -> new Result(false, describe(err), err instanceof java.util.concurrent.TimeoutException));
  }

  private Result checkModel(Buffer body) {
    if (d.isWildcard()) {
      return new Result(true, "ok (a wildcard entry: the server answered its model list)");
    }
    List<String> served = new ArrayList<>();
    try {
      JsonObject json = new JsonObject(body);
      if (d.kind() == ProviderKind.OLLAMA) {
        JsonArray models = json.getJsonArray("models", new JsonArray());
        for (int i = 0; i < models.size(); i++) {
          served.add(models.getJsonObject(i).getString("name", models.getJsonObject(i).getString("model", "")));
        }
        String want = d.backendModel().contains(":") ? d.backendModel() : d.backendModel() + ":latest";
        return served.contains(want) || served.contains(d.backendModel()) ? new Result(true, "ok")
            : new Result(false, "Ollama is up but model '" + d.backendModel() + "' is not pulled (ollama pull "
                + d.backendModel() + ")");
      }
      JsonArray data = json.getJsonArray("data", new JsonArray());
      for (int i = 0; i < data.size(); i++) {
        served.add(data.getJsonObject(i).getString("id", ""));
      }
    } catch (RuntimeException notTheUsualShape) {
      return new Result(true, "ok (unrecognised model list)");
    }
    // llama-server lists its one model under a file name or alias, and ignores the request's model;
    // only a server listing several models (vLLM, LM Studio) tells us ours is missing.
    if (served.size() <= 1 || served.contains(d.backendModel())) {
      return new Result(true, "ok");
    }
    return new Result(false, "server is up but does not serve model '" + d.backendModel() + "' (it serves: "
        + String.join(", ", served) + ")");
  }

  static String describe(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof java.util.concurrent.TimeoutException) {
      return "no answer in time (" + m + ")";
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException) {
        return "connection refused";
      }
    }
    return m;
  }
}
