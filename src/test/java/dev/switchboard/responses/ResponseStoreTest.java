package dev.switchboard.responses;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The store's three bounds (count, bytes, age), the oldest going first, and its ring: entries laid back
 * to back, across chunk boundaries and around the end, read back intact. Times are passed in: no clock.
 */
class ResponseStoreTest {

  private final List<ResponseStore> stores = new ArrayList<>();

  @AfterEach
  void freeTheRings() {
    stores.forEach(ResponseStore::clear);
  }

  private ResponseStore store(int maxEntries, long maxBytes, long ttl, int chunkBytes) {
    ResponseStore s = new ResponseStore(maxEntries, maxBytes, ttl, chunkBytes);
    stores.add(s);
    return s;
  }

  /** {@code bytes} bytes that say which entry they are, so that a mix-up of two entries shows. */
  private static Buffer json(String id, int bytes) {
    StringBuilder b = new StringBuilder(bytes);
    while (b.length() < bytes) {
      b.append(id).append(b.length()).append(',');
    }
    return Buffer.buffer(b.substring(0, bytes));
  }

  @Test
  void theOldestGoFirstWhenTheCountIsReached() {
    ResponseStore store = store(2, 1 << 20, 60_000, 1024);
    store.put("a", json("a", 10), 0);
    store.put("b", json("b", 10), 1);
    store.put("c", json("c", 10), 2);

    assertThat(store.get("a", 3)).isNull();
    assertThat(store.get("b", 3)).isEqualTo(json("b", 10));
    assertThat(store.get("c", 3)).isEqualTo(json("c", 10));
    assertThat(store.size()).isEqualTo(2);
  }

  /** In the ring, an entry takes its JSON, its id and 2 bytes: the entries below take 30 or 40 bytes, 20 for c. */
  private static final int JSON_OF_30 = 30 - 3;

  @Test
  void theOldestGoFirstWhenTheBytesAreReached() {
    ResponseStore store = store(100, 100, 60_000, 32);
    store.put("a", json("a", JSON_OF_30), 0);
    store.put("b", json("b", JSON_OF_30), 1);
    store.put("c", json("c", JSON_OF_30), 2);
    store.put("d", json("d", JSON_OF_30), 3);

    assertThat(store.get("a", 4)).isNull();
    assertThat(store.get("b", 4)).isEqualTo(json("b", JSON_OF_30));
    assertThat(store.get("c", 4)).isEqualTo(json("c", JSON_OF_30));
    // d straddles a chunk's end and the ring's: 90..119 is 90..95 in the third chunk, 96..99 in the
    // last (4 bytes long) and 0..19 in the first
    assertThat(store.get("d", 4)).isEqualTo(json("d", JSON_OF_30));
    assertThat(store.bytes()).isEqualTo(90);
  }

  @Test
  void theByteBoundIsNeverExceededAndTheMemoryIsTakenOnlyAsTheRingFills() {
    ResponseStore store = store(1_000_000, 10_000, 60_000, 1_000);
    store.put("first", json("first", 1_500 - 7), 0);
    assertThat(store.allocated()).isEqualTo(2_000); // two chunks touched, not the whole ring

    Random random = new Random(7);
    for (int i = 0; i < 5_000; i++) {
      store.put("r" + i, json("r" + i, 1 + random.nextInt(3_000)), i);
      assertThat(store.bytes()).isLessThanOrEqualTo(10_000);
      assertThat(store.allocated()).isLessThanOrEqualTo(10_000);
    }
    assertThat(store.allocated()).isEqualTo(10_000);
    assertThat(store.put("huge", json("huge", 10_001), 6_000)).isFalse();
    assertThat(store.get("huge", 6_000)).isNull();
    assertThat(store.put("whole", json("whole", 10_000 - 7), 6_000)).isTrue();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.get("whole", 6_000)).isEqualTo(json("whole", 10_000 - 7));
  }

  @Test
  void entriesExpireAfterTheirTtl() {
    ResponseStore store = store(10, 1 << 20, 1_000, 1024);
    store.put("a", json("a", 5), 0);
    store.put("b", json("b", 5), 500);

    assertThat(store.get("a", 999)).isNotNull();
    assertThat(store.get("a", 1000)).isNull();
    assertThat(store.get("b", 1000)).isNotNull();
    store.expire(1500);
    assertThat(store.size()).isZero();
    assertThat(store.bytes()).isZero();
  }

  @Test
  void deletingTheOldestFreesItsBytesAtOnce() {
    ResponseStore store = store(10, 100, 60_000, 64);
    store.put("a", json("a", 37), 0);
    store.put("b", json("b", 37), 1);
    store.put("c", json("c", 17), 2);
    assertThat(store.remove("a")).isTrue();
    assertThat(store.remove("a")).isFalse();
    assertThat(store.bytes()).isEqualTo(60);

    store.put("d", json("d", 37), 3);
    assertThat(store.size()).isEqualTo(3);
    assertThat(store.get("b", 4)).isEqualTo(json("b", 37));
  }

  @Test
  void aDeletedEntryInTheMiddleIsAHoleTheTailReclaims() {
    ResponseStore store = store(10, 100, 60_000, 64);
    store.put("a", json("a", 37), 0);
    store.put("b", json("b", 37), 1);
    store.put("c", json("c", 17), 2);
    store.remove("b");
    assertThat(store.bytes()).isEqualTo(100); // the hole still counts: it is not at the tail

    store.put("d", json("d", 37), 3); // room for it: a goes, and the tail moves past b's hole to c
    assertThat(store.get("a", 4)).isNull();
    assertThat(store.get("c", 4)).isEqualTo(json("c", 17));
    assertThat(store.get("d", 4)).isEqualTo(json("d", 37));
    assertThat(store.bytes()).isEqualTo(60);
  }

  @Test
  void aReplacedEntryAnswersItsNewBytes() {
    ResponseStore store = store(10, 1_000, 60_000, 64);
    store.put("a", json("old", 100), 0);
    store.put("a", json("new", 50), 1);
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.get("a", 2)).isEqualTo(json("new", 50));
    assertThat(store.remove("a")).isTrue();
    assertThat(store.bytes()).isZero();
  }

  /**
   * Many laps of a small ring with chunks of an odd size, entries of any size and deletes: every entry
   * kept reads back as it was put, the kept ones are always the newest (less those deleted), and the
   * bound holds.
   */
  @Test
  void entriesWrappingAroundTheRingManyTimesReadBackIntact() {
    ResponseStore store = store(50, 997, 60_000, 61);
    Random random = new Random(42);
    Map<String, Buffer> put = new HashMap<>();
    Set<String> deleted = new HashSet<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String id = "resp_" + i;
      Buffer bytes = json(id, 1 + random.nextInt(i % 10 == 0 ? 900 : 120));
      assertThat(store.put(id, bytes, i)).isTrue();
      put.put(id, bytes);
      ids.add(id);
      if (random.nextInt(5) == 0) {
        String victim = ids.get(Math.max(0, ids.size() - 1 - random.nextInt(20)));
        if (store.remove(victim)) {
          deleted.add(victim);
        }
      }
      assertThat(store.bytes()).isLessThanOrEqualTo(997);
      assertThat(store.size()).isLessThanOrEqualTo(50);
    }
    assertThat(store.allocated()).isEqualTo(997);
    int kept = 0;
    for (String id : ids) {
      Buffer got = store.get(id, 20_000);
      if (got != null) {
        assertThat(got).isEqualTo(put.get(id));
        kept++;
      } else if (kept > 0) {
        assertThat(deleted).as("a missing entry newer than a kept one").contains(id);
      }
    }
    assertThat(kept).isEqualTo(store.size());
  }

  @Test
  void theIndexGrowsWithoutLosingEntries() {
    ResponseStore store = store(5_000, 1 << 20, 60_000, 1 << 16);
    for (int i = 0; i < 5_000; i++) {
      store.put("resp_" + i, json("resp_" + i, 100), i);
    }
    store.remove("resp_10");
    for (int i = 5_000; i < 6_000; i++) {
      store.put("resp_" + i, json("resp_" + i, 100), i);
    }
    assertThat(store.size()).isEqualTo(5_000);
    assertThat(store.get("resp_999", 6_000)).isNull(); // resp_0 to resp_999 but the deleted one made room
    for (int i = 1_000; i < 6_000; i++) {
      assertThat(store.get("resp_" + i, 6_000)).isEqualTo(json("resp_" + i, 100));
    }
  }

  /** Deletes leave slots until the tail passes them: past twice the count, the oldest entries go for room. */
  @Test
  void holesBeyondTwiceTheCountMakeTheOldestGo() {
    ResponseStore store = store(2, 1 << 20, 60_000, 1024);
    store.put("a", json("a", 10), 0);
    for (int i = 0; i < 3; i++) {
      store.put("hole" + i, json("hole", 10), 1);
      store.remove("hole" + i);
    }
    assertThat(store.get("a", 2)).isNotNull(); // a and three holes: four slots, the most for a count of 2
    store.put("b", json("b", 10), 2);
    assertThat(store.get("a", 3)).isNull();
    assertThat(store.get("b", 3)).isEqualTo(json("b", 10));
    assertThat(store.bytes()).isEqualTo(2 + 1 + 10);
  }

  @Test
  void zeroResponsesMeansNoStore() {
    ResponseStore store = store(0, 1 << 20, 60_000, 1024);
    assertThat(store.put("a", json("a", 1), 0)).isFalse();
    assertThat(store.size()).isZero();
    assertThat(store.allocated()).isZero();
  }

  @Test
  void clearGivesTheMemoryBack() {
    ResponseStore store = store(10, 10_000, 60_000, 1024);
    store.put("a", json("a", 5_000), 0);
    store.clear();
    assertThat(store.allocated()).isZero();
    assertThat(store.size()).isZero();
  }
}
