package dev.switchboard.backend;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.error.OpenAiError;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backends that already speak OpenAI's API (llama.cpp's llama-server, vLLM, LM Studio, OpenAI itself):
 * the body goes through unchanged but for {@code model}, and the answer comes back re-stamped with the
 * client's model name.
 *
 * <p>Where the path goes: like LiteLLM (the OpenAI SDK's {@code base_url}), the endpoint path is
 * appended to {@code api_base}: {@code http://h:8000/v1} → {@code http://h:8000/v1/chat/completions}.
 * An {@code api_base} with no path at all ({@code http://h:8000}) gets {@code /v1}, since every
 * OpenAI-compatible server serves there and LiteLLM would answer 404 for that common slip.
 */
public final class OpenAiCompatibleProvider implements Provider {

  /** LiteLLM's own request keys: meaningful to the proxy, never sent to a backend (LiteLLM strips them too). */
  static final Set<String> PROXY_ONLY_KEYS = Set.of(
      "fallbacks", "num_retries", "mock_response", "timeout", "stream_timeout", "metadata",
      "litellm_metadata", "api_base", "api_key", "drop_params", "caching", "context_window_fallbacks",
      "content_policy_fallbacks", "allowed_openai_params", "tags");

  /** The Messages API version a native Messages backend is asked for. */
  static final String ANTHROPIC_VERSION = "2023-06-01";

  private static final Map<String, String> BASE_URLS = new ConcurrentHashMap<>();

  @Override
  public UpstreamRequest toUpstream(Call call, ModelDeployment deployment) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set("content-type", "application/json")
        .set("accept", call.stream() ? "text/event-stream" : "application/json");
    if (deployment.apiKey() != null && !deployment.apiKey().isEmpty()) {
      headers.set("authorization", "Bearer " + deployment.apiKey());
    }
    if (call.endpoint() == Endpoint.MESSAGES || call.endpoint() == Endpoint.COUNT_TOKENS) {
      headers.set("anthropic-version", ANTHROPIC_VERSION);
      if (deployment.apiKey() != null && !deployment.apiKey().isEmpty()) {
        headers.set("x-api-key", deployment.apiKey());
      }
    }
    deployment.extraHeaders().forEach(headers::set);
    return new UpstreamRequest(HttpMethod.POST, baseUrl(deployment.apiBase()) + call.endpoint().path(), headers,
        upstreamBody(call, deployment.backendModel()));
  }

  /**
   * The client's body with the backend's model name and without the proxy's own keys. When the call
   * carries the client's bytes and there is nothing to drop (the usual case), those bytes with the
   * {@code model} value replaced where the body's one pass found it, if that is safe
   * ({@link RequestBody#withModel}): building the tree and encoding it again costs microseconds per
   * KB, and an agent's context runs to hundreds of KB.
   */
  static Buffer upstreamBody(Call call, String backendModel) {
    RequestBody body = call.body();
    if (PROXY_ONLY_KEYS.stream().noneMatch(body::has)) {
      Buffer edited = body.withModel(backendModel);
      if (edited != null) {
        return edited;
      }
    }
    return shallowCopyWithout(body.json(), PROXY_ONLY_KEYS).put("model", backendModel).toBuffer();
  }

  @Override
  public ResponseTranslator translator(Call call, ModelDeployment deployment) {
    if (call.endpoint() == Endpoint.MESSAGES || call.endpoint() == Endpoint.COUNT_TOKENS) {
      return new AnthropicPassThrough(call.modelName(), call.stream());
    }
    if (call.endpoint() == Endpoint.RESPONSES || call.endpoint() == Endpoint.INPUT_TOKENS) {
      return new ResponsesPassThrough(call.modelName(), call.stream());
    }
    return call.stream() ? new SseRewriter(call.modelName()) : new JsonBodyRewriter(call.modelName());
  }

  /** A stream answered with one JSON body is turned into the stream the client asked for. */
  @Override
  public ResponseTranslator translator(Call call, ModelDeployment deployment, String contentType) {
    if (call.stream() && (call.endpoint() == Endpoint.CHAT || call.endpoint() == Endpoint.COMPLETIONS)
        && contentType != null
        && contentType.regionMatches(true, 0, "application/json", 0, 16)) {
      return new JsonAnswerAsStream(call.modelName(), asksForUsage(call.body().get("stream_options")));
    }
    return translator(call, deployment);
  }

  private static boolean asksForUsage(Object streamOptions) {
    return streamOptions instanceof JsonObject o && Boolean.TRUE.equals(o.getValue("include_usage"));
  }

  @Override
  public OpenAiError translateError(int status, MultiMap headers, Buffer body, ModelDeployment deployment) {
    return UpstreamErrors.fromOpenAi(status, body, "OpenAI");
  }

  /** {@code api_base}, with {@code /v1} added when it has no path at all. */
  @Override
  public String probeUrl(ModelDeployment deployment) {
    return baseUrl(deployment.apiBase()) + "/models";
  }

  @Override
  public ProbeResult readProbe(ModelDeployment deployment, Buffer body) {
    if (deployment.isWildcard()) {
      return new ProbeResult(true, "ok (a wildcard entry: the server answered its model list)");
    }
    List<String> served = new ArrayList<>();
    try {
      JsonArray data = new JsonObject(body).getJsonArray("data", new JsonArray());
      for (int i = 0; i < data.size(); i++) {
        served.add(data.getJsonObject(i).getString("id", ""));
      }
    } catch (RuntimeException notTheUsualShape) {
      return new ProbeResult(true, "ok (unrecognised model list)");
    }
    // llama-server lists its one model under a file name or alias, and ignores the request's model;
    // only a server listing several models (vLLM, LM Studio) tells us ours is missing.
    if (served.size() <= 1 || served.contains(deployment.backendModel())) {
      return new ProbeResult(true, "ok");
    }
    return new ProbeResult(false, "server is up but does not serve model '" + deployment.backendModel()
        + "' (it serves: "
        + String.join(", ", served) + ")");
  }

  static String baseUrl(String apiBase) {
    // Once per api_base, not per request (a URI parse): the set of api_bases is the config's.
    return BASE_URLS.computeIfAbsent(apiBase, OpenAiCompatibleProvider::computeBaseUrl);
  }

  private static String computeBaseUrl(String apiBase) {
    String path = URI.create(apiBase).getRawPath();
    return path == null || path.isEmpty() || path.equals("/") ? stripSlash(apiBase) + "/v1" : stripSlash(apiBase);
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /**
   * A copy of the top level only: nested values are shared, read-only, and re-encoded as they are.
   * A key that is {@code model} but for its case goes too: Go's {@code encoding/json} (Ollama's, for
   * one) matches keys ignoring case, so {@code "MODEL"} would pick the backend's model.
   */
  static JsonObject shallowCopyWithout(JsonObject body, Set<String> drop) {
    JsonObject copy = new JsonObject(new LinkedHashMap<>(body.size() + 1));
    body.getMap().forEach((k, v) -> {
      if (!drop.contains(k) && !(k.equalsIgnoreCase("model") && !k.equals("model"))) {
        copy.getMap().put(k, v);
      }
    });
    return copy;
  }
}
