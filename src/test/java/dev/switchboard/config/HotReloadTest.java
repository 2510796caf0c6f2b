package dev.switchboard.config;

import dev.switchboard.node.ConfigReloader;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.WatchedNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Editing config.yaml is the whole workflow: the watcher (default scan period) applies it, nothing dropped. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HotReloadTest {

  private static final Duration WITHIN = Duration.ofSeconds(3);

  private FakeOpenAiBackend a;
  private FakeOpenAiBackend b;
  private WatchedNode node;

  @BeforeEach
  void start(Vertx vertx) {
    a = FakeOpenAiBackend.start(vertx);
    b = FakeOpenAiBackend.start(vertx);
  }

  @AfterEach
  void stop() {
    if (node != null) {
      node.close();
    }
    a.close();
    b.close();
  }

  static String model(String name, FakeOpenAiBackend backend) {
    return """
          - model_name: %s
            litellm_params: {model: openai/%s-backend, api_base: %s}
        """.formatted(name, name, backend.apiBase());
  }

  static String config(String... models) {
    return "model_list:\n" + String.join("", models)
        + "general_settings:\n  master_key: os.environ/TEST_MASTER_KEY\n";
  }

  static String chat(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
  }

  private WatchedNode watch(Vertx vertx, Path file, String yaml) {
    node = WatchedNode.start(vertx, file, yaml, ConfigReloader.SCAN_PERIOD);
    return node;
  }

  @Test
  void addedModelIsListedAndServedWithinThreeSeconds(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));
    long t0 = System.nanoTime();

    node.write(config(model("steady", a), model("fresh", b)));

    Await.until(WITHIN, "fresh listed in /v1/models", () -> node.models().contains("fresh"));
    assertThat(node.http().post("/v1/chat/completions", chat("fresh", false)).statusCode()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WITHIN);
    assertThat(b.received()).hasSize(1);
    assertThat(b.last().body().getString("model")).isEqualTo("fresh-backend");
    JsonObject event = node.nextEvent(WITHIN);
    assertThat(event.getBoolean("ok")).isTrue();
    assertThat(event.getString("source")).isEqualTo("file");
    assertThat(event.getJsonArray("added").getList()).containsExactly("fresh");
  }

  @Test
  void editSavedWhileTheNodeWasStartingIsApplied(Vertx vertx, @TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    // The node starts from the file as it was read; by the time it watches, the file says more.
    Files.writeString(file, config(model("steady", a), model("fresh", b)));
    watch(vertx, file, config(model("steady", a)));

    Await.until(WITHIN, "fresh listed in /v1/models", () -> node.models().contains("fresh"));
    assertThat(node.nextEvent(WITHIN).getJsonArray("added").getList()).containsExactly("fresh");
  }

  @Test
  void removedModelsStreamThatOutlivesTheGraceIsCutWithAClearError(Vertx vertx, @TempDir Path dir) throws Exception {
    String[] chunks = IntStream.range(0, 30).mapToObj(i -> "c" + i).toArray(String[]::new);
    a.behave(a.streaming("doomed-backend", 200, chunks));
    String grace = "switchboard_settings:\n  shutdown_grace: 1\n";
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", b), model("doomed", a)) + grace);
    HttpResponse<Stream<String>> stream = node.http().postStreaming("/v1/chat/completions", chat("doomed", true));
    Iterator<String> lines = stream.body().iterator();
    assertThat(CompletableFuture.supplyAsync(lines::next).get(5, TimeUnit.SECONDS)).contains("\"content\":\"c0\"");

    node.write(config(model("steady", b)) + grace);
    node.nextEvent(WITHIN);
    long removed = System.nanoTime();

    List<String> rest = CompletableFuture.supplyAsync(() -> {
      List<String> out = new ArrayList<>();
      lines.forEachRemaining(out::add);
      return out;
    }).get(8, TimeUnit.SECONDS);
    // Cut when the grace runs out, saying why: not left to time out as a lost peer.
    assertThat(Duration.ofNanos(System.nanoTime() - removed)).isLessThan(Duration.ofMillis(2_000));
    assertThat(rest).doesNotContain("data: [DONE]")
        .anySatisfy(l -> assertThat(l).contains("\"error\"").contains("shutdown_grace"));
    a.clientClosed().get(2, TimeUnit.SECONDS);
  }

  @Test
  void removedModelTurnsUnknownWhileItsRunningStreamCompletes(Vertx vertx, @TempDir Path dir) throws Exception {
    String[] chunks = IntStream.range(0, 20).mapToObj(i -> "c" + i).toArray(String[]::new);
    a.behave(a.streaming("doomed-backend", 150, chunks));
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", b), model("doomed", a)));
    HttpResponse<Stream<String>> stream = node.http().postStreaming("/v1/chat/completions", chat("doomed", true));
    Iterator<String> lines = stream.body().iterator();
    assertThat(CompletableFuture.supplyAsync(lines::next).get(5, TimeUnit.SECONDS)).contains("\"content\":\"c0\"");

    node.write(config(model("steady", b)));

    Await.until(WITHIN, "doomed gone from /v1/models", () -> !node.models().contains("doomed"));
    assertThat(a.inFlight()).as("the stream is still running when the model turns unknown").isEqualTo(1);
    HttpResponse<String> refused = node.http().post("/v1/chat/completions", chat("doomed", false));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).contains("Invalid model name passed in model=doomed");
    List<String> rest = CompletableFuture.supplyAsync(() -> {
      List<String> out = new ArrayList<>();
      lines.forEachRemaining(out::add);
      return out;
    }).get(8, TimeUnit.SECONDS);
    assertThat(rest).contains("data: [DONE]").anySatisfy(l -> assertThat(l).contains("\"content\":\"c19\""));
    assertThat(rest).noneSatisfy(l -> assertThat(l).contains("\"error\""));
  }

  @Test
  void changedApiBaseSendsNewRequestsToTheNewBackend(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("moving", a)));
    assertThat(node.http().post("/v1/chat/completions", chat("moving", false)).statusCode()).isEqualTo(200);

    node.write(config(model("moving", b)));

    JsonObject event = node.nextEvent(WITHIN);
    assertThat(event.getJsonArray("changed").getList()).containsExactly("moving");
    for (int i = 0; i < 4; i++) {
      assertThat(node.http().post("/v1/chat/completions", chat("moving", false)).statusCode()).isEqualTo(200);
    }
    assertThat(a.received()).as("the old backend gets nothing after the reload").hasSize(1);
    assertThat(b.received()).hasSize(4);
  }

  @Test
  void invalidYamlKeepsOldConfigAndShowsTheErrorUntilFixed(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));

    node.write("model_list:\n  - model_name: steady\n    litellm_params: {model: openai/x\n");

    JsonObject failure = node.nextEvent(WITHIN);
    assertThat(failure.getBoolean("ok")).isFalse();
    assertThat(failure.getString("error")).contains("config.yaml: invalid YAML at line");
    JsonObject ready = node.readiness();
    assertThat(ready.getString("last_reload_error")).isEqualTo(failure.getString("error"));
    assertThat(ready.getString("last_reload_error_at")).isNotNull();
    assertThat(node.http().post("/v1/chat/completions", chat("steady", false)).statusCode()).isEqualTo(200);
    assertThat(node.models()).containsExactly("steady");

    node.write(config(model("steady", a), model("second", b)));

    JsonObject fixed = node.nextEvent(WITHIN);
    assertThat(fixed.getBoolean("ok")).isTrue();
    assertThat(node.readiness().getValue("last_reload_error")).isNull();
    assertThat(node.models()).containsExactlyInAnyOrder("steady", "second");
    assertThat(node.events()).as("one event per file version, not one per scan").isEmpty();
  }

  @Test
  void invalidValueIsReportedWithItsYamlPath(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));

    node.write(config(model("steady", a)).replace("api_base: ", "timeout: abc, api_base: "));

    JsonObject failure = node.nextEvent(WITHIN);
    assertThat(failure.getString("path")).isEqualTo("model_list[0].litellm_params.timeout");
    assertThat(node.readiness().getString("last_reload_error")).contains("model_list[0].litellm_params.timeout");
  }

  @Test
  void emptyFileIsAnErrorNotAnEmptyConfig(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));

    node.write("");

    JsonObject failure = node.nextEvent(WITHIN);
    assertThat(failure.getBoolean("ok")).isFalse();
    assertThat(failure.getString("error")).contains("the file is empty");
    assertThat(node.models()).containsExactly("steady");
  }

  @Test
  void rewriteByRenameIsSeen(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));

    node.renameOver(config(model("steady", a), model("renamed-in", b)));

    Await.until(WITHIN, "renamed-in listed", () -> node.models().contains("renamed-in"));
    assertThat(node.http().post("/v1/chat/completions", chat("renamed-in", false)).statusCode()).isEqualTo(200);
  }

  /** Kubernetes ConfigMap volumes: config.yaml -> ..data/config.yaml, and ..data is swapped by a rename. */
  @Test
  void symlinkSwapIsSeen(Vertx vertx, @TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("v1"));
    Files.createDirectories(dir.resolve("v2"));
    Files.writeString(dir.resolve("v1/config.yaml"), config(model("steady", a)));
    Files.writeString(dir.resolve("v2/config.yaml"), config(model("steady", a), model("swapped-in", b)));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("v1"));
    Files.createSymbolicLink(dir.resolve("config.yaml"), Path.of("..data/config.yaml"));
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));

    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("v2"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

    Await.until(WITHIN, "swapped-in listed", () -> node.models().contains("swapped-in"));
    assertThat(node.http().post("/v1/chat/completions", chat("swapped-in", false)).statusCode()).isEqualTo(200);
  }

  @Test
  void masterKeySwitchesWithTheFile(Vertx vertx, @TempDir Path dir) {
    watch(vertx, dir.resolve("config.yaml"), config(model("steady", a)));

    node.write(config(model("steady", a)).replace("os.environ/TEST_MASTER_KEY", "sk-rotated"));

    JsonObject event = node.nextEvent(WITHIN);
    assertThat(event.getString("status")).isEqualTo("reloaded");
    assertThat(event.getJsonArray("changed")).as("no model verticle rebuilt for a new key").isEmpty();
    assertThat(node.http().get("/v1/models").statusCode()).isEqualTo(401);
    assertThat(node.http().getWithHeaders("/v1/models", "Authorization", "Bearer sk-rotated").statusCode())
        .isEqualTo(200);
  }
}
