package dev.switchboard.api;

import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import dev.switchboard.testkit.FakeOpenAiBackend;
import dev.switchboard.testkit.OneModelSdkSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK, pointed at Switchboard, works as it does against OpenAI. */
class OpenAiSdkTest extends OneModelSdkSpec {

  private static ChatCompletionCreateParams params(String model) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage("ping").build();
  }

  @Test
  void sdkListsModelsAndCompletes() {
    List<String> ids = client.models().list().data().stream().map(Model::id).toList();
    assertThat(ids).containsExactly("qwen3-coder");

    ChatCompletion completion = client.chat().completions().create(params("qwen3-coder"));
    assertThat(completion.model()).isEqualTo("qwen3-coder");
    assertThat(completion.choices().get(0).message().content()).hasValue("Hello from the fake backend");
    assertThat(completion.usage()).hasValueSatisfying(u -> assertThat(u.totalTokens()).isEqualTo(12));
  }

  @Test
  void sdkStreams() {
    backend.behave(backend.streaming("qwen3-coder-30b", 5, "Hel", "lo", "!"));
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("qwen3-coder"))) {
      List<ChatCompletionChunk> chunks = stream.stream().toList();
      String text = chunks.stream().flatMap(c -> c.choices().stream())
          .map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
      assertThat(text).isEqualTo("Hello!");
      assertThat(chunks).allSatisfy(c -> assertThat(c.model()).isEqualTo("qwen3-coder"));
    }
  }

  @Test
  void sdkStreamsFromABackendThatIgnoresStreamAndAnswersOneJsonBody() {
    backend.behave((req, body) -> req.response().putHeader("content-type", "application/json")
        .end(FakeOpenAiBackend.chatCompletion("qwen3-coder-30b", "All at once").encode()));
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params("qwen3-coder"))) {
      List<ChatCompletionChunk> chunks = stream.stream().toList();

      assertThat(chunks).hasSize(1);
      assertThat(chunks.get(0).model()).isEqualTo("qwen3-coder");
      assertThat(chunks.get(0).choices().get(0).delta().content()).hasValue("All at once");
      assertThat(chunks.get(0).choices().get(0).finishReason())
          .hasValue(ChatCompletionChunk.Choice.FinishReason.STOP);
    }
  }

  @Test
  void sdkSeesUnknownModelAsBadRequest() {
    assertThatThrownBy(() -> client.chat().completions().create(params("nope")))
        .isInstanceOf(BadRequestException.class)
        .hasMessageContaining("Invalid model name passed in model=nope");
  }
}
