package dev.switchboard.bus;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For any body the gateway's parser accepts, the one pass reads every top-level value as the tree does,
 * and an edit on the bytes is either refused or reads, to a strict parser, as the gateway's parse with
 * only {@code model} replaced, with no top-level key twice.
 * Bodies are random: keys that collide (repeated, escaped, other case), comments between tokens,
 * strings full of quotes, backslashes and brackets.
 */
class RequestBodyPropertyTest {

  /** Jackson with its defaults: strict JSON, no comments. */
  private static final JsonFactory STRICT = new JsonFactory();
  private static final String[] KEYS = {"model", "model", "messages", "stream", "MODEL", "mod\\u0065l", "a", "b"};
  private static final String[] STRINGS = {"x", "q\\\"uote", "back\\\\", "[{\\\"model\\\":1}]", "/*", "*/", "caf\\u00e9", "é"};

  private final Random random = new Random(7); // fixed: a failure is reproducible

  @Test
  void anAcceptedEditReadsAsTheGatewaysParseWithTheNewModel() throws Exception {
    int edited = 0;
    int refused = 0;
    for (int round = 0; round < 60_000; round++) {
      byte[] body = object(0).getBytes(StandardCharsets.UTF_8);
      JsonObject gateway;
      try {
        gateway = new JsonObject(Buffer.buffer(body));
      } catch (RuntimeException notAccepted) {
        continue;
      }
      RequestBody read = RequestBody.read(Buffer.buffer(body));
      assertThat(read.json()).as("the tree of %s", new String(body, StandardCharsets.UTF_8)).isEqualTo(gateway);
      assertThat(read.size()).isEqualTo(gateway.size());
      for (String key : gateway.fieldNames()) {
        assertThat(read.get(key)).as("%s of %s", key, new String(body, StandardCharsets.UTF_8))
            .isEqualTo(gateway.getValue(key));
      }
      Buffer edit = read.withModel("NEW");
      if (edit == null) {
        refused++;
        continue;
      }
      edited++;
      byte[] out = edit.getBytes();
      String text = new String(out, StandardCharsets.UTF_8);
      strictlyOneObject(out, text);
      JsonObject backend = new JsonObject(text);
      assertThat(backend.fieldNames()).as(text).filteredOn(k -> k.equalsIgnoreCase("model")).containsExactly("model");
      assertThat(backend).as(text).isEqualTo(gateway.copy().put("model", "NEW"));
    }
    assertThat(edited).as("bodies edited on the bytes (%d refused)", refused).isGreaterThan(1_000);
    assertThat(refused).as("bodies refused (%d edited)", edited).isGreaterThan(1_000);
  }

  /**
   * Fails unless {@code out} is one strict JSON object with no top-level key repeated. (A key repeated
   * deeper is the client's own: both sides get it as the client wrote it, and no routing reads it.)
   */
  private static void strictlyOneObject(byte[] out, String text) throws Exception {
    java.util.Set<String> keys = new java.util.HashSet<>();
    try (JsonParser p = STRICT.createParser(out)) {
      assertThat(p.nextToken()).as(text).isEqualTo(JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        assertThat(keys.add(p.currentName())).as("%s: %s repeated", text, p.currentName()).isTrue();
        p.nextToken();
        p.skipChildren();
      }
      assertThat(p.currentToken()).as(text).isEqualTo(JsonToken.END_OBJECT);
      assertThat(p.nextToken()).as(text).isNull();
    }
  }

  private String object(int depth) {
    StringBuilder sb = new StringBuilder("{").append(space());
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(space()).append(',').append(space());
      }
      sb.append('"').append(KEYS[random.nextInt(KEYS.length)]).append('"').append(space()).append(':')
          .append(space()).append(value(depth + 1));
    }
    return sb.append(space()).append('}').toString();
  }

  private String value(int depth) {
    int kind = random.nextInt(depth > 2 ? 3 : 5);
    return switch (kind) {
      case 0 -> '"' + STRINGS[random.nextInt(STRINGS.length)] + '"';
      case 1 -> random.nextBoolean() ? "-12.5e3" : "7";
      case 2 -> random.nextBoolean() ? "true" : "null";
      case 3 -> "[" + space() + value(depth + 1) + space() + "," + space() + value(depth + 1) + space() + "]";
      default -> object(depth);
    };
  }

  /** Whitespace, and now and then a comment (Vert.x's parser skips both). */
  private String space() {
    return switch (random.nextInt(60)) {
      case 0 -> "/*]\"}*/";
      case 1 -> "//x\n";
      case 2, 3, 4, 5, 6, 7, 8, 9 -> " ";
      case 10, 11 -> "\n\t";
      default -> "";
    };
  }
}
