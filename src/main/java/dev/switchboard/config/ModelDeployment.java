package dev.switchboard.config;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One entry of {@code model_list}: a public model name and the one backend that serves it.
 * Immutable once built by {@link ConfigLoader}; the JSON members must be treated as read-only.
 *
 * @param modelName            the name clients send as {@code model}
 * @param provider             the LiteLLM prefix as written ({@code openai}, {@code hosted_vllm}, {@code ollama_chat}, ...)
 * @param kind                 the wire protocol that prefix implies
 * @param backendModel         the model name sent to the backend (the part after the prefix)
 * @param apiBase              the backend's base URL, without a trailing slash; provider default applied
 * @param shownApiBase         {@code apiBase} as logs, events, headers and errors show it: no user info or query
 * @param apiKey               sent as {@code Authorization: Bearer}; null when none. A secret: never logged or returned
 * @param timeout              deadline for the whole request
 * @param streamTimeout        for streams: longest wait for the first byte and between two chunks
 * @param maxParallelRequests  most requests in flight to the backend at once; 0 means no limit
 * @param extraHeaders         headers added to every upstream request
 * @param modelInfo            the user's {@code model_info}, returned by /model/info
 * @param litellmParams        every {@code litellm_params} key, env references resolved (secrets included: strip before showing)
 * @param id                   {@code model_info.id}, or a stable hash of name and params (LiteLLM's {@code x-litellm-model-id})
 * @param index                position in {@code model_list}, for messages that name a YAML path
 * @param routing              weight, rpm, tpm and order: how the router weighs it within its group
 * @param streamSilenceTimeout for streams that have started: longest silence between two chunks (the
 *                             lower of this and streamTimeout applies)
 */
public record ModelDeployment(
    String modelName,
    String provider,
    ProviderKind kind,
    String backendModel,
    String apiBase,
    String shownApiBase,
    String apiKey,
    Duration timeout,
    Duration streamTimeout,
    int maxParallelRequests,
    Map<String, String> extraHeaders,
    JsonObject modelInfo,
    JsonObject litellmParams,
    String id,
    int index,
    DeploymentRouting routing,
    Duration streamSilenceTimeout) {

  /** {@code litellm_params} keys whose values are secrets: never logged, never returned. */
  public static final Set<String> SECRET_PARAMS = Set.of(
      "api_key", "aws_secret_access_key", "aws_session_token", "vertex_credentials", "azure_ad_token");

  /** {@code litellm_params} with secrets removed, as /model/info shows them. */
  public JsonObject publicParams() {
    JsonObject copy = litellmParams.copy();
    SECRET_PARAMS.forEach(copy::remove);
    if (copy.getValue("api_base") instanceof String) {
      copy.put("api_base", shownApiBase); // a password may sit in its user info
    }
    if (copy.getValue("extra_headers") instanceof JsonObject headers) {
      // Their names say what is sent; their values may be tokens.
      JsonObject names = new JsonObject();
      headers.fieldNames().forEach(h -> names.put(h, "***"));
      copy.put("extra_headers", names);
    }
    return copy;
  }

  /** Never shows the api key: deployments end up in logs. */
  @Override
  public String toString() {
    return "ModelDeployment[" + modelName + " -> " + provider + "/" + backendModel + " at " + shownApiBase + "]";
  }

  /** A wildcard entry ({@code model_name: "ollama/*"}): it serves every name its pattern matches. */
  public boolean isWildcard() {
    return WildcardPattern.isPattern(modelName);
  }

  /**
   * This deployment as it serves {@code requested}: for a wildcard entry, the backend model is the
   * requested name's part that the stars matched; any other entry is returned as is.
   */
  public ModelDeployment serving(String requested) {
    if (!isWildcard() || requested == null) {
      return this;
    }
    List<String> parts = new WildcardPattern(modelName).match(requested);
    if (parts == null) {
      return this;
    }
    return new ModelDeployment(modelName, provider, kind, WildcardPattern.fill(backendModel, parts), apiBase,
        shownApiBase, apiKey, timeout, streamTimeout, maxParallelRequests, extraHeaders, modelInfo, litellmParams, id,
        index, routing, streamSilenceTimeout);
  }
}
