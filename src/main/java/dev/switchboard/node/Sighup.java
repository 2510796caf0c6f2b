package dev.switchboard.node;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -HUP <pid>} reloads the config, as for nginx and most daemons. sun.misc.Signal is the
 * only way a JVM can catch a signal; where it is missing or HUP is not a signal (Windows), or the JVM
 * runs with -Xrs, reloads still come from file changes and POST /config/reload. JVM-wide: installed
 * by {@link Launcher} only, never in tests.
 */
final class Sighup {

  private static final Logger LOG = LoggerFactory.getLogger(Sighup.class);

  private Sighup() {
  }

  static void install(Runnable onHup) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> onHup.run());
    } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
      LOG.info("SIGHUP reload not available here ({}); file changes and POST /config/reload still reload", e.toString());
    }
  }
}
