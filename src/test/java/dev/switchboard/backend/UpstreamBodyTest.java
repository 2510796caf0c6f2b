package dev.switchboard.backend;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an OpenAI-compatible backend receives: the client's own bytes with only {@code model}
 * replaced, or, when the bytes cannot be trusted to mean what the parsed body means, the parsed
 * body encoded again. Either way the backend reads exactly one {@code model}: the configured one.
 */
class UpstreamBodyTest {

  @Test
  void theClientsBytesGoThroughWithOnlyTheModelReplaced() {
    String client = "{ \"model\" : \"coder\",\n \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9 \\\"q\\\"\","
        + "\"model\":\"nested, untouched\"}], \"temperature\":1.0e0 }\n";
    assertThat(upstream(client)).isEqualTo("{ \"model\" : \"qwen3-coder:30b\",\n \"messages\":[{\"role\":\"user\","
        + "\"content\":\"caf\\u00e9 \\\"q\\\"\",\"model\":\"nested, untouched\"}], \"temperature\":1.0e0 }\n");
  }

  @Test
  void theProxysOwnKeysAreDroppedByEncodingTheParsedBody() {
    JsonObject sent = new JsonObject(upstream(
        "{\"model\":\"coder\",\"timeout\":5,\"metadata\":{\"k\":1},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
    assertThat(sent.fieldNames()).containsExactly("model", "messages");
    assertThat(sent.getString("model")).isEqualTo("qwen3-coder:30b");
  }

  @Test
  void aDuplicatedModelKeyIsNotForwardedAsItCame() {
    // On the bytes, replacing one "model" would leave the other for the backend's parser to pick.
    String sent = upstream("{\"model\":\"coder\",\"messages\":[],\"model\":\"other-model\"}");
    assertThat(sent).doesNotContain("other-model").doesNotContain("coder\"");
    assertThat(new JsonObject(sent).getString("model")).isEqualTo("qwen3-coder:30b");
  }

  @Test
  void aKeyWrittenWithAnEscapeIsReadAsTheParserReadsIt() {
    // "mod\u0065l" is "model" to every parser: the bytes would carry the client's model past us.
    String sent = upstream("{\"mod\\u0065l\":\"coder\",\"messages\":[]}");
    assertThat(sent).isEqualTo("{\"model\":\"qwen3-coder:30b\",\"messages\":[]}");
  }

  @Test
  void withoutTheClientsBytesTheParsedBodyIsEncoded() {
    JsonObject body = new JsonObject().put("model", "coder").put("messages", new io.vertx.core.json.JsonArray());
    Call call = new Call("id", "s", "r", Endpoint.CHAT, "coder", body, null, false, 8, 0L);
    assertThat(OpenAiCompatibleProvider.upstreamBody(call, "m").toString())
        .isEqualTo("{\"model\":\"m\",\"messages\":[]}");
  }

  @Test
  void replaceTopLevelValueRefusesWhatItCannotEditSafely() {
    byte[] key = "\"model\"".getBytes(StandardCharsets.US_ASCII);
    byte[] value = "\"m\"".getBytes(StandardCharsets.US_ASCII);
    assertThat(JsonBytes.replaceTopLevelValue(bytes("{\"messages\":[]}"), key, value)).as("absent").isNull();
    assertThat(JsonBytes.replaceTopLevelValue(bytes("{\"model\":\"a\"} {}"), key, value)).as("two values").isNull();
    assertThat(JsonBytes.replaceTopLevelValue(bytes("[{\"model\":\"a\"}]"), key, value)).as("not an object").isNull();
    assertThat(JsonBytes.replaceTopLevelValue(bytes("{}"), key, value)).as("empty").isNull();
    assertThat(new String(JsonBytes.replaceTopLevelValue(bytes("{\"model\":null}"), key, value), StandardCharsets.UTF_8))
        .isEqualTo("{\"model\":\"m\"}");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What the backend of model {@code qwen3-coder:30b} receives for this client body. */
  private static String upstream(String clientBody) {
    Buffer raw = Buffer.buffer(clientBody);
    Call call = new Call("id", "s", "r", Endpoint.CHAT, "coder", new JsonObject(raw), raw, false, 8, 0L);
    return OpenAiCompatibleProvider.upstreamBody(call, "qwen3-coder:30b").toString(StandardCharsets.UTF_8);
  }
}
