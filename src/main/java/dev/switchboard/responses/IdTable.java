package dev.switchboard.responses;

import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * A hash table from a response id's 64-bit hash to a slot number, in one int array: open addressing,
 * linear probing, deletion by shifting back (no tombstones). No object per entry, because an object
 * that lives as long as a stored response outlives the young generation, and once dead it is
 * old-generation garbage the heap grows for until a full collection (a per-entry map node and its
 * key did that: +38 MB of heap pages over 100,000 stored responses). Not thread-safe.
 */
final class IdTable {

  /** Slot number + 1; 0 is empty. */
  private int[] cells;
  private int mask;

  /** Room for {@code slots} entries at most half full; a power of two. */
  IdTable(int slots) {
    int size = Integer.highestOneBit(Math.max(2, slots) * 2 - 1) * 2;
    cells = new int[size];
    mask = size - 1;
  }

  /** The slot whose hash is {@code hash} and that {@code is} accepts (hashes may collide), or -1. */
  int find(long hash, IntPredicate is) {
    for (int i = home(hash); cells[i] != 0; i = (i + 1) & mask) {
      if (is.test(cells[i] - 1)) {
        return cells[i] - 1;
      }
    }
    return -1;
  }

  void add(int slot, long hash) {
    int i = home(hash);
    while (cells[i] != 0) {
      i = (i + 1) & mask;
    }
    cells[i] = slot + 1;
  }

  /** Takes {@code slot} (whose hash is {@code hash}) out; {@code hashOf} gives the others' hashes. */
  void remove(int slot, long hash, IntToLongFunction hashOf) {
    int i = home(hash);
    while (cells[i] != slot + 1) {
      if (cells[i] == 0) {
        return;
      }
      i = (i + 1) & mask;
    }
    // Shift back every later cell of the run that may sit at i (its home is not between i and it).
    for (int j = (i + 1) & mask; cells[j] != 0; j = (j + 1) & mask) {
      int k = home(hashOf.applyAsLong(cells[j] - 1));
      boolean stays = i <= j ? i < k && k <= j : i < k || k <= j;
      if (!stays) {
        cells[i] = cells[j];
        i = j;
      }
    }
    cells[i] = 0;
  }

  private int home(long hash) {
    return (int) (hash ^ (hash >>> 32)) & mask;
  }

  /** A 64-bit hash of an id's bytes (FNV-1a, then a mixer so that the low bits vary). */
  static long hash(byte[] id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : id) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    return h ^ (h >>> 33);
  }
}
