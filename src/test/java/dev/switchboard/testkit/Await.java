package dev.switchboard.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A bounded wait for a condition, polled: the assertion is the condition, never the wait. */
public final class Await {

  private Await() {
  }

  /** Returns how long it took; fails the test with {@code what} if {@code max} passes first. */
  public static Duration until(Duration max, String what, BooleanSupplier condition) {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + max.toMillis() + " ms: " + what);
      }
      try {
        Thread.sleep(25);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what, e);
      }
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
