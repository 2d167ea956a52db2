package org.lovcen.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;
import org.lovcen.core.Problem;
import org.lovcen.core.ProblemSink;

/** Counts input problems and prints the first few to stderr. Thread-safe. */
final class Problems implements ProblemSink {
  private final PrintStream err;
  private final int show;
  private final AtomicLong count = new AtomicLong();

  Problems(PrintStream err, int show) {
    this.err = err;
    this.show = show;
  }

  @Override
  public void report(Problem p) {
    long n = count.incrementAndGet();
    if (err == null) {
      return;
    }
    synchronized (err) {
      if (n <= show) {
        err.println("warning: " + p);
      } else if (n == show + 1) {
        err.println("warning: more input problems; their count is in the summary");
      }
    }
  }

  long count() {
    return count.get();
  }
}
