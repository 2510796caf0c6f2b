package dev.switchboard.bus;

import dev.switchboard.bus.impl.CallCodec;
import dev.switchboard.bus.impl.FrameCodec;
import dev.switchboard.bus.impl.SharedBytesCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Frames between JVMs arrive as they left, each kind; a record of another wire version is refused with
 * a message that says so, never misread.
 */
class FrameCodecTest {

  private final FrameCodec codec = new FrameCodec();

  @Test
  void everyKindCrossesAsItLeft() {
    List<Frame> frames = List.of(
        Frame.head("s-1", 200, new JsonObject().put("content_type", "text/event-stream").put("model_id", "abc")),
        Frame.data("s-1", Buffer.buffer(new byte[] {'d', 0, (byte) 0xff, '\n'})),
        Frame.end("s-1", new JsonObject().put("outcome", "ok").put("completion_tokens", 12)),
        Frame.error("s-1", 503, new JsonObject().put("error", new JsonObject().put("message", "caf\u00e9"))),
        Frame.credit("s-1", 65_536),
        Frame.cancel("s-1", "client disconnected"),
        Frame.keepalive(new JsonArray().add("s-1").add("s-2")));

    for (Frame sent : frames) {
      Frame got = roundTrip(sent);
      assertThat(got.kind()).isEqualTo(sent.kind());
      assertThat(got.streamId()).isEqualTo(sent.streamId());
      assertThat(got.n()).isEqualTo(sent.n());
      assertThat(got.meta()).isEqualTo(sent.meta());
      assertThat(got.data() == null ? null : got.data().getBytes())
          .isEqualTo(sent.data() == null ? null : sent.data().getBytes());
    }
  }

  @Test
  void aFrameOfAnotherWireVersionIsRefusedByName() {
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, Frame.credit("s-1", 10));
    wire.setByte(0, (byte) 1); // as an older node would have sent it

    assertThatThrownBy(() -> codec.decodeFromWire(0, wire))
        .hasMessageContaining("switchboard.frame: wire version 1 (expected: 3)");
  }

  @Test
  void aCallOfAnotherWireVersionIsRefusedByName() {
    CallCodec calls = new CallCodec();
    Buffer wire = Buffer.buffer();
    calls.encodeToWire(wire,
        new Call("r", "s", "api", Endpoint.CHAT, "m", RequestBody.of(new JsonObject()), false, 1, 0));
    wire.setByte(0, (byte) 4); // as a newer node would have sent it

    assertThatThrownBy(() -> calls.decodeFromWire(0, wire))
        .hasMessageContaining("switchboard.call: wire version 4 (expected: 3)");
  }

  private Frame roundTrip(Frame f) {
    Buffer wire = Buffer.buffer().appendString("prefix");
    codec.encodeToWire(wire, f);
    return codec.decodeFromWire("prefix".length(), wire);
  }

  @Test
  void sharedBytesCrossAsTheyLeftAndAnotherWireVersionIsRefusedByName() {
    SharedBytesCodec shared = new SharedBytesCodec();
    Buffer wire = Buffer.buffer().appendString("prefix");
    shared.encodeToWire(wire, Buffer.buffer(new byte[] {'{', 0, (byte) 0xff, '}'}));

    assertThat(shared.decodeFromWire("prefix".length(), wire).getBytes()).containsExactly('{', 0, (byte) 0xff, '}');
    wire.setByte("prefix".length(), (byte) 2); // a record of another version
    assertThatThrownBy(() -> shared.decodeFromWire("prefix".length(), wire))
        .hasMessageContaining("switchboard.shared-bytes: wire version 2 (expected: 3)");
  }
}
