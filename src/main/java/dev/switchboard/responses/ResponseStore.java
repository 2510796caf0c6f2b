package dev.switchboard.responses;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

import java.util.ArrayDeque;
import java.util.HashMap;

/**
 * Stored responses, bounded three ways: how many, for how long, and how many bytes. Entries are kept
 * encoded (JSON bytes) back to back in a {@link ByteRing} of {@code maxBytes}, in the order they came:
 * since the oldest go first whichever bound is reached (and with one TTL for all, the oldest also expire
 * first), making room is moving the ring's tail past the oldest entries. The ring is the memory the
 * bytes take, exactly: taken in chunks as it first fills, never more. A deleted entry leaves a hole
 * that is reclaimed when the tail reaches it. On the heap stays only the index (about
 * {@link #INDEX_BYTES} per entry, so bounded by the count). Not thread-safe: its verticle owns it.
 */
public final class ResponseStore {

  /** The ring's memory comes in chunks of this size: a malloc above glibc's mmap threshold, given back whole. */
  static final int CHUNK_BYTES = 1 << 20;
  /** Heap per entry, beside its bytes in the ring: the map node, the slot, the id (~50 chars). */
  static final int INDEX_BYTES = 200;

  /** Where an entry's bytes are in the ring; a removed entry's slot stays (dead) until the tail passes it. */
  private static final class Slot {
    final String id;
    final long start;
    final int length;
    final long expiresAt;
    boolean live = true;

    Slot(String id, long start, int length, long expiresAt) {
      this.id = id;
      this.start = start;
      this.length = length;
      this.expiresAt = expiresAt;
    }
  }

  private final int maxEntries;
  private final long ttlMillis;
  private final ByteRing ring;
  /** Every slot still in the ring, oldest first; the first one is always live. */
  private final ArrayDeque<Slot> order = new ArrayDeque<>();
  private final HashMap<String, Slot> index = new HashMap<>();
  /** Where the next entry goes: a position that only grows (the ring takes it modulo its capacity). */
  private long head;

  public ResponseStore(int maxEntries, long maxBytes, long ttlMillis) {
    this(maxEntries, maxBytes, ttlMillis, CHUNK_BYTES);
  }

  ResponseStore(int maxEntries, long maxBytes, long ttlMillis, int chunkBytes) {
    this.maxEntries = maxEntries;
    this.ttlMillis = ttlMillis;
    this.ring = new ByteRing(maxBytes, chunkBytes);
  }

  /**
   * Keeps {@code json} under {@code id}, copying it into the ring (its only copy here); false when it
   * alone is larger than the byte bound, or the store is off (then nothing is kept).
   */
  public boolean put(String id, Buffer json, long now) {
    int length = json.length();
    if (maxEntries <= 0 || length > ring.capacity()) {
      return false;
    }
    remove(id);
    expire(now);
    while (!order.isEmpty() && (index.size() >= maxEntries || head + length - tail() > ring.capacity())) {
      drop(order.peekFirst());
    }
    ring.write(head, ((BufferInternal) json).getByteBuf(), 0, length);
    Slot slot = new Slot(id, head, length, now + ttlMillis);
    order.addLast(slot);
    index.put(id, slot);
    head += length;
    return true;
  }

  /** A copy of the entry under {@code id}, or null when there is none or it expired. */
  public Buffer get(String id, long now) {
    expire(now);
    Slot slot = index.get(id);
    if (slot == null) {
      return null;
    }
    ByteBuf copy = Unpooled.buffer(slot.length, slot.length);
    ring.read(slot.start, slot.length, copy);
    return BufferInternal.buffer(copy);
  }

  public boolean remove(String id) {
    Slot slot = index.get(id);
    if (slot == null) {
      return false;
    }
    drop(slot);
    return true;
  }

  /** Drops the entries whose time is up (the oldest first, so it stops at the first one still alive). */
  public void expire(long now) {
    while (!order.isEmpty() && order.peekFirst().expiresAt <= now) {
      drop(order.peekFirst());
    }
  }

  /** Gives the ring's memory back (the verticle stops); the store must not be used after. */
  public void clear() {
    order.clear();
    index.clear();
    ring.free();
  }

  public int size() {
    return index.size();
  }

  /** The ring's bytes between its oldest live entry and its head: live entries and the holes between them. */
  public long bytes() {
    return head - tail();
  }

  /** The memory the ring holds: at most the byte bound, whatever came and went. */
  public long allocated() {
    return ring.allocated();
  }

  private long tail() {
    return order.isEmpty() ? head : order.peekFirst().start;
  }

  /** Takes an entry out of the index; its bytes are free once no live slot is older than the next one. */
  private void drop(Slot slot) {
    slot.live = false;
    index.remove(slot.id);
    while (!order.isEmpty() && !order.peekFirst().live) {
      order.pollFirst();
    }
  }
}
