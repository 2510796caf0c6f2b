package dev.switchboard.backend;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A non-streamed answer is re-stamped on its bytes: only the top-level model changes. */
class JsonBodyRewriterTest {

  private final List<Buffer> emitted = new ArrayList<>();
  private final long[] usage = {-1, -1};

  private String rewrite(String... chunks) {
    JsonBodyRewriter r = new JsonBodyRewriter("my-\"model\"");
    for (String c : chunks) {
      assertThat(r.translate(Buffer.buffer(c)).length()).as("nothing before the body is whole").isZero();
    }
    emitted.add(r.end());
    assertThat(r.failure()).isNull();
    if (r.usage() != null) {
      usage[0] = r.usage().promptTokens();
      usage[1] = r.usage().completionTokens();
    }
    assertThat(emitted).hasSize(1);
    return emitted.get(0).toString();
  }

  @Test
  void topLevelModelIsRestampedAndTheRestKeptByteForByte() {
    String out = rewrite("{\"id\":\"x\", \"model\" : \"backend-m\",\n \"choices\":[{\"message\":{\"content\":\"a \\\"model\\\": b\"}}]}");
    assertThat(out).isEqualTo(
        "{\"id\":\"x\", \"model\" : \"my-\\\"model\\\"\",\n \"choices\":[{\"message\":{\"content\":\"a \\\"model\\\": b\"}}]}");
  }

  @Test
  void nestedModelBeforeTheTopLevelOneIsLeftAlone() {
    String out = rewrite("{\"meta\":{\"model\":\"inner\",\"list\":[1,{\"model\":2}]},\"n\":-1.5e3,\"ok\":true,",
        "\"model\":null,\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7}}");
    JsonObject json = new JsonObject(out);
    assertThat(json.getJsonObject("meta").getString("model")).isEqualTo("inner");
    assertThat(json.getString("model")).isEqualTo("my-\"model\"");
    assertThat(usage).containsExactly(5, 7);
  }

  @Test
  void bodyWithoutModelOrNotAnObjectGoesThroughUnchanged() {
    assertThat(rewrite("{\"object\":\"list\",\"data\":[]}")).isEqualTo("{\"object\":\"list\",\"data\":[]}");
    emitted.clear();
    assertThat(rewrite("[1,2]")).isEqualTo("[1,2]");
    emitted.clear();
    assertThat(rewrite("{\"model\":\"unterminated")).isEqualTo("{\"model\":\"unterminated");
    assertThat(usage).containsExactly(-1, -1);
  }
}
