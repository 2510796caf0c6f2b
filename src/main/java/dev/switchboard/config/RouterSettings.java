package dev.switchboard.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Routing defaults from {@code router_settings}, falling back to {@code litellm_settings}
 * (LiteLLM gives router_settings precedence for the same key).
 *
 * @param numRetries     retries for a request that never reached the backend (LiteLLM's default: 2)
 * @param timeout        default whole-request timeout for models that set none
 * @param streamTimeout  default stream timeout for models that set none; null means "use timeout"
 * @param fallbacks      explicit fallbacks: model name to the ordered names to try when it is down
 */
public record RouterSettings(int numRetries, Duration timeout, Duration streamTimeout,
                             Map<String, List<String>> fallbacks) {
}
