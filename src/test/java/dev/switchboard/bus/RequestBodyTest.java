package dev.switchboard.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the one pass over a request body reads without building its tree: top-level values, whether
 * they are present, the shape of {@code messages}; and what it leaves to Vert.x's parser.
 */
class RequestBodyTest {

  @Test
  void topLevelValuesReadAsTheTreeHasThem() {
    RequestBody body = read("{\"model\":\"coder\",\"stream\":true,\"temperature\":0.5,\"n\":2,\"stop\":null,"
        + "\"stream_options\":{\"include_usage\":true},\"fallbacks\":[\"a\",\"b\"],\"messages\":[]}");

    assertThat(body.get("model")).isEqualTo("coder");
    assertThat(body.get("stream")).isEqualTo(true);
    assertThat(body.get("temperature")).isEqualTo(0.5);
    assertThat(body.get("n")).isEqualTo(2);
    assertThat(body.get("stop")).isNull();
    assertThat(body.get("stream_options")).isEqualTo(new JsonObject().put("include_usage", true));
    assertThat(body.get("fallbacks")).isEqualTo(new JsonArray().add("a").add("b"));
    assertThat(body.get("absent")).isNull();
    assertThat(body.has("stop")).isTrue();
    assertThat(body.present("stop")).as("null is not a value").isFalse();
    assertThat(body.present("messages")).isTrue();
    assertThat(body.size()).isEqualTo(8);
  }

  @Test
  void messagesAreCheckedForTheirShapeInThePass() {
    assertThat(read("{\"messages\":[{\"role\":\"user\",\"content\":[{\"role\":1}]},"
        + "{\"content\":\"x\",\"role\":\"a\"}]}"))
        .satisfies(b -> {
          assertThat(b.messageCount()).isEqualTo(2);
          assertThat(b.messageWithoutRole()).isEqualTo(-1);
        });
    assertThat(read("{\"messages\":[{\"role\":\"user\"},\"text\",{\"role\":2}]}").messageWithoutRole()).isEqualTo(1);
    assertThat(read("{\"messages\":[{\"role\":\"user\"},{\"role\":{\"nested\":\"x\"}}]}").messageWithoutRole())
        .isEqualTo(1);
    assertThat(read("{\"messages\":[{\"role\":\"user\",\"role\":null}]}").messageWithoutRole())
        .as("a role given twice: the last counts, as in the tree").isEqualTo(0);
    assertThat(read("{\"messages\":[]}").messageCount()).isZero();
    assertThat(read("{\"messages\":\"hi\"}").messageCount()).isEqualTo(-1);
    assertThat(read("{\"model\":\"m\"}").messageCount()).isEqualTo(-1);
  }

  @Test
  void whatThePassRefusesVertxsParserReads() {
    RequestBody commented = read("{\"model\":\"a\", /* a note */ \"messages\":[{\"role\":\"user\"}]}");
    assertThat(commented.get("model")).isEqualTo("a");
    assertThat(commented.messageCount()).isEqualTo(1);
    assertThat(commented.withModel("m")).as("bytes with a comment are not edited").isNull();

    RequestBody twice = read("{\"stream\":true,\"model\":\"a\",\"stream\":false}");
    assertThat(twice.get("stream")).as("the last wins, as in the tree").isEqualTo(false);
    assertThat(twice.size()).isEqualTo(2);
    assertThat(twice.withModel("m")).isNull();

    RequestBody bom = RequestBody.read(Buffer.buffer("\uFEFF{\"model\":\"a\"}"));
    assertThat(bom.get("model")).isEqualTo("a");
    assertThat(bom.withModel("m")).as("offsets after a byte-order mark are not edited").isNull();
    RequestBody utf16 = RequestBody.read(Buffer.buffer("{\"model\":\"a\"}".getBytes(StandardCharsets.UTF_16BE)));
    assertThat(utf16.get("model")).isEqualTo("a");
    assertThat(utf16.withModel("m")).isNull();

    assertThat(RequestBody.read(Buffer.buffer("[1]"))).as("not an object").isNull();
    assertThatThrownBy(() -> read("{\"model\":")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> read("{\"model\":\"a\"} x")).isInstanceOf(DecodeException.class);
  }

  @Test
  void theModelIsReplacedWhereThePassFoundIt() {
    String client = "{ \"messages\" : [{\"role\":\"user\",\"content\":\"\\\"model\\\": \\\"x\\\"\","
        + "\"model\":\"inner\"}],"
        + "\n  \"model\" :\t\"coder\" , \"tail\":[1,{\"model\":2}] }";
    assertThat(read(client).withModel("qwen3-coder:30b \"q\"").toString()).isEqualTo(
        "{ \"messages\" : [{\"role\":\"user\",\"content\":\"\\\"model\\\": \\\"x\\\"\",\"model\":\"inner\"}],"
            + "\n  \"model\" :\t\"qwen3-coder:30b \\\"q\\\"\" , \"tail\":[1,{\"model\":2}] }");
  }

  @Test
  void aBodyThatLiesInsideALargerBufferIsReadAndEditedWhereItLies() {
    String client = "{\"model\" : \"coder\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    Buffer around = Buffer.buffer("{\"model\":\"before\"} " + client + " {\"model\":\"after\"}");
    int start = around.toString().indexOf(client);
    Buffer inside = around.slice(start, start + client.length());

    RequestBody body = RequestBody.read(inside);
    assertThat(body.get("model")).isEqualTo("coder");
    assertThat(body.get("messages")).isEqualTo(new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    assertThat(body.withModel("qwen").toString())
        .isEqualTo("{\"model\" : \"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(body.withModel("qwen").getBytes()).as("readable as one array too")
        .isEqualTo("{\"model\" : \"qwen\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}".getBytes(StandardCharsets.UTF_8));
    assertThat(around.toString()).as("the client's bytes are left as they were").contains(client);
    assertThat(RequestBody.read(around.slice(0, start)).get("model")).isEqualTo("before");
  }

  @Test
  void aBodyTheGatewayMadeHasNoBytesToEdit() {
    JsonObject made = new JsonObject().put("model", "a").put("messages", new JsonArray().add(new JsonObject()));
    RequestBody body = RequestBody.of(made);
    assertThat(body.clientBytes()).isNull();
    assertThat(body.withModel("m")).isNull();
    assertThat(body.bytes().toJsonObject()).isEqualTo(made);
    assertThat(body.messageWithoutRole()).isZero();
    assertThat(body.with("model", "b").get("model")).isEqualTo("b");
    assertThat(made.getString("model")).as("the original is left alone").isEqualTo("a");
  }

  private static RequestBody read(String s) {
    return RequestBody.read(Buffer.buffer(s));
  }
}
