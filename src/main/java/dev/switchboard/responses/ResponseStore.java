package dev.switchboard.responses;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stored responses, bounded three ways: how many, for how long, and how many bytes. Entries are kept
 * encoded (JSON bytes), so that the byte bound is the memory they take, not a guess at the size of a
 * tree of objects; the oldest go first when a bound is reached. The bytes live off the heap and are
 * freed the moment an entry goes: on the heap, evicted entries would be garbage in the old generation
 * until a full collection, and the JVM grows its heap (and the process its RSS) rather than collect it.
 * Not thread-safe: its verticle owns it.
 */
public final class ResponseStore {

  /** Per entry, beyond its bytes: the map node, the key, the entry record and the array header. */
  static final int OVERHEAD_BYTES = 200;

  private record Entry(ByteBuf json, long expiresAt) {
  }

  private final int maxEntries;
  private final long maxBytes;
  private final long ttlMillis;
  /** Insertion order is age order, and with one TTL for all also expiry order. */
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
  private long bytes;

  public ResponseStore(int maxEntries, long maxBytes, long ttlMillis) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.ttlMillis = ttlMillis;
  }

  /** Keeps {@code json} under {@code id}; false when it alone is larger than the byte bound (then nothing is kept). */
  public boolean put(String id, Buffer json, long now) {
    long size = json.length() + (long) id.length() + OVERHEAD_BYTES;
    if (maxEntries <= 0 || size > maxBytes) {
      return false;
    }
    remove(id);
    ByteBuf offHeap = Unpooled.directBuffer(json.length(), json.length());
    offHeap.writeBytes(json.getBytes());
    entries.put(id, new Entry(offHeap, now + ttlMillis));
    bytes += size;
    expire(now);
    Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
    while ((entries.size() > maxEntries || bytes > maxBytes) && oldest.hasNext()) {
      Map.Entry<String, Entry> e = oldest.next();
      bytes -= sizeOf(e.getKey(), e.getValue());
      e.getValue().json().release();
      oldest.remove();
    }
    return true;
  }

  /** The entry under {@code id}, or null when there is none or it expired. */
  public Buffer get(String id, long now) {
    expire(now);
    Entry e = entries.get(id);
    if (e == null) {
      return null;
    }
    byte[] copy = new byte[e.json().readableBytes()];
    e.json().getBytes(e.json().readerIndex(), copy);
    return Buffer.buffer(copy);
  }

  public boolean remove(String id) {
    Entry e = entries.remove(id);
    if (e != null) {
      bytes -= sizeOf(id, e);
      e.json().release();
    }
    return e != null;
  }

  /** Drops the entries whose time is up (the oldest first, so it stops at the first one still alive). */
  public void expire(long now) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> e = it.next();
      if (e.getValue().expiresAt() > now) {
        return;
      }
      bytes -= sizeOf(e.getKey(), e.getValue());
      e.getValue().json().release();
      it.remove();
    }
  }

  /** Frees every entry (the verticle stops). */
  public void clear() {
    entries.values().forEach(e -> e.json().release());
    entries.clear();
    bytes = 0;
  }

  public int size() {
    return entries.size();
  }

  /** The bytes counted against the bound: the entries' JSON plus a fixed overhead each. */
  public long bytes() {
    return bytes;
  }

  private static long sizeOf(String id, Entry e) {
    return e.json().capacity() + (long) id.length() + OVERHEAD_BYTES;
  }
}
