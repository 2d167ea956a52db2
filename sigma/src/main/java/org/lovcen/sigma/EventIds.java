package org.lovcen.sigma;

import java.util.HashSet;
import java.util.Set;

/*
 * How and why: most Windows rules test EventID equality (`EventID: 4625`), and a rule can only
 * match events with one of those ids. Derived from the matcher tree like the prefilter's
 * literals (AND intersects its constrained children, OR unites when every child is constrained,
 * NOT and everything else constrain nothing), the set narrows the rule's route: the evaluator's
 * (channel, EventID) buckets then leave the rule out for other ids, so it costs nothing there.
 * The event's EventID header is the decimal EventID field; an event whose header is unknown
 * (-1: absent, not decimal, or ambiguous) is not narrowed, so the result never changes.
 */
/** Derives the EventIDs a rule requires. Stateless; thread-safe. */
final class EventIds {
  private EventIds() {}

  /** The EventIDs a match requires, or null when the tree does not constrain them. */
  static Set<Integer> required(Node n, int eventIdField) {
    if (n instanceof Node.Field f) {
      return field(f, eventIdField);
    } else if (n instanceof Node.And a) {
      Set<Integer> out = null;
      for (Node c : a.children) {
        Set<Integer> s = required(c, eventIdField);
        if (s != null) {
          if (out == null) {
            out = new HashSet<>(s);
          } else {
            out.retainAll(s);
          }
        }
      }
      return out;
    } else if (n instanceof Node.Or o) {
      return union(o.children, eventIdField);
    } else if (n instanceof Node.AtLeast al) {
      return union(al.children, eventIdField);
    }
    return null;
  }

  private static Set<Integer> field(Node.Field f, int eventIdField) {
    if (f.id != eventIdField) {
      return null;
    }
    Set<Integer> out = new HashSet<>();
    for (ValueMatcher m : f.any) {
      int id = m instanceof ValueMatcher.Num num ? num.asEventId() : -1;
      if (id < 0) {
        return null;
      }
      out.add(id);
    }
    return out;
  }

  private static Set<Integer> union(Node[] children, int eventIdField) {
    Set<Integer> out = new HashSet<>();
    for (Node c : children) {
      Set<Integer> s = required(c, eventIdField);
      if (s == null) {
        return null;
      }
      out.addAll(s);
    }
    return out;
  }
}
