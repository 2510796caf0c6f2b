package dev.switchboard.backend;

import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pooled connection the backend closes as a request arrives on it (the idle-close race Ollama and
 * uvicorn servers provoke): the request never reached the backend, so it is sent again on a fresh
 * connection and the client never notices.
 */
@ExtendWith(VertxExtension.class)
class StaleConnectionTest {

  private FakeOpenAiBackend backend;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: m
            litellm_params: {model: openai/m, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    sb.close();
    backend.close();
  }

  @Test
  void requestOnAConnectionTheBackendClosedIsRetriedOnAFreshOne() {
    Set<HttpConnection> used = Collections.newSetFromMap(new WeakHashMap<>());
    AtomicInteger dropped = new AtomicInteger();
    backend.behave((req, body) -> {
      if (!used.add(req.connection())) {
        dropped.incrementAndGet();
        req.connection().close(); // a second request on a kept-alive connection: slam it shut unanswered
        return;
      }
      req.response().putHeader("content-type", "application/json")
          .end(FakeOpenAiBackend.chatCompletion("m", "ok").encode());
    });
    String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    assertThat(sb.post("/v1/chat/completions", chat).statusCode()).isEqualTo(200);
    assertThat(sb.post("/v1/chat/completions", chat).statusCode()).isEqualTo(200);
    assertThat(dropped.get()).as("the second request did land on the reused connection").isEqualTo(1);
  }

  @Test
  void requestLostOnAFreshConnectionIsNotSentAgain() {
    AtomicInteger received = new AtomicInteger();
    backend.behave((req, body) -> {
      received.incrementAndGet();
      req.connection().close(); // read it, then die without a word (a crash on this prompt)
    });
    String chat = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    var resp = sb.post("/v1/chat/completions", chat);
    assertThat(resp.statusCode()).as(resp.body()).isEqualTo(503);
    assertThat(resp.body()).contains("failed before answering");
    assertThat(received.get()).as("the backend saw the request once, not once per retry").isEqualTo(1);
  }
}
