package org.lovcen.sigma;

import java.util.Arrays;

/** Aggregates of the value_* correlations, as pySigma computes them. Stateless; thread-safe. */
final class Metrics {
  private Metrics() {}

  /** The value as a number, or NaN when it is absent or not numeric (such values are ignored). */
  static double number(String s) {
    if (s == null || s.isEmpty()) {
      return Double.NaN;
    }
    try {
      double d = Double.parseDouble(s.trim());
      return Double.isFinite(d) ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Sum, mean, median or percentile of non-empty values (values are sorted in place when needed). */
  static double aggregate(Correlation.Type type, int percentile, double[] v) {
    return switch (type) {
      case VALUE_SUM -> sum(v);
      case VALUE_AVG -> sum(v) / v.length;
      case VALUE_MEDIAN -> median(v);
      case VALUE_PERCENTILE -> percentile(v, percentile);
      case EVENT_COUNT, VALUE_COUNT, TEMPORAL, TEMPORAL_ORDERED -> throw new IllegalArgumentException(type.spec());
    };
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s;
  }

  private static double median(double[] v) {
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** Nearest rank as pySigma: index floor(n * p / 100), at most n - 1. */
  private static double percentile(double[] v, int p) {
    Arrays.sort(v);
    int i = (int) ((long) v.length * p / 100);
    return v[Math.min(i, v.length - 1)];
  }
}
