package dev.switchboard.responses;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How the functions of a Responses {@code namespace} tool are named upstream, where chat completions
 * know no namespaces: {@code <namespace>__<name>}. A call the model makes to such a name goes back to
 * the client as a {@code function_call} with the function's own {@code name} and its {@code namespace}.
 * Also which upstream functions stand for freeform ({@code custom}) tools, whose calls go back as
 * {@code custom_tool_call}s.
 */
public final class ToolNames {

  static final String SEPARATOR = "__";

  /** Upstream name → {namespace, name}, for the namespaced functions offered in one request. */
  private final Map<String, String[]> namespaced = new HashMap<>();
  private final Set<String> custom = new HashSet<>();

  /** The name a namespaced function has upstream. */
  static String upstream(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + SEPARATOR + name;
  }

  void addNamespaced(String namespace, String name) {
    namespaced.put(upstream(namespace, name), new String[] {namespace, name});
  }

  void addCustom(String name) {
    custom.add(name);
  }

  /** Whether the function the model called stands for a freeform tool (its one argument is the input). */
  public boolean isCustom(String upstreamName) {
    return upstreamName != null && custom.contains(upstreamName);
  }

  /** The namespace of a function the model called, or null for a plain function. */
  public String namespaceOf(String upstreamName) {
    String[] n = upstreamName == null ? null : namespaced.get(upstreamName);
    return n == null ? null : n[0];
  }

  /** The function's name as the client offered it (inside its namespace, if any). */
  public String clientName(String upstreamName) {
    String[] n = upstreamName == null ? null : namespaced.get(upstreamName);
    return n == null ? upstreamName : n[1];
  }
}
