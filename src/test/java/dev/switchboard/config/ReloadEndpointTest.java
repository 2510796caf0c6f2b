package dev.switchboard.config;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.WatchedNode;
import io.vertx.core.Future;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.config.HotReloadTest.chat;
import static dev.switchboard.config.HotReloadTest.config;
import static dev.switchboard.config.HotReloadTest.model;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /config/reload and reloads asked for in code: no file watch, so each reload is the one asked for. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReloadEndpointTest {

  private static final Duration WITHIN = Duration.ofSeconds(3);

  private FakeOpenAiBackend a;
  private FakeOpenAiBackend b;
  private WatchedNode node;

  @BeforeEach
  void start(Vertx vertx, @TempDir Path dir) {
    a = FakeOpenAiBackend.start(vertx);
    b = FakeOpenAiBackend.start(vertx);
    node = WatchedNode.start(vertx, dir.resolve("config.yaml"),
        config(model("steady", a), model("gone", a), model("moving", a)), null);
  }

  @AfterEach
  void stop() {
    node.close();
    a.close();
    b.close();
  }

  @Test
  void postAnswersWhatChanged() {
    node.write(config(model("steady", a), model("moving", b), model("fresh", b)));

    HttpResponse<String> resp = node.http().post("/config/reload", "");

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(resp.body())).isEqualTo(new JsonObject("""
        {"status":"reloaded","added":["fresh"],"removed":["gone"],"changed":["moving"]}"""));
    assertThat(node.models()).containsExactlyInAnyOrder("steady", "moving", "fresh");
    JsonObject event = node.nextEvent(WITHIN);
    assertThat(event.getString("source")).isEqualTo("http");
    assertThat(event.getInteger("version")).isEqualTo(1);
    assertThat(event.getString("node")).isEqualTo(node.http().node().nodeId());
    assertThat(event.getLong("ts")).isPositive();
    assertThat(event.getJsonArray("removed").getList()).containsExactly("gone");

    HttpResponse<String> again = node.http().post("/config/reload", "");
    assertThat(new JsonObject(again.body()).getString("status")).isEqualTo("unchanged");
  }

  @Test
  void postAnswersTheValidationErrorAndKeepsTheConfig() {
    node.write(config(model("steady", a), model("other", b)).replace(b.apiBase(), "os.environ/NOT_SET_ANYWHERE"));

    HttpResponse<String> resp = node.http().post("/config/reload", "");

    assertThat(resp.statusCode()).isEqualTo(400);
    JsonObject error = new JsonObject(resp.body()).getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error.getString("param")).isEqualTo("model_list[1].litellm_params.api_base");
    assertThat(error.getString("message")).contains("environment variable NOT_SET_ANYWHERE is not set");
    assertThat(error.getString("code")).isEqualTo("400");
    assertThat(node.models()).containsExactlyInAnyOrder("steady", "gone", "moving");
    assertThat(node.readiness().getString("last_reload_error")).contains("NOT_SET_ANYWHERE");
    JsonObject event = node.nextEvent(WITHIN);
    assertThat(event.getBoolean("ok")).isFalse();
    assertThat(event.getString("path")).isEqualTo("model_list[1].litellm_params.api_base");
    assertThat(node.http().post("/v1/chat/completions", chat("steady", false)).statusCode()).isEqualTo(200);
  }

  @Test
  void postNeedsTheMasterKey() {
    HttpResponse<String> resp = node.http().post("/config/reload", "", "X-Nothing", "none");

    assertThat(resp.statusCode()).isEqualTo(401);
    assertThat(node.events()).isEmpty();
  }

  @Test
  void reloadsAskedDuringAReloadRunOnceMoreAfterIt() throws Exception {
    node.write(config(model("steady", a), model("fresh", b)));
    List<Future<?>> asked = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      asked.add(node.http().node().reloader().reload("test"));
    }

    Future.all(asked).await(5, TimeUnit.SECONDS);

    assertThat(node.nextEvent(WITHIN).getJsonArray("added").getList()).containsExactly("fresh");
    assertThat(node.nextEvent(WITHIN).getString("status")).isEqualTo("unchanged");
    assertThat(node.events().poll(300, TimeUnit.MILLISECONDS)).as("no third reload").isNull();
  }

  @Test
  void aCommentTouchesNoModelButNumRetriesRebuildsThemAll() {
    String models = config(model("steady", a), model("gone", a), model("moving", a));
    node.write(models.replace("os.environ/TEST_MASTER_KEY", "os.environ/TEST_MASTER_KEY  # same key, new comment"));
    assertThat(new JsonObject(node.http().post("/config/reload", "").body()).getString("status")).isEqualTo("unchanged");

    node.write(models + "router_settings:\n  num_retries: 5\n");
    JsonObject resp = new JsonObject(node.http().post("/config/reload", "").body());

    assertThat(resp.getJsonArray("changed").getList()).containsExactlyInAnyOrder("steady", "gone", "moving");
    assertThat(node.http().post("/v1/chat/completions", chat("steady", false)).statusCode()).isEqualTo(200);
  }

  @Test
  void switchboardSettingsWaitForARestart() {
    long before = node.http().node().config().current().switchboard().queueSize();
    node.write(config(model("steady", a), model("gone", a), model("moving", a))
        + "switchboard_settings:\n  queue_size: " + (before + 7) + "\n");

    HttpResponse<String> resp = node.http().post("/config/reload", "");

    assertThat(new JsonObject(resp.body()).getString("status")).isEqualTo("unchanged");
    assertThat(node.http().node().config().current().switchboard().queueSize()).isEqualTo(before);
  }
}
