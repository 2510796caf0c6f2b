package dev.switchboard.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code model_list}: one {@link ModelDeployment} per entry whose provider Switchboard can serve. Entries
 * that share a {@code model_name} are the deployments of one model group (LiteLLM's load balancing).
 */
final class ModelParser {

  private static final String URL = "the URL of the server, e.g. http://localhost:8000/v1";
  private static final String MODEL = "\"<provider>/<model>\", e.g. \"openai/qwen3\"";
  private static final Set<String> ENTRY_KEYS = Set.of("model_name", "litellm_params", "model_info");

  /** What a model inherits when it does not set its own value. */
  record Defaults(Duration timeout, Duration streamTimeout, int maxParallelRequests, Duration streamSilenceTimeout) {
  }

  private ModelParser() {
  }

  static List<ModelDeployment> parse(Object raw, Defaults defaults, Fields f) throws ConfigException {
    if (raw == null) {
      return List.of(); // a pure front door in a cluster serves no model itself
    }
    if (!(raw instanceof List<?> entries)) {
      throw f.wrong("model_list", raw, "a list of entries with model_name and litellm_params");
    }
    List<ModelDeployment> models = new ArrayList<>();
    Map<String, Integer> idUse = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      ModelDeployment m = entry(entries.get(i), i, defaults, f);
      if (m == null) {
        continue;
      }
      Integer earlier = idUse.putIfAbsent(m.id(), i);
      if (earlier != null) {
        if (m.modelInfo().getValue("id") != null) {
          throw f.error("model_list[" + i + "].model_info.id", Fields.describe(m.id())
              + " is already the id of model_list[" + earlier + "] (expected: an id no other entry has)");
        }
        // Two identical entries hash alike; each is still a deployment of its own (its own pool).
        String unique = m.id() + "-" + i;
        f.warn("model_list[" + i + "] (" + m.modelName() + ") is identical to model_list[" + earlier
            + "]; its deployment id is " + unique);
        m = withId(m, unique);
        idUse.put(unique, i);
      }
      models.add(m);
    }
    return models;
  }

  private static ModelDeployment withId(ModelDeployment m, String id) {
    return new ModelDeployment(m.modelName(), m.provider(), m.kind(), m.backendModel(), m.apiBase(), m.shownApiBase(),
        m.apiKey(), m.timeout(), m.streamTimeout(), m.maxParallelRequests(), m.extraHeaders(), m.modelInfo(),
        m.litellmParams(), id, m.index(), m.routing(), m.streamSilenceTimeout());
  }

  private static ModelDeployment entry(Object raw, int i, Defaults defaults, Fields f) throws ConfigException {
    String at = "model_list[" + i + "]";
    Map<String, Object> entry = f.mapping(raw, at, "a mapping with model_name and litellm_params");
    if (entry == null) {
      throw f.wrong(at, null, "a mapping with model_name and litellm_params");
    }
    String name = f.string(entry.get("model_name"), at + ".model_name", "a non-empty string");
    if (name == null || name.isBlank()) {
      throw f.error(at + ".model_name", (name == null ? "missing" : Fields.describe(name))
          + " (expected: a non-empty string, the name clients send as \"model\")");
    }
    String paramsPath = at + ".litellm_params";
    Map<String, Object> params = f.mapping(entry.get("litellm_params"), paramsPath, "a mapping with at least model");
    if (params == null) {
      throw f.error(paramsPath, "missing (expected: a mapping with at least model)");
    }
    String model = f.string(params.get("model"), paramsPath + ".model", MODEL);
    if (model == null || model.isBlank()) {
      throw f.error(paramsPath + ".model", (model == null ? "missing" : Fields.describe(model))
          + " (expected: " + MODEL + ")");
    }
    int slash = model.indexOf('/');
    String provider = slash < 0 ? "openai" : model.substring(0, slash); // LiteLLM infers OpenAI
    String backendModel = slash < 0 ? model : model.substring(slash + 1);
    if (provider.isBlank() || backendModel.isBlank()) {
      throw f.wrong(paramsPath + ".model", model, MODEL);
    }
    ProviderKind kind = params.containsKey("mock_response") ? ProviderKind.MOCK : ProviderKind.ofPrefix(provider);
    if (kind == null) {
      f.warn(at + " (" + name + "): provider '" + provider + "' is not supported by Switchboard; this model is skipped");
      return null;
    }
    for (String key : entry.keySet()) {
      if (!ENTRY_KEYS.contains(key)) {
        f.ignored(Fields.child(at, key));
      }
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> resolved = (Map<String, Object>) f.resolve(params, paramsPath);
    String apiBase = apiBase(resolved.get("api_base"), provider, kind, paramsPath + ".api_base", f);
    String apiKey = f.secret(resolved.get("api_key"), paramsPath + ".api_key");
    Duration timeout = f.seconds(resolved.get("timeout"), paramsPath + ".timeout", false);
    timeout = timeout != null ? timeout : defaults.timeout();
    Duration streamTimeout = f.seconds(resolved.get("stream_timeout"), paramsPath + ".stream_timeout", false);
    streamTimeout = streamTimeout != null ? streamTimeout
        : defaults.streamTimeout() != null ? defaults.streamTimeout() : timeout;
    Duration silence = f.seconds(resolved.get("stream_silence_timeout"), paramsPath + ".stream_silence_timeout", false);
    Integer parallel = f.integer(resolved.get("max_parallel_requests"), paramsPath + ".max_parallel_requests", 0,
        "an integer >= 0 (0 means no limit)");
    Map<String, String> headers = headers(resolved.get("extra_headers"), paramsPath + ".extra_headers", f);
    @SuppressWarnings("unchecked")
    Map<String, Object> info = (Map<String, Object>) f.resolve(
        f.mapping(entry.get("model_info"), at + ".model_info", "a mapping"), at + ".model_info");
    JsonObject modelInfo = YamlReader.frozenJson(info == null ? Map.of() : info);
    JsonObject litellmParams = YamlReader.frozenJson(resolved);
    Object infoId = modelInfo.getValue("id");
    String id = infoId != null ? String.valueOf(infoId) : sha256(name + "\n" + litellmParams.encode());
    return new ModelDeployment(name, provider, kind, backendModel, apiBase, Redact.apiBase(apiBase), apiKey, timeout, streamTimeout,
        parallel != null ? parallel : defaults.maxParallelRequests(), headers, modelInfo, litellmParams, id, i,
        routing(resolved, paramsPath, f), silence != null ? silence : defaults.streamSilenceTimeout());
  }

  /** weight, rpm, tpm and order, each optional; a wrong one is an error that names it. */
  private static DeploymentRouting routing(Map<String, Object> params, String path, Fields f) throws ConfigException {
    Double weight = f.number(params.get("weight"), path + ".weight", "a number > 0");
    if (weight != null && weight <= 0) {
      throw f.wrong(path + ".weight", weight, "a number > 0");
    }
    Long rpm = f.integer(params.get("rpm"), path + ".rpm", 1, Long.MAX_VALUE, "an integer > 0 (requests per minute)");
    Long tpm = f.integer(params.get("tpm"), path + ".tpm", 1, Long.MAX_VALUE, "an integer > 0 (tokens per minute)");
    Integer order = f.integer(params.get("order"), path + ".order", 1, "an integer >= 1 (1 is tried first)");
    if (weight == null && rpm == null && tpm == null && order == null) {
      return DeploymentRouting.NONE;
    }
    return new DeploymentRouting(weight == null ? 0 : weight, rpm == null ? 0 : rpm, tpm == null ? 0 : tpm,
        order == null ? 0 : order);
  }

  private static String apiBase(Object raw, String provider, ProviderKind kind, String path, Fields f)
      throws ConfigException {
    String base = f.string(raw, path, URL);
    String origin = "";
    if (base == null) {
      if (kind == ProviderKind.MOCK) {
        return null;
      }
      String variable = kind.apiBaseVariable();
      base = variable == null ? null : f.env().get(variable);
      if (base != null) {
        origin = " (from " + variable + ")";
      } else {
        base = kind.defaultApiBase(provider);
        if (base == null) {
          throw f.error(path, "missing (expected: " + URL + ")");
        }
      }
    }
    String url = validUrl(base, path, origin, f);
    String normalised = kind.normalisedApiBase(url);
    if (!normalised.equals(url)) {
      f.warn(path + ": Ollama's native API is not under /v1; using " + normalised + " instead of " + url);
    }
    return normalised;
  }

  private static String validUrl(String base, String path, String origin, Fields f) throws ConfigException {
    String url = base.trim().replaceAll("/+$", "");
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      // URI leaves the host null for names with '_' (Docker service names), so accept the authority.
      String authority = uri.getRawAuthority();
      boolean hasHost = uri.getHost() != null
          || (authority != null && !authority.replaceFirst("^.*@", "").replaceFirst(":\\d*$", "").isEmpty());
      if (scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) && hasHost) {
        return url;
      }
    } catch (URISyntaxException e) {
      // reported below, with the path, like any other bad URL
    }
    throw f.error(path, Fields.describe(base) + origin + " (expected: an http:// or https:// URL with a host, e.g. "
        + "http://localhost:8000/v1)");
  }

  private static Map<String, String> headers(Object raw, String path, Fields f) throws ConfigException {
    Map<String, Object> map = f.mapping(raw, path, "a mapping of header name to value");
    if (map == null) {
      return Map.of();
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      Object v = e.getValue();
      if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
        throw f.wrong(Fields.child(path, e.getKey()), v, "a string");
      }
      headers.put(e.getKey(), String.valueOf(v));
    }
    return Collections.unmodifiableMap(headers);
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
