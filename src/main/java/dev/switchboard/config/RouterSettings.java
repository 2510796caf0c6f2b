package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Routing from {@code router_settings}, falling back to {@code litellm_settings} (LiteLLM gives
 * router_settings precedence for the same key). See docs/routing.md.
 *
 * @param numRetries     retries for a request that never reached the backend (LiteLLM's default: 2)
 * @param timeout        default whole-request timeout for models that set none
 * @param streamTimeout  default stream timeout for models that set none; null means "use timeout"
 * @param fallbacks      explicit fallbacks: model name to the ordered names to try when it is down
 * @param strategy       how a deployment of a group is chosen
 * @param aliases        {@code model_group_alias}: a name clients send, to the group that serves it
 * @param latency        latency-based routing's settings
 * @param retryPolicy    retries for a request that reached a backend and failed, by error class
 * @param streamSilenceTimeout default silence limit between two chunks of a started stream, for models
 *                       that set none
 */
public record RouterSettings(int numRetries, Duration timeout, Duration streamTimeout,
                             Map<String, List<String>> fallbacks, RoutingStrategy strategy,
                             Map<String, GroupAlias> aliases, LatencySettings latency, RetryPolicy retryPolicy,
                             Duration streamSilenceTimeout) {

  /**
   * A stream that has started and then says nothing for a minute is stuck (llama-server after one
   * SIGTERM keeps the connection open and silent for good); the wait for the first token, which a long
   * prompt on a CPU can make minutes, is stream_timeout's alone.
   */
  public static final Duration DEFAULT_STREAM_SILENCE = Duration.ofSeconds(60);

  /** One {@code model_group_alias} entry; a hidden one routes but is not listed in /v1/models. */
  public record GroupAlias(String group, boolean hidden) {
  }

  /**
   * {@code routing_strategy_args} for latency-based routing (LiteLLM's names): pick at random among the
   * deployments within {@code buffer} (a fraction) of the lowest latency; forget samples older than
   * {@code ttl}; keep the last {@code samples} per deployment.
   */
  public record LatencySettings(double buffer, Duration ttl, int samples) {
    public static final LatencySettings DEFAULT = new LatencySettings(0, Duration.ofHours(1), 10);
  }

  /**
   * {@code retry_policy}: how many times a request that reached a backend and failed with an error of
   * that class is tried again (on another deployment of its group when there is one). LiteLLM's keys.
   */
  public record RetryPolicy(int badRequest, int authentication, int timeout, int rateLimit, int internalServer) {
    public static final RetryPolicy NONE = new RetryPolicy(0, 0, 0, 0, 0);

    /** Retries the policy grants an error with HTTP {@code status}. */
    public int retriesFor(int status) {
      if (status == 400 || status == 422) {
        return badRequest;
      } else if (status == 401 || status == 403) {
        return authentication;
      } else if (status == 408) {
        return timeout;
      } else if (status == 429) {
        return rateLimit;
      }
      return status >= 500 ? internalServer : 0;
    }
  }

  /** What a config that sets nothing gets; for tests and tools. */
  public static RouterSettings defaults() {
    return new RouterSettings(2, Duration.ofSeconds(6000), null, Map.of(), RoutingStrategy.SIMPLE_SHUFFLE, Map.of(),
        LatencySettings.DEFAULT, RetryPolicy.NONE, DEFAULT_STREAM_SILENCE);
  }
}
