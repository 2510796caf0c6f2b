package dev.switchboard.backend;

import dev.switchboard.error.OpenAiError;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A native Messages stream passes through whole events, the model re-stamped, however it is cut. */
class AnthropicPassThroughTest {

  private static final String STREAM = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
      + "{\"id\":\"msg_1\",\"model\":\"backend-model\",\"usage\":{\"input_tokens\":11,\"output_tokens\":0}}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
      + "\"delta\":{\"type\":\"text_delta\",\"text\":\"h\u00e9llo\"}}\n\n"
      + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":7}}\n\n"
      + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  /** Collects what a translator emits. */
  private static final class Collect implements TranslationSink {
    final StringBuilder out = new StringBuilder();
    final Buffer bytes = Buffer.buffer();
    long prompt = -1;
    long completion = -1;

    @Override
    public void emit(Buffer clientBytes) {
      bytes.appendBuffer(clientBytes);
    }

    @Override
    public void usage(long promptTokens, long completionTokens) {
      prompt = promptTokens;
      completion = completionTokens;
    }

    @Override
    public void fail(OpenAiError error) {
      out.append("FAILED ").append(error.message());
    }
  }

  @Test
  void everyCutGivesTheSameEventsWithTheClientsModel() {
    byte[] whole = STREAM.getBytes(StandardCharsets.UTF_8);
    String expected = STREAM.replace("\"model\":\"backend-model\"", "\"model\":\"claude-sonnet-4-6\"");
    for (int cut = 1; cut < whole.length; cut += 5) {
      AnthropicPassThrough t = new AnthropicPassThrough("claude-sonnet-4-6", true);
      Collect c = new Collect();
      t.onData(Buffer.buffer(Arrays.copyOfRange(whole, 0, cut)), c);
      t.onData(Buffer.buffer(Arrays.copyOfRange(whole, cut, whole.length)), c);
      t.onEnd(c);
      assertThat(c.bytes.toString(StandardCharsets.UTF_8)).as("cut at %d", cut).isEqualTo(expected);
      assertThat(c.prompt).isEqualTo(11);
      assertThat(c.completion).isEqualTo(7);
    }
  }

  @Test
  void aMessageIsRestampedWhole() {
    AnthropicPassThrough t = new AnthropicPassThrough("mine", false);
    Collect c = new Collect();
    t.onData(Buffer.buffer("{\"type\":\"message\",\"model\":\"theirs\",\"usage\":{\"input_tokens\":3,"), c);
    t.onData(Buffer.buffer("\"output_tokens\":4}}"), c);
    t.onEnd(c);
    assertThat(c.bytes.toJsonObject().getString("model")).isEqualTo("mine");
    assertThat(c.completion).isEqualTo(4);
  }
}
