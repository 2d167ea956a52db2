package org.lovcen.sigma;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How often each rule regex ran past its step budget on the backtracking engine and was answered
 * by RE2 instead: a pattern that shows up here is slow on the values it meets (the engine stays
 * in linear time, but each such value costs the budget first). Counted per pattern, process-wide;
 * the set of patterns is bounded by the rules loaded. Thread-safe.
 */
public final class RegexFallbacks {
  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

  private RegexFallbacks() {}

  static void count(String pattern) {
    COUNTS.computeIfAbsent(pattern, k -> new LongAdder()).increment();
  }

  /** Pattern to number of fallbacks so far, sorted by pattern. */
  public static Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    COUNTS.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
