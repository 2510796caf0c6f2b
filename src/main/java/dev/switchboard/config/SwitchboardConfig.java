package dev.switchboard.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One whole, validated version of config.yaml. Built once by {@link ConfigLoader}, never mutated,
 * swapped whole on reload: a request is served under exactly one of these.
 *
 * @param models      the model_list, in file order, one entry per model_name
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

  /** The deployment serving {@code modelName}, if this config declares it. */
  public Optional<ModelDeployment> model(String modelName) {
    for (ModelDeployment m : models) {
      if (m.modelName().equals(modelName)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /** Models by name, in file order. */
  public Map<String, ModelDeployment> modelsByName() {
    Map<String, ModelDeployment> byName = new LinkedHashMap<>();
    models.forEach(m -> byName.put(m.modelName(), m));
    return byName;
  }
}
