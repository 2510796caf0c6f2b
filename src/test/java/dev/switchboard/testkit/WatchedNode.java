package dev.switchboard.testkit;

import dev.switchboard.bus.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A {@link TestNode} whose config lives in a file it reloads from, with the reload events it publishes
 * collected in order. Started from the file's text, so nothing reloads until the file changes.
 */
public final class WatchedNode implements AutoCloseable {

  public static final Map<String, String> ENV = Map.of("TEST_MASTER_KEY", TestNode.KEY);

  private final TestNode node;
  private final Path file;
  private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
  private MessageConsumer<JsonObject> consumer;

  private WatchedNode(TestNode node, Path file) {
    this.node = node;
    this.file = file;
  }

  /** Writes {@code yaml} to {@code file} unless it exists, starts a node on it and, with a {@code period}, watches it. */
  public static WatchedNode start(Vertx vertx, Path file, String yaml, Duration period) {
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, yaml);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    WatchedNode w = new WatchedNode(TestNode.start(vertx, yaml), file);
    w.consumer = vertx.eventBus().consumer(Addresses.CONFIG_RELOADED, m -> w.events.add(m.body()));
    w.consumer.completion().await();
    if (period != null) {
      w.node.node().reloader().watch(file, ENV, period).await();
    } else {
      w.node.node().reloader().use(file, ENV);
    }
    return w;
  }

  public TestNode http() {
    return node;
  }

  public Path file() {
    return file;
  }

  /** Rewrites the file in place (truncate, then write), as most editors and {@code >} do. */
  public void write(String yaml) {
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes a temporary file beside it and renames it over the config, as vim and atomic writers do. */
  public void renameOver(String yaml) {
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".config", ".tmp");
      Files.writeString(tmp, yaml);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next reload event, or a failed test after {@code max}. */
  public JsonObject nextEvent(Duration max) {
    try {
      JsonObject e = events.poll(max.toMillis(), TimeUnit.MILLISECONDS);
      if (e == null) {
        throw new AssertionError("no config reload event within " + max.toMillis() + " ms");
      }
      return e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public BlockingQueue<JsonObject> events() {
    return events;
  }

  /** The model ids GET /v1/models lists now. */
  public Set<String> models() {
    JsonObject list = new JsonObject(node.get("/v1/models").body());
    return list.getJsonArray("data").stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  /** The config section of /health/readiness. */
  public JsonObject readiness() {
    return new JsonObject(node.get("/health/readiness").body()).getJsonObject("config");
  }

  @Override
  public void close() {
    consumer.unregister().await();
    node.close();
  }
}
