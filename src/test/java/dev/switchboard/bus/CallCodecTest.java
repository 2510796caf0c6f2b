package dev.switchboard.bus;

import dev.switchboard.bus.impl.CallCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A call between JVMs arrives as it left: its body travels as the client's bytes when it had them,
 * else as the encoding of the body the gateway made; the receiver reads it as a client's body.
 */
class CallCodecTest {

  private final CallCodec codec = new CallCodec();

  @Test
  void theClientsBytesCrossAsTheyAreAndAreParsedOnArrival() {
    Buffer raw = Buffer.buffer("{ \"model\":\"coder\", \"messages\":[{\"role\":\"user\",\"content\":\"caf\\u00e9\"}] }");
    Call sent = new Call("req-1", "s-1", "api.1", Endpoint.CHAT, "coder", RequestBody.read(raw), true, 32, 1234L);

    Call got = roundTrip(sent);

    assertThat(got.body().clientBytes().toString()).isEqualTo(raw.toString());
    assertThat(got.body().json()).isEqualTo(sent.body().json());
    assertThat(got.body().withModel("m")).as("editable as the sender's").isNotNull();
    assertThat(got).usingRecursiveComparison().ignoringFields("body").isEqualTo(sent);
  }

  @Test
  void aCallWithoutTheClientsBytesCarriesItsParsedBody() {
    JsonObject body = new JsonObject().put("model", "from-the-path").put("input", "x");
    Call sent = new Call("req-2", "s-2", "api.1", Endpoint.EMBEDDINGS, "from-the-path", RequestBody.of(body), false, 8,
        99L);

    Call got = roundTrip(sent);

    assertThat(got.body().json()).isEqualTo(body);
    assertThat(got.body().clientBytes().toString()).isEqualTo(body.encode());
    assertThat(got).usingRecursiveComparison().ignoringFields("body").isEqualTo(sent);
  }

  private Call roundTrip(Call c) {
    Buffer wire = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(wire, c);
    return codec.decodeFromWire("prefix".length(), wire);
  }
}
