package dev.switchboard.responses;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A fixed number of bytes, off the heap, addressed as a ring: position {@code p} is byte
 * {@code p mod capacity}. The memory comes in chunks, each taken from the OS the first time a write
 * reaches it and kept until {@link #free()}, so the ring never holds more than its capacity, and holds
 * only what it has used until it first wraps. One allocation per chunk for the ring's life: no per-entry
 * malloc and free whose fragmentation the process's RSS would carry (it grew by 1.7 times the store's
 * bound with a direct buffer per entry). Not thread-safe: its store's verticle owns it.
 */
final class ByteRing {

  private final long capacity;
  private final int chunkBytes;
  private final ByteBuf[] chunks;
  private long allocated;

  ByteRing(long capacity, int chunkBytes) {
    if (capacity <= 0 || chunkBytes <= 0) {
      throw new IllegalArgumentException("capacity: " + capacity + ", chunkBytes: " + chunkBytes
          + " (expected: > 0)");
    }
    this.capacity = capacity;
    this.chunkBytes = chunkBytes;
    long count = (capacity + chunkBytes - 1) / chunkBytes;
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: at most " + Integer.MAX_VALUE
          + " chunks of " + chunkBytes + " bytes)");
    }
    this.chunks = new ByteBuf[(int) count];
  }

  long capacity() {
    return capacity;
  }

  /** Bytes taken from the OS so far: never more than the capacity. */
  long allocated() {
    return allocated;
  }

  /** Copies {@code length} bytes of {@code src} from {@code srcIndex} to the ring at {@code position}. */
  void write(long position, ByteBuf src, int srcIndex, int length) {
    check(length);
    while (length > 0) {
      int offsetInChunk = (int) (position % capacity % chunkBytes);
      ByteBuf chunk = chunkAt(position);
      int n = Math.min(length, chunk.capacity() - offsetInChunk);
      chunk.setBytes(offsetInChunk, src, srcIndex, n);
      position += n;
      srcIndex += n;
      length -= n;
    }
  }

  /** Copies {@code length} bytes at {@code position} to the end of {@code dst}. */
  void read(long position, int length, ByteBuf dst) {
    check(length);
    while (length > 0) {
      int offsetInChunk = (int) (position % capacity % chunkBytes);
      ByteBuf chunk = chunks[(int) (position % capacity / chunkBytes)];
      int n = Math.min(length, chunk.capacity() - offsetInChunk);
      dst.writeBytes(chunk, offsetInChunk, n);
      position += n;
      length -= n;
    }
  }

  /** Whether the bytes at {@code position} are {@code bytes}. */
  boolean matches(long position, byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      if (byteAt(position + i) != bytes[i]) {
        return false;
      }
    }
    return true;
  }

  /** The two bytes at {@code position} as an unsigned big-endian number. */
  int unsignedShortAt(long position) {
    return (byteAt(position) & 0xff) << 8 | byteAt(position + 1) & 0xff;
  }

  private byte byteAt(long position) {
    return chunks[(int) (position % capacity / chunkBytes)].getByte((int) (position % capacity % chunkBytes));
  }

  /** Gives every chunk back; the ring must not be used after. */
  void free() {
    for (int i = 0; i < chunks.length; i++) {
      if (chunks[i] != null) {
        chunks[i].release();
        chunks[i] = null;
      }
    }
    allocated = 0;
  }

  private void check(int length) {
    if (length < 0 || length > capacity) {
      throw new IllegalArgumentException("length: " + length + " (expected: 0 to " + capacity + ")");
    }
  }

  /** The chunk holding {@code position}, taken from the OS on first use; the last one is only as long as needed. */
  private ByteBuf chunkAt(long position) {
    int i = (int) (position % capacity / chunkBytes);
    if (chunks[i] == null) {
      int size = (int) Math.min(chunkBytes, capacity - (long) i * chunkBytes);
      chunks[i] = Unpooled.directBuffer(size, size);
      allocated += size;
    }
    return chunks[i];
  }
}
