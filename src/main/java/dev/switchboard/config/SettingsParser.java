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
  private static final Set<String> ROUTER_KEYS = Set.of("num_retries", "timeout", "stream_timeout", "fallbacks");
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
    Map<String, List<String>> fallbacksRouter = fallbacks(rs.get("fallbacks"), "router_settings.fallbacks", f);
    Map<String, List<String>> fallbacksLitellm = fallbacks(ls.get("fallbacks"), "litellm_settings.fallbacks", f);
    return new RouterSettings(
        retriesRouter != null ? retriesRouter : retriesLitellm != null ? retriesLitellm : DEFAULT_NUM_RETRIES,
        timeout != null ? timeout : requestTimeout != null ? requestTimeout : LITELLM_DEFAULT_TIMEOUT,
        streamTimeout,
        fallbacksRouter != null ? fallbacksRouter : fallbacksLitellm != null ? fallbacksLitellm : Map.of());
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
