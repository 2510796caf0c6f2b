package dev.switchboard.config;

import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Typed reads of one config tree: env references resolved, YAML path and expectation named in
 * every error. A null or absent value reads as null; callers apply their defaults.
 */
final class Fields {

  private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
  static final String SECONDS = "a number of seconds > 0";

  private final String source;
  private final Map<String, String> env;
  private final List<String> warnings;

  Fields(String source, Map<String, String> env, List<String> warnings) {
    this.source = source;
    this.env = env;
    this.warnings = warnings;
  }

  Map<String, String> env() {
    return env;
  }

  void warn(String line) {
    warnings.add(line);
  }

  /** The standard warning for a LiteLLM key Switchboard has no use for. */
  void ignored(String path) {
    warn(path + ": LiteLLM setting not used by Switchboard; ignored");
  }

  ConfigException error(String path, String what) {
    return ConfigException.at(source, path, what);
  }

  ConfigException wrong(String path, Object value, String expected) {
    return error(path, describe(value) + " (expected: " + expected + ")");
  }

  Object resolve(Object raw, String path) throws ConfigException {
    return EnvResolver.resolve(raw, path, env, source);
  }

  @SuppressWarnings("unchecked")
  Map<String, Object> mapping(Object raw, String path, String expected) throws ConfigException {
    if (raw == null || raw instanceof Map) {
      return (Map<String, Object>) raw;
    }
    throw wrong(path, raw, expected);
  }

  String string(Object raw, String path, String expected) throws ConfigException {
    Object v = resolve(raw, path);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw wrong(path, v, expected);
  }

  /** A string that must never appear in a message, not even when it is of the wrong type. */
  String secret(Object raw, String path) throws ConfigException {
    Object v = resolve(raw, path);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw error(path, kindOf(v) + " (expected: a string; quote it in YAML)");
  }

  Boolean bool(Object raw, String path) throws ConfigException {
    Object v = resolve(raw, path);
    if (v == null || v instanceof Boolean) {
      return (Boolean) v;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw wrong(path, v, "true or false");
  }

  Double number(Object raw, String path, String expected) throws ConfigException {
    Object v = resolve(raw, path);
    if (v == null) {
      return null;
    }
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else if (v instanceof String s && DECIMAL.matcher(s.trim()).matches()) {
      d = Double.parseDouble(s.trim());
    } else {
      throw wrong(path, v, expected);
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw wrong(path, v, expected);
    }
    return d;
  }

  Long integer(Object raw, String path, long min, long max, String expected) throws ConfigException {
    Object v = resolve(raw, path);
    if (v == null) {
      return null;
    }
    Double d = null;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof BigInteger) {
      d = ((Number) v).doubleValue();
    } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      d = n.doubleValue(); // 10.0 is a fine 10
    } else if (v instanceof String s && INTEGER.matcher(s.trim()).matches()) {
      d = Double.parseDouble(s.trim());
    }
    if (d == null || d < min || d > max) {
      throw wrong(path, v, expected);
    }
    return d.longValue();
  }

  Integer integer(Object raw, String path, int min, String expected) throws ConfigException {
    Long l = integer(raw, path, min, Integer.MAX_VALUE, expected);
    return l == null ? null : l.intValue();
  }

  /** Seconds as LiteLLM writes them (int, float or numeric string); {@code zeroOk} allows 0. */
  Duration seconds(Object raw, String path, boolean zeroOk) throws ConfigException {
    String expected = zeroOk ? "a number of seconds >= 0" : SECONDS;
    Double s = number(raw, path, expected);
    if (s == null) {
      return null;
    }
    if (s < 0 || (s == 0 && !zeroOk)) {
      throw wrong(path, resolve(raw, path), expected);
    }
    // Sub-millisecond values still mean "some time", not "no time".
    long millis = Math.round(s * 1000);
    return Duration.ofMillis(s > 0 ? Math.max(1, millis) : 0);
  }

  Duration millis(Object raw, String path, String expected) throws ConfigException {
    Long ms = integer(raw, path, 1, Long.MAX_VALUE, expected);
    return ms == null ? null : Duration.ofMillis(ms);
  }

  static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** A value as a message shows it: strings quoted, containers by kind only. */
  static String describe(Object v) {
    if (v instanceof String s) {
      String shown = s.length() > 80 ? s.substring(0, 77) + "..." : s;
      return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r") + "\"";
    }
    if (v == null || v instanceof Number || v instanceof Boolean) {
      return String.valueOf(v);
    }
    return kindOf(v);
  }

  static String kindOf(Object v) {
    if (v instanceof Map) {
      return "a mapping";
    }
    if (v instanceof List) {
      return "a list";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Number) {
      return "a number";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    return v == null ? "null" : "a " + v.getClass().getSimpleName();
  }
}
