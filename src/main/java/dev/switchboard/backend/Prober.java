package dev.switchboard.backend;

import dev.switchboard.config.ModelDeployment;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * A cheap liveness probe, never a generation (LiteLLM's health checks are billed completions that time
 * out on reasoning models): the provider names the URL ({@link Provider#probeUrl}) and reads the answer
 * ({@link Provider#readProbe}); {@code model_info.health_check_url} overrides the URL (any 2xx is up).
 * A Web Client of its own with one connection, so that a pool full of long generations cannot make a
 * healthy backend look dead.
 */
final class Prober {

  private final WebClient client;
  private final Provider provider;
  private final ModelDeployment deployment;

  Prober(Vertx vertx, Provider provider, ModelDeployment deployment) {
    this.provider = provider;
    this.deployment = deployment;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setKeepAliveTimeout(2)
        .setName("probe-" + deployment.modelName()), new PoolOptions().setHttp1MaxSize(1));
  }

  Future<ProbeResult> probe(long timeoutMs) {
    String custom = deployment.modelInfo().getValue("health_check_url") instanceof String s ? s : null;
    String url = custom != null ? custom : provider.probeUrl(deployment);
    HttpRequest<?> request = client.getAbs(url).timeout(timeoutMs);
    if (deployment.apiKey() != null && !deployment.apiKey().isEmpty()) {
      request.bearerTokenAuthentication(deployment.apiKey());
    }
    return request.send().map(resp -> {
      if (resp.statusCode() / 100 != 2) {
        return new ProbeResult(false, "probe " + url + " answered HTTP " + resp.statusCode());
      }
      return custom != null ? new ProbeResult(true, "probe answered HTTP " + resp.statusCode())
          : provider.readProbe(deployment, resp.bodyAsBuffer());
    }).otherwise(err -> new ProbeResult(false, describe(err), err instanceof TimeoutException));
  }

  static String describe(Throwable t) {
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof TimeoutException) {
      return "no answer in time (" + m + ")";
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) {
        return "connection refused";
      }
    }
    return m;
  }
}
