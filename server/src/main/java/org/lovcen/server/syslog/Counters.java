package org.lovcen.server.syslog;

import java.util.concurrent.atomic.LongAdder;

/** The message counters of one listener. Thread-safe. */
final class Counters {
  final LongAdder received = new LongAdder();
  final LongAdder accepted = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder dropped = new LongAdder();

  SyslogServer.Counts snapshot() {
    // received is counted first and read last: a reader never sees more outcomes than messages
    long d = dropped.sum();
    long r = rejected.sum();
    long a = accepted.sum();
    return new SyslogServer.Counts(received.sum(), a, r, d);
  }
}
