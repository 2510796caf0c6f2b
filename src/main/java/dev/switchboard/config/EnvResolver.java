package dev.switchboard.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LiteLLM's {@code os.environ/NAME} references. Values are resolved where the loader reads them,
 * so a reference under a LiteLLM key Switchboard ignores (or a skipped model) cannot fail a load.
 */
final class EnvResolver {

  static final String PREFIX = "os.environ/";

  private EnvResolver() {
  }

  /** {@code value} with every {@code os.environ/NAME} string in it, at any depth, replaced by the variable. */
  static Object resolve(Object value, String path, Map<String, String> env, String source) throws ConfigException {
    if (value instanceof String s && s.startsWith(PREFIX)) {
      String name = s.substring(PREFIX.length());
      if (name.isEmpty()) {
        throw ConfigException.at(source, path, "\"" + s + "\" names no variable (expected: os.environ/NAME)");
      }
      String resolved = env.get(name);
      if (resolved == null) {
        throw ConfigException.at(source, path,
            "environment variable " + name + " is not set (referenced as " + s + ")");
      }
      return resolved;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = (String) e.getKey();
        out.put(key, resolve(e.getValue(), Fields.child(path, key), env, source));
      }
      return out;
    }
    if (value instanceof List<?> list) {
      List<Object> out = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        out.add(resolve(list.get(i), path + "[" + i + "]", env, source));
      }
      return out;
    }
    return value;
  }

  /**
   * The env used to resolve references: the top-level {@code environment_variables} (which LiteLLM
   * exports at startup) under the real environment. The real environment wins, so an operator can
   * override a value baked into a shared config.yaml without editing it.
   */
  static Map<String, String> withConfigVariables(Object section, Map<String, String> realEnv, String source)
      throws ConfigException {
    String path = "environment_variables";
    if (section == null) {
      return realEnv;
    }
    if (!(section instanceof Map<?, ?> vars)) {
      throw ConfigException.at(source, path, Fields.describe(section) + " (expected: a mapping of NAME: value)");
    }
    Map<String, String> merged = new HashMap<>();
    for (Map.Entry<?, ?> e : vars.entrySet()) {
      String name = (String) e.getKey();
      String at = Fields.child(path, name);
      Object value = resolve(e.getValue(), at, realEnv, source);
      if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
        // The value may be a secret: name its kind, not its content.
        throw ConfigException.at(source, at, Fields.kindOf(value) + " (expected: a string)");
      }
      merged.put(name, String.valueOf(value));
    }
    merged.putAll(realEnv);
    return merged;
  }
}
