package dev.switchboard.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A docker-compose style {@code .env} file ({@code KEY=value}, {@code #} comments, optional
 * {@code export} and quotes). Its values only fill variables the real environment does not set.
 */
public final class EnvFile {

  /** The merged environment and what is worth a warning (e.g. a world-readable secrets file). */
  public record Loaded(Map<String, String> env, List<String> warnings, Path file) {
  }

  private EnvFile() {
  }

  /**
   * Loads {@code file} (if it exists) under {@code processEnv}. {@code required}: a missing file is
   * an error (the user named it); otherwise it is simply skipped.
   */
  public static Loaded load(Path file, boolean required, Map<String, String> processEnv) throws ConfigException {
    Map<String, String> env = new HashMap<>(processEnv);
    List<String> warnings = new ArrayList<>();
    if (file == null || !Files.exists(file)) {
      if (required) {
        throw ConfigException.at(String.valueOf(file), "", "env file not found");
      }
      return new Loaded(env, warnings, null);
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw ConfigException.at(file.toString(), "", "cannot read env file: " + e.getMessage());
    }
    Map<String, String> fromFile = parse(lines, file);
    fromFile.forEach(env::putIfAbsent);
    if (worldReadable(file)) {
      warnings.add(file + " is readable by every user; it holds secrets: chmod 640 it (as the LiteLLM setup does)");
    }
    return new Loaded(env, warnings, file);
  }

  static Map<String, String> parse(List<String> lines, Path file) throws ConfigException {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring(7).strip();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw ConfigException.at(file.toString(), "line " + (i + 1), "expected KEY=value");
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
          || value.startsWith("'") && value.endsWith("'"))) {
        value = value.substring(1, value.length() - 1);
      } else {
        int hash = value.indexOf(" #");
        if (hash >= 0) {
          value = value.substring(0, hash).strip();
        }
      }
      out.put(key, value);
    }
    return out;
  }

  private static boolean worldReadable(Path file) {
    try {
      return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
