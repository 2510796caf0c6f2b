package dev.switchboard.node;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Switchboard's version, from the build. */
public final class Version {

  public static final String VERSION = load();

  private Version() {
  }

  private static String load() {
    try (InputStream in = Version.class.getResourceAsStream("/switchboard-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
