package dev.switchboard.responses;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The store's three bounds: count, bytes and age, the oldest going first. */
class ResponseStoreTest {

  private static Buffer json(int bytes) {
    return Buffer.buffer("x".repeat(bytes));
  }

  @Test
  void theOldestGoFirstWhenTheCountIsReached() {
    ResponseStore store = new ResponseStore(2, 1 << 20, 60_000);
    store.put("a", json(10), 0);
    store.put("b", json(10), 1);
    store.put("c", json(10), 2);

    assertThat(store.get("a", 3)).isNull();
    assertThat(store.get("b", 3)).isNotNull();
    assertThat(store.get("c", 3).toString()).isEqualTo("x".repeat(10));
    assertThat(store.size()).isEqualTo(2);
  }

  @Test
  void theByteBoundHoldsAndCountsWhatIsKept() {
    long bound = 10 * (1000 + ResponseStore.OVERHEAD_BYTES + 3);
    ResponseStore store = new ResponseStore(1_000_000, bound, 60_000);
    for (int i = 0; i < 1000; i++) {
      store.put("r" + String.format("%02d", i % 100) + i, json(1000), i);
      assertThat(store.bytes()).isLessThanOrEqualTo(bound);
    }
    assertThat(store.size()).isBetween(1, 10);
    assertThat(store.put("huge", json((int) bound), 2000)).isFalse();
    assertThat(store.get("huge", 2000)).isNull();
  }

  @Test
  void entriesExpireAfterTheirTtl() {
    ResponseStore store = new ResponseStore(10, 1 << 20, 1_000);
    store.put("a", json(5), 0);
    store.put("b", json(5), 500);

    assertThat(store.get("a", 999)).isNotNull();
    assertThat(store.get("a", 1000)).isNull();
    assertThat(store.get("b", 1000)).isNotNull();
    store.expire(1500);
    assertThat(store.size()).isZero();
    assertThat(store.bytes()).isZero();
  }

  @Test
  void removeAndReplaceKeepTheByteCountRight() {
    ResponseStore store = new ResponseStore(10, 1 << 20, 60_000);
    store.put("a", json(100), 0);
    store.put("a", json(50), 1);
    assertThat(store.bytes()).isEqualTo(50 + 1 + ResponseStore.OVERHEAD_BYTES);
    assertThat(store.remove("a")).isTrue();
    assertThat(store.remove("a")).isFalse();
    assertThat(store.bytes()).isZero();
  }

  @Test
  void zeroResponsesMeansNoStore() {
    ResponseStore store = new ResponseStore(0, 1 << 20, 60_000);
    assertThat(store.put("a", json(1), 0)).isFalse();
    assertThat(store.size()).isZero();
  }
}
