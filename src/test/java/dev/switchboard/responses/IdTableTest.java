package dev.switchboard.responses;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The id table keeps finding every slot while others sharing its probe run come and go. */
class IdTableTest {

  @Test
  void slotsInOneProbeRunAreFoundAfterAnyOfThemIsRemoved() {
    // Hashes that all land in the few first cells, so that every removal shifts a run back.
    Map<Integer, Long> hashes = new HashMap<>();
    IdTable table = new IdTable(64);
    Random random = new Random(3);
    for (int round = 0; round < 2_000; round++) {
      if (hashes.size() < 40 && (hashes.isEmpty() || random.nextBoolean())) {
        int slot = random.nextInt(64);
        if (!hashes.containsKey(slot)) {
          long hash = random.nextInt(4);
          hashes.put(slot, hash);
          table.add(slot, hash);
        }
      } else {
        int slot = hashes.keySet().stream().skip(random.nextInt(hashes.size())).findFirst().orElseThrow();
        long hash = hashes.remove(slot);
        table.remove(slot, hash, hashes::get);
        assertThat(table.find(hash, s -> s == slot)).isEqualTo(-1);
      }
      hashes.forEach((slot, hash) -> assertThat(table.find(hash, s -> s == slot)).isEqualTo(slot));
    }
  }
}
