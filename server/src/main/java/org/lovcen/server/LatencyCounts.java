package org.lovcen.server;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies counted per millisecond up to two minutes (longer ones in one last slot), so that the
 * quantiles of any stretch of time are exact to the millisecond: take a {@link #snapshot} at its
 * start and at its end and ask {@link #quantile} of the difference. Thread-safe; lock-free.
 */
public final class LatencyCounts {
  private static final int SLOTS = 120_001;
  private final AtomicLongArray counts = new AtomicLongArray(SLOTS);

  public void record(long nanos) {
    long ms = Math.max(0, nanos / 1_000_000);
    counts.incrementAndGet((int) Math.min(SLOTS - 1, ms));
  }

  /** The counts so far. */
  public long[] snapshot() {
    long[] out = new long[SLOTS];
    for (int i = 0; i < SLOTS; i++) {
      out[i] = counts.get(i);
    }
    return out;
  }

  /**
   * The {@code q} quantile in seconds (the upper edge of its millisecond) of the latencies recorded
   * between two snapshots; NaN when there were none. Nearest rank: the smallest latency with at
   * least {@code q} of them at or below it.
   */
  public static double quantile(long[] before, long[] after, double q) {
    long total = 0;
    for (int i = 0; i < SLOTS; i++) {
      total += after[i] - before[i];
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < SLOTS; i++) {
      seen += after[i] - before[i];
      if (seen >= rank) {
        return (i + 1) / 1000.0;
      }
    }
    return (SLOTS) / 1000.0;
  }
}
