package dev.switchboard.cluster;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.NodeProcess;
import dev.switchboard.testkit.SseReader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the multi-JVM cluster specs share: nodes started as processes of their own on loopback, in a
 * cluster of a unique name (so that parallel runs never join each other), and a small HTTP client.
 */
@ExtendWith(VertxExtension.class)
abstract class ClusterSpec {

  static final String KEY = "sk-cluster-test";
  static final Duration JOIN = Duration.ofSeconds(60);
  /** The bound is 2 s; a little slack for a loaded 2-core CI machine. */
  static final long FAIL_FAST_MS = 2_500;

  @TempDir
  Path dir;

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  final List<NodeProcess> nodes = new ArrayList<>();
  final String cluster = "test-" + UUID.randomUUID();

  @AfterEach
  void stopNodes() {
    nodes.forEach(NodeProcess::close);
  }

  NodeProcess node(String name, String modelList) {
    return nodeWith(name, modelList, "");
  }

  /** {@code clusterExtra}: more YAML under switchboard_settings.cluster (e.g. tls). */
  NodeProcess nodeWith(String name, String modelList, String clusterExtra, String... extraArgs) {
    String yaml = modelList + "\n" + """
        general_settings:
          master_key: %s
        switchboard_settings:
          cluster:
            name: %s
        %s""".formatted(KEY, cluster, clusterExtra.indent(4));
    List<String> args = new ArrayList<>(List.of("--cluster"));
    args.addAll(List.of(extraArgs));
    NodeProcess n = NodeProcess.start(dir, name, yaml, args.toArray(String[]::new));
    nodes.add(n);
    return n;
  }

  static String gpuConfig(String apiBase) {
    return """
        model_list:
          - model_name: qwen3-coder
            litellm_params:
              model: openai/qwen3-coder-30b
              api_base: %s
        """.formatted(apiBase);
  }

  void awaitListed(NodeProcess node, String model) {
    Await.until(JOIN, model + " listed by " + node.baseUrl(), () -> listed(node).contains(model));
  }

  /** Until a request is served: right after a join the first few may still find no route. */
  void awaitServed(NodeProcess front) {
    Await.until(Duration.ofSeconds(20), "a chat completion served through " + front.baseUrl(),
        () -> chat(front, false).statusCode() == 200);
  }

  List<String> listed(NodeProcess node) {
    HttpResponse<String> r = get(node, "/v1/models");
    if (r.statusCode() != 200) {
      return List.of();
    }
    JsonArray data = new JsonObject(r.body()).getJsonArray("data");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      ids.add(data.getJsonObject(i).getString("id"));
    }
    return ids;
  }

  JsonArray modelInfo(NodeProcess node) {
    return new JsonObject(get(node, "/model/info").body()).getJsonArray("data");
  }

  HttpResponse<String> chat(NodeProcess node, boolean stream) {
    return chat(node, "qwen3-coder", stream);
  }

  HttpResponse<String> chat(NodeProcess node, String model, boolean stream) {
    try {
      return http.send(chatRequest(node, model, stream), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  SseReader openStream(NodeProcess node) throws Exception {
    HttpResponse<InputStream> r = http.send(chatRequest(node, "qwen3-coder", true),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    return new SseReader(r.body());
  }

  HttpRequest chatRequest(NodeProcess node, String model, boolean stream) {
    String body = new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "ping"))).encode();
    return HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  HttpResponse<String> get(NodeProcess node, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + path))
          .header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(10)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject error(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonObject("error");
  }

  static void assertErrorEvent(SseReader stream) {
    List<String> events = stream.events();
    assertThat(events).as("events").isNotEmpty();
    String last = events.get(events.size() - 1);
    assertThat(last).as("the last event is an error, not a normal end").startsWith("{\"error\"");
    assertThat(new JsonObject(last).getJsonObject("error").getString("code")).isEqualTo("503");
    assertThat(events).doesNotContain("[DONE]");
  }

  static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
