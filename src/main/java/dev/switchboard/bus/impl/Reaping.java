package dev.switchboard.bus.impl;

/**
 * The rule both ends of the stream protocol apply before taking a silent peer for dead: silence
 * counts only while we were listening. A reaper tick that comes far later than scheduled means this
 * event loop, or the whole process, was not running (a long GC pause, or a small machine whose CPUs
 * a local llama-server keeps busy): the peer's keepalives are queued, unread, behind that tick. Then
 * every open stream gets a whole peer timeout from now instead of a 503 for a backend that was
 * working. A peer that really died is noticed one timeout later, never missed.
 */
final class Reaping {

  private Reaping() {
  }

  /**
   * True if the tick at {@code now} came so late after {@code lastTick} (the previous tick, or the
   * start) that we, not the peers, were silent.
   */
  static boolean lateTick(long lastTick, long now, long periodMs, long peerTimeoutMs) {
    return now - lastTick > periodMs + peerTimeoutMs / 2;
  }
}
