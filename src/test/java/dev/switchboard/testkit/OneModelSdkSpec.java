package dev.switchboard.testkit;

import com.openai.client.OpenAIClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the OpenAI-SDK specs share: a node serving one model, {@code qwen3-coder}, from a fake OpenAI
 * backend (as {@code qwen3-coder-30b}), and the official OpenAI Java SDK pointed at the node; each
 * started fresh for every test.
 */
@ExtendWith(VertxExtension.class)
public abstract class OneModelSdkSpec {

  protected FakeOpenAiBackend backend;
  protected TestNode sb;
  protected OpenAIClient client;

  @BeforeEach
  void startNode(Vertx vertx) {
    backend = FakeOpenAiBackend.start(vertx);
    sb = TestNode.start(vertx, """
        model_list:
          - model_name: qwen3-coder
            litellm_params: {model: openai/qwen3-coder-30b, api_base: %s}
        general_settings:
          master_key: os.environ/TEST_MASTER_KEY
        """.formatted(backend.apiBase()));
    client = sb.openAiClient();
  }

  @AfterEach
  void stopNode() {
    client.close();
    sb.close();
    backend.close();
  }
}
