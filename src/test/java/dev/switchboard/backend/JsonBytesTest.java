package dev.switchboard.backend;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The scan that finds where a JSON string ends, eight bytes at a time, agrees with the plain one everywhere. */
class JsonBytesTest {

  @Test
  void endOfStringAgreesWithAByteByByteScanOnEveryStartAndLength() {
    Random random = new Random(42); // fixed: a failure is reproducible
    byte[] alphabet = "ab\"\\ é".getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 5_000; round++) {
      byte[] b = new byte[random.nextInt(40)];
      for (int i = 0; i < b.length; i++) {
        b[i] = alphabet[random.nextInt(alphabet.length)];
      }
      for (int start = 0; start < b.length; start++) {
        if (b[start] != '"') {
          continue;
        }
        for (int to = start + 1; to <= b.length; to++) {
          assertThat(JsonBytes.endOfString(b, start, to)).as("%s from %d to %d",
              new String(b, StandardCharsets.UTF_8), start, to).isEqualTo(byteByByte(b, start, to));
        }
      }
    }
  }

  @Test
  void aLongStringEndsAtItsFirstUnescapedQuote() {
    String text = "\"" + "x".repeat(1000) + "\\\"" + "y".repeat(13) + "\\\\" + "\" tail\"";
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    assertThat(JsonBytes.endOfString(b, 0, b.length)).isEqualTo(text.indexOf("\" tail") + 1);
  }

  private static int byteByByte(byte[] b, int start, int to) {
    for (int i = start + 1; i < to; i++) {
      if (b[i] == '\\') {
        i++;
      } else if (b[i] == '"') {
        return i + 1;
      }
    }
    return -1;
  }
}
