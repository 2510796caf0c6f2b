package dev.switchboard.routing;

import dev.switchboard.bus.Addresses;
import dev.switchboard.config.ConfigHolder;
import dev.switchboard.config.DeploymentRouting;
import dev.switchboard.config.ModelDeployment;
import dev.switchboard.config.WildcardPattern;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Optional;

/**
 * The deployments this API can route to. Single-node, that is the config in force; clustered, it also
 * holds what other nodes announce (dev.switchboard.cluster). Read on every request, so lookups must be
 * cheap and non-blocking: implementations index each version once ({@link CatalogIndex}).
 */
public interface ModelCatalog {

  /**
   * A routable deployment: its group's name, the row /model/info shows for it, and the nodes serving it.
   * {@code nodes} is empty for a deployment whose only nodes left the cluster: still routable, so that
   * a request for it gets 503 (its backend is down) rather than 400 (no such model).
   */
  record Entry(String modelName, String provider, JsonObject publicParams, JsonObject modelInfo, String id,
               List<String> nodes, DeploymentRouting routing) {

    public Entry {
      nodes = List.copyOf(nodes);
    }

    /** An entry whose weight, rpm, tpm and order are read from its params (what another node announced). */
    public Entry(String modelName, String provider, JsonObject publicParams, JsonObject modelInfo, String id,
                 List<String> nodes) {
      this(modelName, provider, publicParams, modelInfo, id, nodes, routingOf(publicParams));
    }

    public static Entry of(ModelDeployment deployment, String nodeId) {
      return new Entry(deployment.modelName(), deployment.provider(), deployment.publicParams(),
          deployment.modelInfo(), deployment.id(), List.of(nodeId),
          deployment.routing());
    }

    /** Where calls for this deployment go. */
    public String address() {
      return Addresses.backend(id);
    }

    public boolean isWildcard() {
      return WildcardPattern.isPattern(modelName);
    }

    /**
     * Whether this deployment's server speaks Anthropic's Messages API itself ({@code model_info.native_messages:
     * true} on an OpenAI-compatible deployment: llama-server, vLLM >= 0.12): /v1/messages is then passed
     * through to it instead of translated (docs/anthropic.md).
     */
    public boolean nativeMessages() {
      return Boolean.TRUE.equals(modelInfo.getValue("native_messages")) && !provider.startsWith("ollama")
          && !publicParams.containsKey("mock_response");
    }

    /**
     * Whether this deployment's server speaks OpenAI's Responses API itself ({@code model_info.native_responses:
     * true} on an OpenAI-compatible deployment: llama-server, vLLM, Ollama's /v1): a stateless /v1/responses
     * request is then passed through to it instead of translated (docs/responses.md).
     */
    public boolean nativeResponses() {
      return Boolean.TRUE.equals(modelInfo.getValue("native_responses")) && !provider.startsWith("ollama")
          && !publicParams.containsKey("mock_response");
    }

    /** The same deployment, served by {@code nodes}. */
    public Entry withNodes(List<String> nodes) {
      return new Entry(modelName, provider, publicParams, modelInfo, id, nodes, routing);
    }

    /** The JSON a node announces it with (docs/event-bus.md, "Catalog announcements"). */
    public JsonObject toJson() {
      return new JsonObject().put("model_name", modelName).put("model_id", id).put("provider", provider)
          .put("litellm_params", publicParams).put("model_info", modelInfo);
    }

    public static Entry fromJson(JsonObject j, String nodeId) {
      return new Entry(j.getString("model_name"), j.getString("provider"),
          j.getJsonObject("litellm_params", new JsonObject()), j.getJsonObject("model_info", new JsonObject()),
          j.getString("model_id"), List.of(nodeId));
    }

    private static DeploymentRouting routingOf(JsonObject params) {
      return new DeploymentRouting(number(params, "weight"), (long) number(params, "rpm"),
          (long) number(params, "tpm"), (int) number(params, "order"));
    }

    private static double number(JsonObject params, String key) {
      Object v = params == null ? null : params.getValue(key);
      if (v instanceof Number n) {
        return Math.max(0, n.doubleValue());
      }
      if (v instanceof String s) {
        try {
          return Math.max(0, Double.parseDouble(s.trim()));
        } catch (NumberFormatException notANumber) {
          return 0;
        }
      }
      return 0;
    }
  }

  /** Every routable deployment, in a stable order (config order, then other nodes'). */
  default List<Entry> entries() {
    return index().entries();
  }

  /** The first deployment of the group {@code modelName} names (explicitly or by a wildcard pattern). */
  default Optional<Entry> find(String modelName) {
    List<Entry> group = group(modelName);
    return group.isEmpty() ? Optional.empty() : Optional.of(group.get(0));
  }

  /**
   * The deployments serving {@code modelName}: its explicit group; else the deployment whose id it is
   * (LiteLLM lets a client name one deployment); else the most specific wildcard group it matches;
   * else none.
   */
  default List<Entry> group(String modelName) {
    return index().group(modelName);
  }

  /** The index of the catalog as it is now: one consistent version. */
  CatalogIndex index();

  /** The catalog of one node: the deployments in its config in force. */
  static ModelCatalog local(ConfigHolder config, String nodeId) {
    return new LocalCatalog(config, nodeId);
  }
}
