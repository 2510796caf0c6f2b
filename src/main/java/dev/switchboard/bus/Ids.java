package dev.switchboard.bus;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers made on the request path. {@link UUID#randomUUID()} draws on {@code SecureRandom}: a lock,
 * a SHA-1 mix and, every 100 ms, a read of {@code /dev/urandom}, for ids that protect nothing. These do not
 * need to be unguessable, only unique.
 */
public final class Ids {

  private Ids() {
  }

  /** A version-4 UUID from {@link ThreadLocalRandom}: the shape of LiteLLM's call ids, not a secret. */
  public static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;              // version 4
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(msb, lsb).toString();
  }
}
