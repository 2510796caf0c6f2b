package dev.switchboard.responses;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;

/**
 * Stored responses, bounded three ways: how many, for how long, and how many bytes. Each entry is its id
 * and its JSON bytes, laid back to back in a {@link ByteRing} of {@code maxBytes} in the order they came:
 * since the oldest go first whichever bound is reached (and with one TTL for all, the oldest also expire
 * first), making room is moving the ring's tail past the oldest entries. The ring is the memory the
 * bytes take, exactly: taken in chunks as it first fills, never more. A deleted entry leaves a hole that
 * is reclaimed when the tail reaches it.
 *
 * <p>The index is primitive arrays (a circular list of slots, oldest first, and an {@link IdTable}), grown
 * by doubling up to twice {@code maxEntries} slots and never shrunk: about {@link #INDEX_BYTES} of heap
 * per slot and no object per entry, so that storing responses makes no old-generation garbage. A slot
 * stays until the tail passes it, deleted or not; when deletes leave more slots than that in the ring,
 * the oldest entries go to make room. Not thread-safe: its verticle owns it.
 */
public final class ResponseStore {

  /** The ring's memory comes in chunks of this size: a malloc above glibc's mmap threshold, given back whole. */
  static final int CHUNK_BYTES = 1 << 20;
  /** Heap per slot: its start, expiry, hash, length and liveness, and its share of the id table. */
  static final int INDEX_BYTES = 45;
  /** In the ring, an entry is the length of its id (2 bytes), its id, then its JSON. */
  private static final int HEADER_BYTES = 2;
  private static final int MAX_ID_BYTES = 0xffff;

  private final int maxEntries;
  private final int maxSlots;
  private final long ttlMillis;
  private final ByteRing ring;
  /** Where the next entry goes: a position that only grows (the ring takes it modulo its capacity). */
  private long head;

  // The slots still in the ring, oldest first, from index first, count of them (circular); the first is live.
  private long[] start;
  private long[] expiresAt;
  private long[] hash;
  private int[] length;
  private boolean[] live;
  private int first;
  private int count;
  private int liveCount;
  private IdTable table;

  public ResponseStore(int maxEntries, long maxBytes, long ttlMillis) {
    this(maxEntries, maxBytes, ttlMillis, CHUNK_BYTES);
  }

  ResponseStore(int maxEntries, long maxBytes, long ttlMillis, int chunkBytes) {
    this.maxEntries = maxEntries;
    this.maxSlots = (int) Math.min(1 << 29, Math.max(1, 2L * maxEntries));
    this.ttlMillis = ttlMillis;
    this.ring = new ByteRing(maxBytes, chunkBytes);
    allocate(Math.min(1024, maxSlots));
  }

  /**
   * Keeps {@code json} under {@code id}, copying it into the ring (its only copy here); false when it
   * alone is larger than the byte bound, or the store is off (then nothing is kept).
   */
  public boolean put(String id, Buffer json, long now) {
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    long size = HEADER_BYTES + key.length + (long) json.length();
    if (maxEntries <= 0 || key.length > MAX_ID_BYTES || size > ring.capacity()) {
      return false;
    }
    int old = find(key);
    if (old >= 0) {
      drop(old);
    }
    expire(now);
    while (count > 0 && (liveCount >= maxEntries || count >= maxSlots || head + size - tail() > ring.capacity())) {
      drop(first);
    }
    if (count == start.length) {
      grow();
    }
    ByteBuf header = Unpooled.buffer(HEADER_BYTES + key.length).writeShort(key.length).writeBytes(key);
    ring.write(head, header, 0, header.readableBytes());
    ring.write(head + header.readableBytes(), ((BufferInternal) json).getByteBuf(), 0, json.length());
    int slot = (first + count) % start.length;
    start[slot] = head;
    expiresAt[slot] = now + ttlMillis;
    hash[slot] = IdTable.hash(key);
    length[slot] = (int) size;
    live[slot] = true;
    table.add(slot, hash[slot]);
    count++;
    liveCount++;
    head += size;
    return true;
  }

  /** A copy of the JSON stored under {@code id}, or null when there is none or it expired. */
  public Buffer get(String id, long now) {
    expire(now);
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    int slot = find(key);
    if (slot < 0) {
      return null;
    }
    int jsonBytes = length[slot] - HEADER_BYTES - key.length;
    ByteBuf copy = Unpooled.buffer(jsonBytes, jsonBytes);
    ring.read(start[slot] + HEADER_BYTES + key.length, jsonBytes, copy);
    return BufferInternal.buffer(copy);
  }

  public boolean remove(String id) {
    int slot = find(id.getBytes(StandardCharsets.UTF_8));
    if (slot < 0) {
      return false;
    }
    drop(slot);
    return true;
  }

  /** Drops the entries whose time is up (the oldest first, so it stops at the first one still alive). */
  public void expire(long now) {
    while (count > 0 && expiresAt[first] <= now) {
      drop(first);
    }
  }

  /** Gives the ring's memory back (the verticle stops); the store must not be used after. */
  public void clear() {
    ring.free();
    allocate(1);
  }

  public int size() {
    return liveCount;
  }

  /** The ring's bytes between its oldest live entry and its head: live entries, their ids and the holes between. */
  public long bytes() {
    return head - tail();
  }

  /** The memory the ring holds: at most the byte bound, whatever came and went. */
  public long allocated() {
    return ring.allocated();
  }

  private long tail() {
    return count == 0 ? head : start[first];
  }

  private int find(byte[] key) {
    long h = IdTable.hash(key);
    return table.find(h, slot -> hash[slot] == h && ring.unsignedShortAt(start[slot]) == key.length
        && ring.matches(start[slot] + HEADER_BYTES, key));
  }

  /** Takes a slot's entry out of the index; its bytes are free once no live slot is older than the next one. */
  private void drop(int slot) {
    live[slot] = false;
    liveCount--;
    table.remove(slot, hash[slot], s -> hash[s]);
    while (count > 0 && !live[first]) {
      first = (first + 1) % start.length;
      count--;
    }
  }

  private void allocate(int slots) {
    start = new long[slots];
    expiresAt = new long[slots];
    hash = new long[slots];
    length = new int[slots];
    live = new boolean[slots];
    table = new IdTable(slots);
    first = 0;
    count = 0;
    liveCount = 0;
  }

  /** Twice the slots (up to the most there may be), the oldest moved to index 0 and the table rebuilt. */
  private void grow() {
    long[] oldStart = start;
    long[] oldExpiresAt = expiresAt;
    long[] oldHash = hash;
    int[] oldLength = length;
    boolean[] oldLive = live;
    int oldFirst = first;
    int oldCount = count;
    allocate(Math.min(maxSlots, oldStart.length * 2));
    for (int i = 0; i < oldCount; i++) {
      int from = (oldFirst + i) % oldStart.length;
      start[i] = oldStart[from];
      expiresAt[i] = oldExpiresAt[from];
      hash[i] = oldHash[from];
      length[i] = oldLength[from];
      live[i] = oldLive[from];
      if (live[i]) {
        table.add(i, hash[i]);
        liveCount++;
      }
    }
    count = oldCount;
  }
}
