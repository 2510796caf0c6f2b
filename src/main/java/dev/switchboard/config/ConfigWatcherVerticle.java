package dev.switchboard.config;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.CRC32;

/**
 * Notices that the config file changed and says so ({@code onChange}); what a change means is the
 * reloader's business. Every scan period it resolves the file's real path and reads its bytes, on a
 * worker thread, and fires once the same new content has been seen on two scans in a row.
 *
 * <p>Why polling rather than vertx-config's file store or a {@code WatchService}: resolving the real path
 * on every scan sees in-place writes, editors that rename over the file and Kubernetes/compose symlink
 * swaps alike, where a {@code WatchService} watches a directory entry and misses a swap further up the
 * link chain. vertx-config would parse with its own YAML reader (not the one startup and
 * {@code --check-config} use, so other messages), knows nothing of {@code os.environ/} or
 * {@code environment_variables}, logs a failing file on every scan, and reads a zero-length file as
 * {@code {}}. Comparing bytes, not mtime, also catches two same-size writes within one mtime tick. A
 * config is a few kilobytes: reading it twice a second costs nothing. Requiring the same content twice
 * means a file caught half-written (truncate, then write) is not handed on; an empty file is invalid
 * anyway ({@link YamlReader}).
 */
public final class ConfigWatcherVerticle extends VerticleBase {

  /** What identifies one version of the file: where it really is and what it holds. */
  record Stamp(String realPath, long size, long crc) {
    static final Stamp MISSING = new Stamp(null, -1, 0);

    /** Blocking: reads the file. */
    static Stamp of(Path file) {
      try {
        Path real = file.toRealPath();
        byte[] bytes = Files.readAllBytes(real);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return new Stamp(real.toString(), bytes.length, crc.getValue());
      } catch (IOException | SecurityException e) {
        return MISSING;
      }
    }
  }

  private final Path file;
  private final long periodMs;
  private final Runnable onChange;
  /** The version last handed on (or loaded at start): no event until the file differs from it. */
  private Stamp handled;
  /** What the previous scan saw: a change fires only when two scans agree. */
  private Stamp seen;
  private long timerId = -1;
  private boolean stopped;

  public ConfigWatcherVerticle(Path file, Duration period, Runnable onChange) {
    this.file = file;
    this.periodMs = Math.max(10, period.toMillis());
    this.onChange = onChange;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> Stamp.of(file)).onSuccess(s -> {
      handled = s;
      seen = s;
      schedule();
    });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timerId);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timerId = vertx.setTimer(periodMs, id -> scan());
    }
  }

  /** The next scan is scheduled only once this one is done, so a slow disk never stacks scans up. */
  private void scan() {
    vertx.executeBlocking(() -> Stamp.of(file)).onComplete(ar -> {
      Stamp now = ar.succeeded() ? ar.result() : Stamp.MISSING;
      if (now.equals(seen) && !now.equals(handled)) {
        handled = now;
        onChange.run();
      }
      seen = now;
      schedule();
    });
  }
}
