package dev.switchboard.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads LiteLLM's config.yaml into one immutable {@link SwitchboardConfig}. LiteLLM sections are
 * read leniently (a key we do not use is a warning, never a failure, so a LiteLLM config loads as
 * is); {@code switchboard_settings} strictly.
 */
public final class ConfigLoader {

  private static final Set<String> TOP_LEVEL = Set.of("model_list", "general_settings", "litellm_settings",
      "router_settings", "environment_variables", "switchboard_settings");

  private ConfigLoader() {
  }

  /** Reads (blocking I/O — callers run it off the event loop), parses and validates a config.yaml. */
  public static SwitchboardConfig load(Path file, Map<String, String> env) throws ConfigException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ConfigException.file("cannot read config file " + file + ": " + reason(e, file));
    }
    return parse(text, file.toString(), env);
  }

  public static SwitchboardConfig parse(String yamlText, String source, Map<String, String> env)
      throws ConfigException {
    return build(YamlReader.read(yamlText, source), source, env);
  }

  public static SwitchboardConfig fromJson(JsonObject root, String source, Map<String, String> env)
      throws ConfigException {
    return build(YamlReader.normalize(root, source), source, env);
  }

  private static SwitchboardConfig build(Map<String, Object> root, String source, Map<String, String> realEnv)
      throws ConfigException {
    List<String> warnings = new ArrayList<>();
    Map<String, String> env = EnvResolver.withConfigVariables(root.get("environment_variables"), realEnv, source);
    Fields f = new Fields(source, env, warnings);
    for (String key : root.keySet()) {
      if (!TOP_LEVEL.contains(key)) {
        f.ignored(key);
      }
    }
    SettingsParser.General general = SettingsParser.general(root.get("general_settings"), f);
    RouterSettings router = SettingsParser.router(root.get("router_settings"), root.get("litellm_settings"), f);
    SwitchboardSettings switchboard = SwitchboardSettingsParser.parse(
        root.get("switchboard_settings"), general.maxBodyBytes(), f);
    ModelParser.Defaults defaults = new ModelParser.Defaults(
        router.timeout(), router.streamTimeout(), general.maxParallelRequests(), router.streamSilenceTimeout());
    List<ModelDeployment> models = ModelParser.parse(root.get("model_list"), defaults, f);
    return new SwitchboardConfig(models, general.settings(), router, switchboard, warnings, source);
  }

  private static String reason(IOException e, Path file) {
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof CharacterCodingException) {
      return "not UTF-8 text";
    }
    if (Files.isDirectory(file)) {
      return "it is a directory";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
