package dev.switchboard.config;

/**
 * A config.yaml that cannot be used. The message is one line a user can act on without a stack
 * trace: {@code "<source>: <yaml path>: <what is wrong> (expected: ...)"}.
 */
public final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String path;

  private ConfigException(String message, String path) {
    super(message, null, false, false);
    this.path = path;
  }

  /** A problem at {@code path} ("" for the file as a whole) of the config read from {@code source}. */
  static ConfigException at(String source, String path, String what) {
    StringBuilder message = new StringBuilder(source).append(": ");
    if (!path.isEmpty()) {
      message.append(path).append(": ");
    }
    return new ConfigException(oneLine(message.append(what).toString()), path);
  }

  /** A file-level problem whose message already says which file. */
  static ConfigException file(String message) {
    return new ConfigException(oneLine(message), "");
  }

  /** The YAML path of the offending value, like {@code model_list[2].litellm_params.api_base}; "" for the whole file. */
  public String path() {
    return path;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ");
  }
}
