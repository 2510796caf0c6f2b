package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
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

  /** What a translator makes of {@code chunks}, then of the body's end. */
  private static String translate(ResponseTranslator t, byte[]... chunks) {
    Buffer out = Buffer.buffer();
    for (byte[] c : chunks) {
      out.appendBuffer(t.translate(Buffer.buffer(c)));
    }
    assertThat(t.failure()).isNull();
    return out.appendBuffer(t.end()).toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyCutGivesTheSameEventsWithTheClientsModel() {
    byte[] whole = STREAM.getBytes(StandardCharsets.UTF_8);
    String expected = STREAM.replace("\"model\":\"backend-model\"", "\"model\":\"claude-sonnet-4-6\"");
    for (int cut = 1; cut < whole.length; cut += 5) {
      AnthropicPassThrough t = new AnthropicPassThrough("claude-sonnet-4-6", true);
      String out = translate(t, Arrays.copyOfRange(whole, 0, cut), Arrays.copyOfRange(whole, cut, whole.length));
      assertThat(out).as("cut at %d", cut).isEqualTo(expected);
      assertThat(t.usage()).isEqualTo(new ResponseTranslator.Usage(11, 7));
    }
  }

  @Test
  void aMessageIsRestampedWhole() {
    AnthropicPassThrough t = new AnthropicPassThrough("mine", false);
    String out = translate(t, "{\"type\":\"message\",\"model\":\"theirs\",\"usage\":{\"input_tokens\":3,"
        .getBytes(StandardCharsets.UTF_8), "\"output_tokens\":4}}".getBytes(StandardCharsets.UTF_8));
    assertThat(new JsonObject(out).getString("model")).isEqualTo("mine");
    assertThat(t.usage().completionTokens()).isEqualTo(4);
  }
}
