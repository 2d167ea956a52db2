package org.lovcen.server.syslog;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;

/**
 * Events waiting to be submitted, one list per institution, in arrival order. Owned by one
 * listener thread: not thread-safe.
 */
final class Batch {
  private final LinkedHashMap<String, List<Event>> lists = new LinkedHashMap<>();
  private int size;
  private long firstNanos;

  void add(String institution, Event e) {
    if (size == 0) {
      firstNanos = System.nanoTime();
    }
    lists.computeIfAbsent(institution, k -> new ArrayList<>()).add(e);
    size++;
  }

  int size() {
    return size;
  }

  /** When the batch must go out ({@link System#nanoTime()}), given the longest wait. */
  long deadline(long delayNanos) {
    return firstNanos + delayNanos;
  }

  /**
   * Submits every list. Events the intake refuses (server stopping), or that were being handed
   * over when the thread was interrupted, are counted as dropped; the batch is empty afterwards.
   *
   * @return false when the intake refused: the server is stopping
   */
  boolean flush(SyslogIntake intake, Counters counters) throws InterruptedException {
    Iterator<Map.Entry<String, List<Event>>> it = lists.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, List<Event>> next = it.next();
      it.remove();
      List<Event> events = next.getValue();
      size -= events.size();
      boolean taken = false;
      try {
        taken = intake.submit(next.getKey(), events);
      } finally {
        if (taken) {
          counters.accepted.add(events.size());
        } else {
          counters.dropped.add(events.size());
          drop(counters);
        }
      }
      if (!taken) {
        return false;
      }
    }
    return true;
  }

  /** Forgets every waiting event, counting them as dropped. */
  void drop(Counters counters) {
    counters.dropped.add(size);
    lists.clear();
    size = 0;
  }
}
