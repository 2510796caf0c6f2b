package dev.switchboard.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The LiteLLM sections: {@code general_settings}, {@code router_settings} and {@code litellm_settings}. */
final class SettingsParser {

  /** LiteLLM's {@code request_timeout} default (its REQUEST_TIMEOUT constant). */
  static final Duration LITELLM_DEFAULT_TIMEOUT = Duration.ofSeconds(6000);
  /** LiteLLM's default (openai.DEFAULT_MAX_RETRIES). */
  static final int DEFAULT_NUM_RETRIES = 2;
  private static final Set<String> GENERAL_KEYS = Set.of("master_key", "database_url", "background_health_checks",
      "health_check_interval", "max_parallel_requests", "max_request_size_mb");
  private static final Set<String> ROUTER_KEYS = Set.of("num_retries", "timeout", "stream_timeout", "fallbacks",
      "routing_strategy", "model_group_alias", "routing_strategy_args", "retry_policy", "stream_silence_timeout");
  private static final Map<String, Integer> RETRY_POLICY_KEYS = Map.of("BadRequestErrorRetries", 0,
      "AuthenticationErrorRetries", 1, "TimeoutErrorRetries", 2, "RateLimitErrorRetries", 3,
      "InternalServerErrorRetries", 4, "ContentPolicyViolationErrorRetries", -1);
  private static final Set<String> LITELLM_KEYS = Set.of("num_retries", "request_timeout", "fallbacks");
  private static final String FALLBACKS = "a list like [{\"model-a\": [\"model-b\", \"model-c\"]}]";

  /**
   * general_settings with the values that land elsewhere: {@code maxParallelRequests} is every
   * model's default, {@code maxBodyBytes} the body limit unless switchboard_settings sets one (null: unset).
   */
  record General(GeneralSettings settings, int maxParallelRequests, Long maxBodyBytes) {
  }

  private SettingsParser() {
  }

  static General general(Object raw, Fields f) throws ConfigException {
    String at = "general_settings";
    Map<String, Object> gs = orEmpty(f.mapping(raw, at, "a mapping"));
    warnUnknown(gs, GENERAL_KEYS, at, f);
    String masterKey = gs.get("master_key") != null
        ? f.secret(gs.get("master_key"), at + ".master_key")
        : f.env().get("LITELLM_MASTER_KEY"); // as LiteLLM does
    if (masterKey != null && masterKey.isEmpty()) {
      masterKey = null;
    }
    if (gs.get("database_url") != null) {
      f.warn(at + ".database_url: Switchboard keeps no database; ignored");
    }
    Boolean background = f.bool(gs.get("background_health_checks"), at + ".background_health_checks");
    Duration interval = f.seconds(gs.get("health_check_interval"), at + ".health_check_interval", false);
    if (interval == null) {
      // Someone who set up LiteLLM's health checks gets LiteLLM's documented 300 s; otherwise a
      // shorter default, since Switchboard's probes are cheap liveness checks, not LLM calls.
      interval = Duration.ofSeconds(background != null ? 300 : 30);
    }
    Integer parallel = f.integer(gs.get("max_parallel_requests"), at + ".max_parallel_requests", 0,
        "an integer >= 0 (0 means no limit)");
    Double sizeMb = f.number(gs.get("max_request_size_mb"), at + ".max_request_size_mb", "a number of MB > 0");
    if (sizeMb != null && sizeMb <= 0) {
      throw f.wrong(at + ".max_request_size_mb", sizeMb, "a number of MB > 0");
    }
    return new General(new GeneralSettings(masterKey, background == null || background, interval),
        parallel == null ? 0 : parallel, sizeMb == null ? null : megabytes(sizeMb));
  }

  static RouterSettings router(Object rawRouter, Object rawLitellm, Fields f) throws ConfigException {
    Map<String, Object> rs = orEmpty(f.mapping(rawRouter, "router_settings", "a mapping"));
    Map<String, Object> ls = orEmpty(f.mapping(rawLitellm, "litellm_settings", "a mapping"));
    warnUnknown(rs, ROUTER_KEYS, "router_settings", f);
    warnUnknown(ls, LITELLM_KEYS, "litellm_settings", f);
    // Both sections are read whole so that a mistake in either is reported, even when the other wins.
    Integer retriesRouter = f.integer(rs.get("num_retries"), "router_settings.num_retries", 0, "an integer >= 0");
    Integer retriesLitellm = f.integer(ls.get("num_retries"), "litellm_settings.num_retries", 0, "an integer >= 0");
    Duration timeout = f.seconds(rs.get("timeout"), "router_settings.timeout", false);
    Duration requestTimeout = f.seconds(ls.get("request_timeout"), "litellm_settings.request_timeout", false);
    Duration streamTimeout = f.seconds(rs.get("stream_timeout"), "router_settings.stream_timeout", false);
    Duration silence = f.seconds(rs.get("stream_silence_timeout"), "router_settings.stream_silence_timeout", false);
    Map<String, List<String>> fallbacksRouter = fallbacks(rs.get("fallbacks"), "router_settings.fallbacks", f);
    Map<String, List<String>> fallbacksLitellm = fallbacks(ls.get("fallbacks"), "litellm_settings.fallbacks", f);
    return new RouterSettings(
        retriesRouter != null ? retriesRouter : retriesLitellm != null ? retriesLitellm : DEFAULT_NUM_RETRIES,
        timeout != null ? timeout : requestTimeout != null ? requestTimeout : LITELLM_DEFAULT_TIMEOUT,
        streamTimeout,
        fallbacksRouter != null ? fallbacksRouter : fallbacksLitellm != null ? fallbacksLitellm : Map.of(),
        strategy(rs.get("routing_strategy"), f), aliases(rs.get("model_group_alias"), f),
        latency(rs.get("routing_strategy_args"), f), retryPolicy(rs.get("retry_policy"), f),
        silence != null ? silence : RouterSettings.DEFAULT_STREAM_SILENCE);
  }

  /** A strategy Switchboard does not implement is a warning and simple-shuffle, never a failed start. */
  private static RoutingStrategy strategy(Object raw, Fields f) throws ConfigException {
    String name = f.string(raw, "router_settings.routing_strategy", "a strategy name, e.g. \"least-busy\"");
    if (name == null) {
      return RoutingStrategy.SIMPLE_SHUFFLE;
    }
    RoutingStrategy s = RoutingStrategy.named(name);
    if (s == null) {
      f.warn("router_settings.routing_strategy: \"" + name + "\" is not one Switchboard implements "
          + "(simple-shuffle, least-busy, latency-based-routing, usage-based-routing-v2); using simple-shuffle");
      return RoutingStrategy.SIMPLE_SHUFFLE;
    }
    return s;
  }

  /** {@code {"gpt-4o": "coder"}} or {@code {"gpt-4o": {"model": "coder", "hidden": true}}}. */
  private static Map<String, RouterSettings.GroupAlias> aliases(Object raw, Fields f) throws ConfigException {
    String at = "router_settings.model_group_alias";
    Map<String, Object> map = f.mapping(raw, at, "a mapping of alias to model group");
    if (map == null) {
      return Map.of();
    }
    Map<String, RouterSettings.GroupAlias> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String path = Fields.child(at, e.getKey());
      Object v = f.resolve(e.getValue(), path);
      if (v instanceof String group && !group.isBlank()) {
        out.put(e.getKey(), new RouterSettings.GroupAlias(group, false));
      } else if (v instanceof Map<?, ?> m && m.get("model") instanceof String group && !group.isBlank()) {
        Boolean hidden = f.bool(m.get("hidden"), Fields.child(path, "hidden"));
        out.put(e.getKey(), new RouterSettings.GroupAlias(group, Boolean.TRUE.equals(hidden)));
      } else {
        throw f.wrong(path, v, "a model group name, or {\"model\": \"<group>\", \"hidden\": true}");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static RouterSettings.LatencySettings latency(Object raw, Fields f) throws ConfigException {
    String at = "router_settings.routing_strategy_args";
    Map<String, Object> args = f.mapping(raw, at, "a mapping");
    if (args == null) {
      return RouterSettings.LatencySettings.DEFAULT;
    }
    RouterSettings.LatencySettings d = RouterSettings.LatencySettings.DEFAULT;
    Double buffer = f.number(args.get("lowest_latency_buffer"), at + ".lowest_latency_buffer", "a number >= 0");
    if (buffer != null && buffer < 0) {
      throw f.wrong(at + ".lowest_latency_buffer", buffer, "a number >= 0");
    }
    Duration ttl = f.seconds(args.get("ttl"), at + ".ttl", false);
    Integer samples = f.integer(args.get("max_latency_list_size"), at + ".max_latency_list_size", 1,
        "an integer >= 1");
    for (String key : args.keySet()) {
      if (!Set.of("lowest_latency_buffer", "ttl", "max_latency_list_size").contains(key)) {
        f.ignored(Fields.child(at, key));
      }
    }
    return new RouterSettings.LatencySettings(buffer == null ? d.buffer() : buffer, ttl == null ? d.ttl() : ttl,
        samples == null ? d.samples() : samples);
  }

  private static RouterSettings.RetryPolicy retryPolicy(Object raw, Fields f) throws ConfigException {
    String at = "router_settings.retry_policy";
    Map<String, Object> policy = f.mapping(raw, at, "a mapping like {\"TimeoutErrorRetries\": 2}");
    if (policy == null) {
      return RouterSettings.RetryPolicy.NONE;
    }
    int[] n = new int[5];
    for (Map.Entry<String, Object> e : policy.entrySet()) {
      Integer slot = RETRY_POLICY_KEYS.get(e.getKey());
      if (slot == null) {
        f.ignored(Fields.child(at, e.getKey()));
        continue;
      }
      Integer count = f.integer(e.getValue(), Fields.child(at, e.getKey()), 0, "an integer >= 0");
      if (slot >= 0 && count != null) {
        n[slot] = count;
      }
    }
    return new RouterSettings.RetryPolicy(n[0], n[1], n[2], n[3], n[4]);
  }

  /** LiteLLM writes fallbacks as a list of one-key mappings: {@code [{"a": ["b", "c"]}]}. */
  private static Map<String, List<String>> fallbacks(Object raw, String path, Fields f) throws ConfigException {
    Object v = f.resolve(raw, path);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?> list)) {
      throw f.wrong(path, v, FALLBACKS);
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      String at = path + "[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> one) || one.size() != 1) {
        throw f.wrong(at, list.get(i), "a mapping with one key, like {\"model-a\": [\"model-b\"]}");
      }
      Map.Entry<?, ?> e = one.entrySet().iterator().next();
      String from = (String) e.getKey();
      Object to = e.getValue();
      List<?> targets = to instanceof String ? List.of(to) : to instanceof List<?> l ? l : null;
      if (targets == null || targets.isEmpty() || !targets.stream().allMatch(t -> t instanceof String)) {
        throw f.wrong(Fields.child(at, from), to, "a list of model names");
      }
      out.put(from, targets.stream().map(String.class::cast).toList());
    }
    return Collections.unmodifiableMap(out);
  }

  static long megabytes(double mb) {
    return Math.round(mb * 1024 * 1024);
  }

  static Map<String, Object> orEmpty(Map<String, Object> map) {
    return map == null ? Map.of() : map;
  }

  private static void warnUnknown(Map<String, Object> section, Set<String> known, String path, Fields f) {
    for (String key : section.keySet()) {
      if (!known.contains(key)) {
        f.ignored(Fields.child(path, key));
      }
    }
  }
}
