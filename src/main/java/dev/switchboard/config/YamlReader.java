package dev.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns YAML text into plain JSON-shaped maps and lists; nothing else in Switchboard reads YAML. */
final class YamlReader {

  /** Deeper than any sane config; mostly catches anchors that refer to themselves. */
  private static final int MAX_DEPTH = 64;

  private YamlReader() {
  }

  static Map<String, Object> read(String text, String source) throws ConfigException {
    // SafeConstructor: a config file must never be able to instantiate arbitrary classes.
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    Object doc;
    try {
      doc = yaml.load(text);
    } catch (MarkedYAMLException e) {
      throw ConfigException.at(source, "", syntaxError(e));
    } catch (YAMLException e) {
      throw ConfigException.at(source, "", "invalid YAML: " + e.getMessage());
    }
    if (doc == null) {
      throw ConfigException.at(source, "", "the file is empty (expected: a mapping with model_list, general_settings, ...)");
    }
    if (!(doc instanceof Map)) {
      throw ConfigException.at(source, "", "the top level is " + Fields.kindOf(doc)
          + " (expected: a mapping with model_list, general_settings, ...)");
    }
    return normalizeMap((Map<?, ?>) doc, source, "", 0);
  }

  /** The same plain shape from a JsonObject, whose values may be JsonObjects and JsonArrays. */
  static Map<String, Object> normalize(JsonObject root, String source) throws ConfigException {
    return normalizeMap(root.getMap(), source, "", 0);
  }

  private static String syntaxError(MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    StringBuilder what = new StringBuilder("invalid YAML");
    if (mark != null) {
      what.append(" at line ").append(mark.getLine() + 1).append(", column ").append(mark.getColumn() + 1);
    }
    what.append(": ").append(e.getProblem() != null ? e.getProblem() : e.getMessage());
    Mark contextMark = e.getContextMark();
    if (e.getContext() != null && contextMark != null) {
      what.append(" (").append(e.getContext()).append(" that starts at line ").append(contextMark.getLine() + 1)
          .append(", column ").append(contextMark.getColumn() + 1).append(')');
    }
    return what.toString();
  }

  private static Map<String, Object> normalizeMap(Map<?, ?> map, String source, String path, int depth)
      throws ConfigException {
    checkDepth(source, path, depth);
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = String.valueOf(e.getKey());
      out.put(key, normalizeValue(e.getValue(), source, Fields.child(path, key), depth + 1));
    }
    return out;
  }

  private static Object normalizeValue(Object v, String source, String path, int depth) throws ConfigException {
    if (v instanceof JsonObject o) {
      return normalizeMap(o.getMap(), source, path, depth);
    }
    if (v instanceof Map<?, ?> m) {
      return normalizeMap(m, source, path, depth);
    }
    if (v instanceof JsonArray a) {
      v = a.getList();
    }
    if (v instanceof Collection<?> c) {
      checkDepth(source, path, depth);
      List<Object> out = new ArrayList<>(c.size());
      int i = 0;
      for (Object item : c) {
        out.add(normalizeValue(item, source, path + "[" + i++ + "]", depth + 1));
      }
      return out;
    }
    if (v == null || v instanceof String || v instanceof Boolean) {
      return v;
    }
    if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return d.toString(); // JSON has no NaN; keep it visible rather than fail on encode
    }
    if (v instanceof Number) {
      return v;
    }
    if (v instanceof Date d) {
      return dateText(d.toInstant());
    }
    if (v instanceof Instant i) {
      return dateText(i);
    }
    if (v instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    return String.valueOf(v);
  }

  /** YAML reads 2024-01-31 as a timestamp; give back the date as written when it was only a date. */
  private static String dateText(Instant instant) {
    ZonedDateTime utc = instant.atZone(ZoneOffset.UTC);
    return utc.toLocalTime().toNanoOfDay() == 0 ? utc.toLocalDate().toString() : instant.toString();
  }

  private static void checkDepth(String source, String path, int depth) throws ConfigException {
    if (depth > MAX_DEPTH) {
      // An anchor that refers to itself would make the path as long as the limit: name where it starts.
      String shown = path.length() > 60 ? path.substring(0, 60) + "..." : path;
      throw ConfigException.at(source, shown, "nested more than " + MAX_DEPTH
          + " levels deep (expected: no anchor that refers to itself)");
    }
  }

  /** A read-only deep copy: config is shared by every verticle and must not change under them. */
  @SuppressWarnings("unchecked")
  static Object freeze(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, val) -> out.put((String) k, freeze(val)));
      return Collections.unmodifiableMap(out);
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(item -> out.add(freeze(item)));
      return Collections.unmodifiableList(out);
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static JsonObject frozenJson(Map<String, Object> map) {
    return new JsonObject((Map<String, Object>) freeze(map));
  }
}
