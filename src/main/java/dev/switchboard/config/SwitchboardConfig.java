package dev.switchboard.config;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One whole, validated version of config.yaml. Built once by {@link ConfigLoader}, never mutated,
 * swapped whole on reload: a request is served under exactly one of these.
 *
 * @param models      the model_list, in file order: every deployment (entries sharing a model_name form a group)
 * @param general     general_settings
 * @param router      router_settings / litellm_settings
 * @param switchboard switchboard_settings
 * @param warnings    what the loader noticed but accepted (unknown keys, an ignored database_url, ...)
 * @param source      where it came from (a file path), for messages
 */
public record SwitchboardConfig(
    List<ModelDeployment> models,
    GeneralSettings general,
    RouterSettings router,
    SwitchboardSettings switchboard,
    List<String> warnings,
    String source) {

  public SwitchboardConfig {
    models = List.copyOf(models);
    warnings = List.copyOf(warnings);
  }

  /** The first deployment of group {@code modelName}, if this config declares it. */
  public Optional<ModelDeployment> model(String modelName) {
    for (ModelDeployment m : models) {
      if (m.modelName().equals(modelName)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * Deployments by a name that stays put while the entry is edited: the model_name for a group's first
   * entry, {@code name#2}, {@code name#3} for the next ones, in file order. A reload compares these.
   */
  public Map<String, ModelDeployment> deploymentsBySlot() {
    Map<String, ModelDeployment> bySlot = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (ModelDeployment m : models) {
      int n = seen.merge(m.modelName(), 1, Integer::sum);
      bySlot.put(n == 1 ? m.modelName() : m.modelName() + "#" + n, m);
    }
    return bySlot;
  }
}
