package org.lovcen.core;

/** Receives problems found while reading; implementations must be thread-safe. */
@FunctionalInterface
public interface ProblemSink {
  void report(Problem problem);

  /** Convenience for {@code report(new Problem(file, position, reason))}. */
  default void report(String file, String position, String reason) {
    report(new Problem(file, position, reason));
  }
}
