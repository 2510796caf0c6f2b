package dev.switchboard.backend.ollama;

import dev.switchboard.backend.ProbeResult;
import dev.switchboard.backend.Provider;
import dev.switchboard.backend.ResponseTranslator;
import dev.switchboard.backend.UpstreamRequest;
import dev.switchboard.bus.Call;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's native API behind OpenAI's: chat → {@code /api/chat}, legacy completions →
 * {@code /api/generate}, embeddings → {@code /api/embed}.
 *
 * <p>Both {@code ollama/} and {@code ollama_chat/} chat on /api/chat. LiteLLM sends {@code ollama/} chat
 * to /api/generate with the messages rendered through its own prompt template, which loses the roles
 * the model's template expects and the tools (it emulates them by JSON prompting, and never rebuilds
 * them while streaming); /api/chat applies the model's own template and takes tools natively.
 *
 * <p>{@code stream} is always sent explicitly: Ollama streams unless told {@code false}.
 * {@code api_base} is the bare server (the loader removes a {@code /v1} slip, with a warning).
 */
public final class OllamaProvider implements Provider {

  @Override
  public UpstreamRequest toUpstream(Call call, ModelDeployment deployment) {
    JsonObject req = call.body().json();
    String path;
    JsonObject body;
    switch (call.endpoint()) {
      case CHAT -> {
        path = "/api/chat";
        body = OllamaChatRequest.of(req, deployment, call.stream());
      }
      case COMPLETIONS -> {
        path = "/api/generate";
        body = OllamaGenerateRequest.of(req, deployment, call.stream());
      }
      case EMBEDDINGS -> {
        path = "/api/embed";
        body = OllamaEmbed.request(req, deployment);
      }
      default -> throw new IllegalStateException("endpoint " + call.endpoint());
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set("content-type", "application/json")
        .set("accept", call.stream() ? "application/x-ndjson" : "application/json");
    if (deployment.apiKey() != null && !deployment.apiKey().isEmpty()) {
      headers.set("authorization", "Bearer " + deployment.apiKey()); // Ollama behind an authenticating proxy
    }
    deployment.extraHeaders().forEach(headers::set);
    return new UpstreamRequest(HttpMethod.POST, base(deployment.apiBase()) + path, headers, body.toBuffer());
  }

  @Override
  public ResponseTranslator translator(Call call, ModelDeployment deployment) {
    return switch (call.endpoint()) {
      case CHAT -> call.stream() ? new OllamaChatStreamTranslator(call, deployment)
          : new OllamaChatTranslator(call, deployment);
      case COMPLETIONS -> call.stream()
          ? new OllamaGenerateStreamTranslator(call, deployment) : new OllamaGenerateTranslator(call, deployment);
      case EMBEDDINGS -> new OllamaEmbed(call, deployment);
      // Never routed here: only a deployment that says it speaks Messages gets them (ModelCatalog.Entry).
      case MESSAGES, COUNT_TOKENS ->
          throw new IllegalStateException("an Ollama deployment is not asked for native Messages");
      case RESPONSES, INPUT_TOKENS ->
          throw new IllegalStateException("an Ollama deployment is not asked for native Responses");
    };
  }

  @Override
  public OpenAiError translateError(int status, MultiMap headers, Buffer body, ModelDeployment deployment) {
    return OllamaErrors.fromStatus(status, body, deployment);
  }

  private static String base(String apiBase) {
    return apiBase.endsWith("/") ? apiBase.substring(0, apiBase.length() - 1) : apiBase;
  }

  @Override
  public String probeUrl(ModelDeployment deployment) {
    return deployment.apiBase() + "/api/tags";
  }

  /** {@code /api/tags} lists the models pulled; a model named without a tag is {@code :latest}. */
  @Override
  public ProbeResult readProbe(ModelDeployment deployment, Buffer body) {
    if (deployment.isWildcard()) {
      return new ProbeResult(true, "ok (a wildcard entry: the server answered its model list)");
    }
    List<String> pulled = new ArrayList<>();
    try {
      JsonArray models = new JsonObject(body).getJsonArray("models", new JsonArray());
      for (int i = 0; i < models.size(); i++) {
        pulled.add(models.getJsonObject(i).getString("name", models.getJsonObject(i).getString("model", "")));
      }
    } catch (RuntimeException notTheUsualShape) {
      return new ProbeResult(true, "ok (unrecognised model list)");
    }
    String model = deployment.backendModel();
    String want = model.contains(":") ? model : model + ":latest";
    return pulled.contains(want) || pulled.contains(deployment.backendModel()) ? new ProbeResult(true, "ok")
        : new ProbeResult(false, "Ollama is up but model '" + model + "' is not pulled (ollama pull "
            + deployment.backendModel() + ")");
  }
}
