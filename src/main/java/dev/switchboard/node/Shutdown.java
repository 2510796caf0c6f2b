package dev.switchboard.node;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Graceful shutdown on SIGTERM and SIGINT: stop accepting, let requests in flight finish within the
 * grace period, close, and exit 0 (a plain JVM would exit 143 on SIGTERM, which orchestrators read as
 * a crash). A JVM shutdown hook covers every other way out. Runs once, however it is triggered.
 */
final class Shutdown {

  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  private final Switchboard node;
  private final long graceMs;
  private final AtomicBoolean started = new AtomicBoolean();

  private Shutdown(Switchboard node, long graceMs) {
    this.node = node;
    this.graceMs = graceMs;
  }

  static void install(Switchboard node, long graceMs) {
    Shutdown s = new Shutdown(node, graceMs);
    for (String sig : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(sig), signal -> new Thread(() -> {
          s.run("SIG" + sig);
          System.exit(0);
        }, "switchboard-signal").start());
      } catch (IllegalArgumentException | UnsupportedOperationException notHere) {
        // Not on this platform; the shutdown hook still runs.
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> s.run("JVM shutdown"), "switchboard-shutdown"));
  }

  private void run(String why) {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    LOG.info("{}: shutting down; finishing requests in flight (grace {} s)", why, graceMs / 1000);
    try {
      node.close().await(graceMs * 2 + 5_000, TimeUnit.MILLISECONDS);
      // Closed from this thread, not composed on an event loop that the close itself terminates.
      node.vertx().close().await(5_000, TimeUnit.MILLISECONDS);
      LOG.info("Shutdown complete.");
    } catch (Exception e) {
      LOG.warn("Shutdown did not complete cleanly: {}", e.toString());
    }
    flushLogs();
  }

  /**
   * Log lines go out through async appenders (conf/logback.xml); the JVM exits right after this, so
   * drain them first, or the last lines (what was cut, "Shutdown complete.") may never be written.
   */
  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) {
      logback.stop();
    }
  }
}
