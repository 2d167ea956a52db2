package org.lovcen.sigma;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.lovcen.core.Event;

/**
 * Correlation benchmark: one base rule and an event_count correlation grouped by a field with
 * 100k distinct values, over a stream of N events (default 10M), once without and once with the
 * correlation detector. Prints throughput and the heap used after GC every N/10 events. Run:
 * {@code mvn -o -q test-compile -pl sigma && java -cp "sigma/target/classes:sigma/target/test-classes:$(cat cp.txt)"
 * org.lovcen.sigma.CorrelationBench 10000000} (see docs/PERFORMANCE.md).
 */
public final class CorrelationBench {
  private CorrelationBench() {}

  public static void main(String[] args) throws Exception {
    long n = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Path dir = Files.createTempDirectory("bench");
    Files.writeString(dir.resolve("base.yml"), Corr.base("00000000-0000-4000-8000-000000000000", "base", "x"));
    Files.writeString(dir.resolve("mr.yml"), "title: c\nid: c\ncorrelation:\n  type: event_count\n  rules: [base]\n"
        + "  group-by: [G]\n  timespan: 1m\n  condition:\n    gte: 1000\n");
    RuleSet with = RuleSet.load(List.of(dir), RuleSet.Options.defaults());
    for (int round = 0; round < 2; round++) {
      run(with, n, false);
      run(with, n, true);
    }
  }

  private static void run(RuleSet set, long n, boolean correlate) {
    Evaluator ev = set.evaluator();
    CorrelationDetector d = set.correlations().detector(LATENESS < 0 ? CorrelationDetector.Options.defaults()
        : CorrelationDetector.Options.defaults().withLateness(LATENESS));
    Event e = new Event();
    long[] matches = new long[1];
    Evaluator.Matches sink = correlate ? (r, x) -> d.accept(set.correlations().hit(r, x)) : (r, x) -> matches[0]++;
    StringBuilder heap = new StringBuilder();
    long t0 = System.nanoTime();
    for (long i = 0; i < n; i++) {
      e.clear();
      e.add("Rule", "x");
      e.add("G", KEYS[(int) (i % KEYS.length)]);
      e.timestamp(1_661_140_800_000_000L + i * 1000);
      e.source("bench");
      e.record(i);
      ev.evaluate(e, sink);
      if ((i + 1) % (n / 10) == 0) {
        heap.append(String.format(Locale.ROOT, " %.0f", usedMb()));
      }
    }
    d.flush();
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(Locale.ROOT, "correlations %-3s %,d events in %.1f s: %,.0f events/s; heap MB after GC:%s;"
        + " stats %s%n", correlate ? "on" : "off", n, s, n / s, heap, d.stats());
  }

  private static final long LATENESS = Long.getLong("lateness", -1);
  private static final String[] KEYS = new String[100_000];

  static {
    for (int i = 0; i < KEYS.length; i++) {
      KEYS[i] = "key-" + i;
    }
  }

  private static double usedMb() {
    System.gc();
    Runtime r = Runtime.getRuntime();
    return (r.totalMemory() - r.freeMemory()) / 1e6;
  }
}
