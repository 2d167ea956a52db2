package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyCountsTest {
  /** Differential: quantiles of the latencies between two snapshots against sorting them. */
  @Test
  void quantile_betweenSnapshots_matchesSortedNearestRank() {
    SplittableRandom r = new SplittableRandom(5);
    LatencyCounts counts = new LatencyCounts();
    for (int i = 0; i < 5_000; i++) {
      counts.record(r.nextLong(20_000_000_000L)); // before the stretch: up to 20 s, must not count
    }
    long[] before = counts.snapshot();
    long[] ms = new long[20_000];
    for (int i = 0; i < ms.length; i++) {
      long nanos = (long) (Math.abs(r.nextGaussian()) * 800_000_000L) + r.nextLong(1_000_000);
      counts.record(nanos);
      ms[i] = nanos / 1_000_000;
    }
    long[] after = counts.snapshot();
    Arrays.sort(ms);
    for (double q : new double[] {0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
      long expected = ms[(int) Math.ceil(q * ms.length) - 1];
      assertThat(LatencyCounts.quantile(before, after, q)).as("q=%s", q).isEqualTo((expected + 1) / 1000.0);
    }
  }

  @Test
  void quantile_nothingRecorded_isNaN_andBeyondTwoMinutesLandsInTheLastSlot() {
    LatencyCounts counts = new LatencyCounts();
    long[] empty = counts.snapshot();
    assertThat(LatencyCounts.quantile(empty, counts.snapshot(), 0.99)).isNaN();
    counts.record(10L * 60 * 1_000_000_000L);
    assertThat(LatencyCounts.quantile(empty, counts.snapshot(), 0.5)).isEqualTo(120.001);
  }
}
