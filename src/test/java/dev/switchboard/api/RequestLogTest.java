package dev.switchboard.api;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One INFO line per request, refused ones included; never the key, never the prompt. */
@ExtendWith(VertxExtension.class)
class RequestLogTest {

  private static final String PROMPT = "the-secret-prompt-text";
  private static final String CHAT = "{\"model\":\"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT
      + "\"}]}";

  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final Logger log = (Logger) LoggerFactory.getLogger("switchboard.requests");
  private FakeOpenAiBackend backend;
  private TestNode sb;

  @BeforeEach
  void start(Vertx vertx) {
    lines.start();
    log.addAppender(lines);
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: coder
            litellm_params: {model: openai/qwen3-coder-30b, api_base: %s, api_key: sk-backend-key}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
  }

  @AfterEach
  void stop() {
    log.detachAppender(lines);
    sb.close();
    backend.close();
  }

  @Test
  void aRefusedKeyIsLoggedWithoutTheKey() {
    assertThat(sb.post("/v1/chat/completions", CHAT, "Authorization", "Bearer sk-wrong-key").statusCode())
        .isEqualTo(401);
    assertThat(sb.post("/v1/chat/completions", CHAT).statusCode()).isEqualTo(200);

    List<String> logged = messagesOnce(2);
    assertThat(logged).anySatisfy(l -> assertThat(l).contains("POST /v1/chat/completions").contains("status=401"));
    assertThat(logged).noneSatisfy(l -> assertThat(l).contains("sk-wrong-key"));
  }

  @Test
  void noLineCarriesAKeyOrThePrompt() {
    sb.post("/v1/chat/completions", CHAT);
    sb.post("/v1/chat/completions", CHAT.replace("\"messages\"", "\"messages\" " + PROMPT));
    sb.post("/v1/chat/completions", CHAT.replace("\"coder\"", "\"" + PROMPT + "\""));
    sb.post("/v1/chat/completions", "{\"model\":\"coder\",\"messages\":\"" + PROMPT + "\"}");
    sb.post("/v1/chat/completions", CHAT, "Authorization", "Bearer " + PROMPT);
    backend.behave(FakeOpenAiBackend.error(400, "your prompt '" + PROMPT + "' is too long"));
    sb.post("/v1/chat/completions", CHAT);

    List<String> logged = messagesOnce(6);
    for (String l : logged) {
      assertThat(l).doesNotContain(TestNode.KEY).doesNotContain("sk-backend-key");
      if (!l.contains("model=" + PROMPT)) {
        assertThat(l).doesNotContain(PROMPT);
      }
    }
  }

  @Test
  void aFailedRequestIsLoggedWithWhyItFailed() {
    backend.behave((req, body) -> req.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .write(FakeOpenAiBackend.chunk("m", "half an answer")).onComplete(v -> req.connection().close()));
    sb.post("/v1/chat/completions", CHAT.replace("\"messages\"", "\"stream\":true,\"messages\""));
    backend.behave(FakeOpenAiBackend.error(500, "out of memory while reading '" + PROMPT + "'"));
    sb.post("/v1/chat/completions", CHAT);

    List<String> logged = messagesOnce(2);
    assertThat(logged.get(0)).contains("outcome=error").contains("reason=\"litellm.ServiceUnavailableError: The backend "
        + "of model=coder at " + backend.apiBase() + " failed while streaming its answer: Connection was closed\"");
    assertThat(logged.get(1)).contains("status=500").contains("outcome=error")
        .contains("reason=\"the backend answered HTTP 500 (invalid_request_error)\"").doesNotContain(PROMPT);
  }

  @Test
  void aRouteSwitchboardDoesNotServeIsLoggedOncePerClient() {
    for (int i = 0; i < 3; i++) {  // a client retries what it gets no answer for
      assertThat(sb.post("/v1/batches", "{}", "Authorization", "Bearer " + TestNode.KEY,
          "User-Agent", "codex_exec/0.171.0").statusCode()).isEqualTo(404);
    }
    assertThat(sb.getWithHeaders("/v1/chat/completions", "Authorization", "Bearer " + TestNode.KEY).statusCode())
        .isEqualTo(405);
    sb.post("/v1/chat/completions", CHAT);  // a request line after them: all of theirs are written by then

    List<String> logged = messagesOnce(3);
    assertThat(logged).filteredOn(l -> l.contains("POST /v1/batches")).singleElement().satisfies(l ->
        assertThat(l).contains("status=404").contains("outcome=unserved").contains("codex_exec/0.171.0"));
    assertThat(logged).anySatisfy(l -> assertThat(l).contains("GET /v1/chat/completions").contains("status=405"));
  }

  /**
   * The line is written when the response has gone out, so the client can hold its answer a moment before the
   * line exists: wait for {@code count} lines (failing if they never come), then read them.
   */
  private List<String> messagesOnce(int count) {
    Await.until(Duration.ofSeconds(5), count + " request lines", () -> messages().size() >= count);
    return messages();
  }

  private List<String> messages() {
    // The appender's list is filled on an event loop; doAppend holds the appender's lock.
    synchronized (lines) {
      return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }
}
