package dev.switchboard.testkit;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.node.Switchboard;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Switchboard node started in-process on a free port from YAML text, and a tiny HTTP client for it.
 * Requests go out on the test thread (never an event loop) with the JDK's HttpClient.
 */
public final class TestNode implements AutoCloseable {

  public static final String KEY = "sk-test-master";

  private final Switchboard node;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(Switchboard node) {
    this.node = node;
  }

  /** Starts a node; {@code yaml} may use {@code os.environ/KEY} for the master key {@link #KEY}. */
  public static TestNode start(Vertx vertx, String yaml) {
    return new TestNode(Switchboard.start(vertx, config(yaml), Switchboard.Options.onPort(0)).await());
  }

  /** Starts a node with explicit options (e.g. an event bridge port); the API port is always a free one. */
  public static TestNode start(Vertx vertx, String yaml, Switchboard.Options options) {
    return new TestNode(Switchboard.start(vertx, config(yaml), options).await());
  }

  public static SwitchboardConfig config(String yaml) {
    try {
      return ConfigLoader.parse(yaml, "test.yaml", Map.of("TEST_MASTER_KEY", KEY));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  public Switchboard node() {
    return node;
  }

  /** The state address of the first deployment of group {@code model} (deployments are addressed by id). */
  public String stateAddress(String model) {
    return dev.switchboard.bus.Addresses.state(node.config().current().model(model).orElseThrow().id());
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + node.port();
  }

  /**
   * The official OpenAI Java SDK pointed at this node's {@code /v1} with the master key; the caller closes it.
   * Retries are off: the SDK would otherwise retry a 408, 429 or 5xx on its own, and a spec must see the node's
   * first answer and the backend's real request count.
   */
  public OpenAIClient openAiClient() {
    return OpenAIOkHttpClient.builder().baseUrl(baseUrl() + "/v1").apiKey(KEY).maxRetries(0).build();
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Authorization", "Bearer " + KEY).GET());
  }

  public HttpResponse<String> getWithHeaders(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  public HttpResponse<String> post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).header("Authorization", "Bearer " + KEY)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> post(String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  /** An OPTIONS request (a browser's CORS preflight), without the key. */
  public HttpResponse<String> options(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  /** Posts and returns the body as a stream of lines, readable while the server is still writing. */
  public HttpResponse<Stream<String>> postStreaming(String path, String body) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
          .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofLines());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    node.close().await();
  }
}
