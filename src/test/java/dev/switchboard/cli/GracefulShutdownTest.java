package dev.switchboard.cli;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** SIGTERM during a stream: the stream completes, then the process exits 0. */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @TempDir
  Path dir;

  @Test
  void sigtermLetsTheRunningStreamFinishAndExitsZero(Vertx vertx) throws Exception {
    FakeOpenAiBackend backend = FakeOpenAiBackend.start(vertx);
    backend.behave(backend.streaming("m", 150, "one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("config.yaml"), """
        model_list:
          - model_name: slow
            litellm_params: {model: openai/m, api_base: %s}
        switchboard_settings:
          shutdown_grace: 10
        """.formatted(backend.apiBase()));
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.switchboard.Main", "--config", "config.yaml",
        "--host", "127.0.0.1", "--port", String.valueOf(port))
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String base = "http://127.0.0.1:" + port;
      // A JVM's start-up: a second idle, much more on a loaded 2-core machine.
      Await.until(Duration.ofSeconds(60), "the node answering /health/liveliness", () -> {
        assertThat(p.isAlive()).as("the node process is running").isTrue();
        try {
          return http.send(HttpRequest.newBuilder(URI.create(base + "/health/liveliness"))
                  .timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException notYet) { // refused, or (a bounded wait) not answered yet
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });

      CompletableFuture<HttpResponse<String>> stream = http.sendAsync(HttpRequest.newBuilder(
              URI.create(base + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"slow\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      backend.firstRequest().get(10, TimeUnit.SECONDS);

      p.destroy(); // SIGTERM

      HttpResponse<String> resp = stream.get(15, TimeUnit.SECONDS);
      assertThat(resp.body()).contains("eight").endsWith("data: [DONE]\n\n");
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
      List<String> log = Files.readAllLines(dir.resolve("out.log"));
      assertThat(log).anyMatch(l -> l.contains("shutting down")).anyMatch(l -> l.contains("Shutdown complete"));
    } finally {
      p.destroyForcibly();
      backend.close();
    }
  }
}
