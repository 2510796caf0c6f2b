package dev.switchboard.config;

import io.vertx.config.spi.ConfigStore;
import io.vertx.config.spi.ConfigStoreFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The config file as a vertx-config store: what it yields is not the config but the version of the file
 * (its real path, size and checksum), so that {@code ConfigRetriever} notices a change and the reloader
 * then loads the file itself, with the YAML reader, {@code os.environ/} resolution and messages that
 * start-up and {@code --check-config} use.
 *
 * <p>Why not vertx-config's own file store: it reads the path it was given, so a Kubernetes or compose
 * symlink swap further up the link chain goes unseen, and it hands on whatever it read, so a file caught
 * half-written (truncate, then write) would be loaded, fail, and be logged as a broken config. Here the
 * real path is resolved on every scan (in-place writes, editors that rename over the file and symlink
 * swaps alike), bytes are compared rather than mtimes (two same-size writes within one mtime tick), and a
 * new version is yielded only once two scans in a row agree on it. Reading a file of a few kilobytes
 * twice a second costs nothing; it is done on a worker thread.
 */
public final class ConfigFileStore implements ConfigStore {

  /** The store's type name in {@code ConfigStoreOptions}. */
  public static final String TYPE = "switchboard-config-file";

  /** What identifies one version of the file: where it really is and what it holds. */
  record Version(String realPath, long size, long crc) {
    static final Version MISSING = new Version(null, -1, 0);

    /** Blocking: reads the file. */
    static Version of(Path file) {
      try {
        Path real = file.toRealPath();
        byte[] bytes = Files.readAllBytes(real);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return new Version(real.toString(), bytes.length, crc.getValue());
      } catch (IOException | SecurityException e) {
        return MISSING;
      }
    }

    Buffer toBuffer() {
      return new JsonObject().put("real_path", realPath).put("size", size).put("crc", crc).toBuffer();
    }
  }

  private final Vertx vertx;
  private final Path file;
  /** The version handed on last: it changes only when two scans in a row agree on another. */
  private Version stable;
  /** What the previous scan saw. */
  private Version previous;

  ConfigFileStore(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  @Override
  public Future<Buffer> get() {
    return vertx.executeBlocking(() -> Version.of(file)).map(now -> {
      if (stable == null) {
        stable = now; // the first scan: the version the node started with
      } else if (now.equals(previous)) {
        stable = now;
      }
      previous = now;
      return stable.toBuffer();
    });
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** Registered in {@code META-INF/services}; {@code config.path} is the config file. */
  public static final class Factory implements ConfigStoreFactory {
    @Override
    public String name() {
      return TYPE;
    }

    @Override
    public ConfigStore create(Vertx vertx, JsonObject configuration) {
      return new ConfigFileStore(vertx, Path.of(configuration.getString("path")));
    }
  }
}
