package dev.switchboard.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The watcher's store: which versions of the config file it hands on to the ConfigRetriever, scan by scan. */
class ConfigFileStoreTest {

  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private JsonObject scan(ConfigFileStore store) throws Exception {
    return new JsonObject(store.get().await(10, TimeUnit.SECONDS));
  }

  @Test
  void fileCaughtHalfWrittenOnOneScanIsNeverHandedOn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "model_list: []\n");
    ConfigFileStore store = new ConfigFileStore(vertx, file);
    JsonObject first = scan(store);

    Files.writeString(file, "model_list:\n  - model_na"); // truncated, then caught before the rest is written
    assertThat(scan(store)).as("one scan of a half-written file").isEqualTo(first);
    Files.writeString(file, "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a}\n");
    assertThat(scan(store)).as("the next scan sees other bytes again: still nothing new").isEqualTo(first);
    JsonObject complete = scan(store);
    assertThat(complete).as("two scans agree on the complete file").isNotEqualTo(first);
    assertThat(complete.getLong("size")).isEqualTo(Files.size(file));
  }

  @Test
  void sameSizeRewriteIsANewVersion(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "general_settings: {master_key: sk-aaaa}\n");
    ConfigFileStore store = new ConfigFileStore(vertx, file);
    JsonObject first = scan(store);
    Files.writeString(file, "general_settings: {master_key: sk-bbbb}\n");
    scan(store);
    assertThat(scan(store)).as("same size, other bytes").isNotEqualTo(first);
  }

  @Test
  void symlinkSwappedUpTheChainIsANewVersion(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("v1"));
    Files.createDirectories(dir.resolve("v2"));
    Files.writeString(dir.resolve("v1/config.yaml"), "model_list: []\n");
    Files.writeString(dir.resolve("v2/config.yaml"), "model_list: []\n");
    Files.createSymbolicLink(dir.resolve("current"), dir.resolve("v1"));
    ConfigFileStore store = new ConfigFileStore(vertx, dir.resolve("current/config.yaml"));
    JsonObject first = scan(store);
    Files.delete(dir.resolve("current"));
    Files.createSymbolicLink(dir.resolve("current"), dir.resolve("v2")); // as Kubernetes swaps ..data
    scan(store);
    JsonObject swapped = scan(store);
    assertThat(swapped.getString("real_path")).endsWith("v2/config.yaml");
    assertThat(swapped).as("the same bytes elsewhere are another version").isNotEqualTo(first);
  }

  @Test
  void missingFileIsAVersionOfItsOwn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "model_list: []\n");
    ConfigFileStore store = new ConfigFileStore(vertx, file);
    JsonObject first = scan(store);
    Files.delete(file);
    scan(store);
    assertThat(scan(store)).as("deleted: the reloader is told, and reports it").isNotEqualTo(first);
  }
}
