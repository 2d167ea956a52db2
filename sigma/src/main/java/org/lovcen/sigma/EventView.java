package org.lovcen.sigma;

import java.util.Arrays;
import java.util.HashMap;
import org.lovcen.core.Event;

/*
 * How and why: rules name fields by string, events carry them in read order. The rule set
 * interns every field name a rule uses into a dense id once; binding an event walks its fields
 * once, looks each name up (one hash lookup of a string whose hash is cached), and chains the
 * field's values by id. Fields no rule uses cost that lookup and nothing else. Generation stamps
 * avoid clearing the per-id heads between events.
 */
/** An event bound to the rule set's field ids, for the evaluator that owns it. Not thread-safe. */
final class EventView {
  private final HashMap<String, Integer> ids;
  private final int[] head;
  private final int[] stamp;
  private int[] next = new int[64];
  private int generation;
  Event event;

  EventView(HashMap<String, Integer> ids) {
    this.ids = ids;
    this.head = new int[ids.size()];
    this.stamp = new int[ids.size()];
  }

  void bind(Event e) {
    event = e;
    if (++generation == 0) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
    int n = e.size();
    if (next.length < n) {
      next = new int[Math.max(n, next.length * 2)];
    }
    // Walk backwards so that each chain lists values in event order.
    for (int i = n - 1; i >= 0; i--) {
      Integer id = ids.get(e.name(i));
      if (id == null) {
        continue;
      }
      int k = id;
      next[i] = stamp[k] == generation ? head[k] : -1;
      head[k] = i;
      stamp[k] = generation;
    }
  }

  /** Index of the first value of field {@code id}, or -1 when the event lacks it. */
  int first(int id) {
    return stamp[id] == generation ? head[id] : -1;
  }

  /** Index of the next value of the same field after {@code index}, or -1. */
  int next(int index) {
    return next[index];
  }

  String value(int index) {
    return event.value(index);
  }

  byte type(int index) {
    return event.type(index);
  }
}
