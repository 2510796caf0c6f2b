package dev.switchboard.backend;

import dev.switchboard.bus.Call;
import dev.switchboard.bus.Endpoint;
import dev.switchboard.bus.RequestBody;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    Call call = new Call("id", "s", "r", Endpoint.CHAT, "coder", RequestBody.of(body), false, 8, 0L);
    assertThat(OpenAiCompatibleProvider.upstreamBody(call, "m").toString())
        .isEqualTo("{\"model\":\"m\",\"messages\":[]}");
  }

  @Test
  void aCommentIsNotForwardedAndCannotHideAModel() {
    // Vert.x's parser skips comments: it reads model "gpt-4o" here, where a bracket count over the
    // bytes would take the "model" inside the comment for the top-level one.
    String sent = upstream("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"a\":[/*],\"model\":\"x\","
        + "\"c\":[[*/],\"model\":\"gpt-4o\",\"c\":[/*]*/]}");
    assertThat(sent).doesNotContain("/*").doesNotContain("gpt-4o\"");
    assertThat(new JsonObject(sent).getString("model")).isEqualTo("qwen3-coder:30b");
  }

  @Test
  void anOverlongUtf8KeyIsNotForwarded() {
    // Jackson reads "mod\xC1\xA5l" as a second "model"; the bytes alone would show another key.
    byte[] overlong = {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', 'x', '"', ',', '"', 'm', 'o', 'd',
        (byte) 0xC1, (byte) 0xA5, 'l', '"', ':', '"', 'g', 'p', 't', '"', '}'};
    String sent = upstream(overlong);
    assertThat(sent).isEqualTo("{\"model\":\"qwen3-coder:30b\"}");
  }

  @Test
  void anyRepeatedKeyIsResolvedAsTheGatewayReadIt() {
    String sent = upstream("{\"stream\":true,\"model\":\"coder\",\"messages\":[],\"stream\":false}");
    assertThat(sent).isEqualTo("{\"stream\":false,\"model\":\"qwen3-coder:30b\",\"messages\":[]}");
  }

  @Test
  void aModelKeyInAnotherCaseIsDropped() {
    // Go's encoding/json (Ollama's /v1) matches keys ignoring case: "MODEL" would choose the model.
    String sent = upstream("{\"model\":\"coder\",\"MODEL\":\"o1-pro\",\"messages\":[]}");
    assertThat(sent).isEqualTo("{\"model\":\"qwen3-coder:30b\",\"messages\":[]}");
  }

  @Test
  void theEditRefusesWhatItCannotDoSafely() {
    assertThat(edit("{\"messages\":[]}")).as("absent").isNull();
    assertThatThrownBy(() -> edit("{\"model\":\"a\"} {}")).as("two values").isInstanceOf(DecodeException.class);
    assertThat(RequestBody.read(Buffer.buffer("[{\"model\":\"a\"}]"))).as("not an object").isNull();
    assertThat(edit("{}")).as("empty").isNull();
    assertThat(edit("{\"model\":\"a\" // note\n}")).as("comment").isNull();
    assertThat(edit("{\"model\":\"a\",\"model\":\"a\"}")).as("a key twice").isNull();
    assertThat(edit("{\"model\":\"a\",\"Model\":1}")).as("model in another case").isNull();
    assertThat(edit("{\"mod\\u0065l\":\"a\"}")).as("an escape in a key").isNull();
    assertThat(edit("{\"model\":\"a\",\"caf\u00e9\":1}")).as("a key outside ASCII").isNull();
    assertThat(edit("{\"model\":null}")).as("no string model").isNull();
    assertThat(edit("{\"model\":\"a\", \"n\":[1,-2.5e3,true,false], \"s\":\"caf\u00e9 \\\"q\\\"\"}").toString())
        .isEqualTo("{\"model\":\"m\", \"n\":[1,-2.5e3,true,false], \"s\":\"caf\u00e9 \\\"q\\\"\"}");
  }

  private static Buffer edit(String body) {
    return RequestBody.read(Buffer.buffer(body)).withModel("m");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** What the backend of model {@code qwen3-coder:30b} receives for this client body. */
  private static String upstream(String clientBody) {
    return upstream(bytes(clientBody));
  }

  private static String upstream(byte[] clientBody) {
    Call call = new Call("id", "s", "r", Endpoint.CHAT, "coder", RequestBody.read(Buffer.buffer(clientBody)), false, 8,
        0L);
    return OpenAiCompatibleProvider.upstreamBody(call, "qwen3-coder:30b").toString(StandardCharsets.UTF_8);
  }
}
