package org.lovcen.sigma;

import java.util.Arrays;
import java.util.Comparator;
import org.lovcen.core.Event;

/**
 * A compiled matcher tree node, evaluated against an {@link EventView}. Immutable and
 * thread-safe: all per-event state lives in the view.
 */
abstract class Node {
  abstract boolean test(EventView v);

  /** Relative cost, to evaluate cheap siblings first. */
  abstract int cost();

  static final Comparator<Node> BY_COST = Comparator.comparingInt(Node::cost);

  static int sum(Node[] nodes) {
    int sum = 0;
    for (Node n : nodes) {
      sum += n.cost();
    }
    return sum;
  }

  /** All children hold; children ordered cheapest first. */
  static final class And extends Node {
    final Node[] children;

    And(Node[] children) {
      this.children = children.clone();
      Arrays.sort(this.children, BY_COST);
    }

    @Override
    boolean test(EventView v) {
      for (Node c : children) {
        if (!c.test(v)) {
          return false;
        }
      }
      return true;
    }

    @Override
    int cost() {
      return children.length == 0 ? 0 : children[0].cost() + children.length;
    }
  }

  /** Any child holds; children ordered cheapest first. */
  static final class Or extends Node {
    final Node[] children;

    Or(Node[] children) {
      this.children = children.clone();
      Arrays.sort(this.children, BY_COST);
    }

    @Override
    boolean test(EventView v) {
      for (Node c : children) {
        if (c.test(v)) {
          return true;
        }
      }
      return false;
    }

    @Override
    int cost() {
      return sum(children);
    }
  }

  /** At least {@code count} children hold ({@code N of x*}). */
  static final class AtLeast extends Node {
    final int count;
    final Node[] children;

    AtLeast(int count, Node[] children) {
      this.count = count;
      this.children = children.clone();
    }

    @Override
    boolean test(EventView v) {
      int hits = 0;
      for (int i = 0; i < children.length; i++) {
        if (children[i].test(v) && ++hits >= count) {
          return true;
        }
        if (hits + children.length - i - 1 < count) {
          return false;
        }
      }
      return false;
    }

    @Override
    int cost() {
      return sum(children);
    }
  }

  /** The child does not hold. */
  static final class Not extends Node {
    final Node child;

    Not(Node child) {
      this.child = child;
    }

    @Override
    boolean test(EventView v) {
      return !child.test(v);
    }

    @Override
    int cost() {
      return child.cost();
    }
  }

  /** A constant (an empty identifier, a variant without extra conditions). */
  static final class Const extends Node {
    final boolean value;

    Const(boolean value) {
      this.value = value;
    }

    @Override
    boolean test(EventView v) {
      return value;
    }

    @Override
    int cost() {
      return 0;
    }
  }

  /** A field whose value (any of its values) matches any of the matchers. */
  static final class Field extends Node {
    final int id;
    final String name;
    final ValueMatcher[] any;
    private final boolean absent;
    private final int cost;

    Field(int id, String name, ValueMatcher[] any) {
      this.id = id;
      this.name = name;
      this.any = any.clone();
      Arrays.sort(this.any, Comparator.comparingInt(ValueMatcher::cost));
      boolean a = false;
      int c = 0;
      for (ValueMatcher m : any) {
        a |= m.matchesAbsent();
        c += m.cost();
      }
      absent = a;
      cost = c;
    }

    @Override
    boolean test(EventView v) {
      int i = v.first(id);
      if (i < 0) {
        return absent;
      }
      for (; i >= 0; i = v.next(i)) {
        String s = v.value(i);
        byte t = v.type(i);
        for (ValueMatcher m : any) {
          if (m.matches(s, t)) {
            return true;
          }
        }
      }
      return false;
    }

    @Override
    int cost() {
      return cost;
    }
  }

  /** Keyword search: any value of any field matches any of the matchers. */
  static final class Keyword extends Node {
    final ValueMatcher[] any;

    Keyword(ValueMatcher[] any) {
      this.any = any.clone();
    }

    @Override
    boolean test(EventView v) {
      Event e = v.event;
      for (int i = 0, n = e.size(); i < n; i++) {
        if (e.type(i) == Event.NULL) {
          continue;
        }
        String s = e.value(i);
        for (ValueMatcher m : any) {
          if (m.matches(s, Event.STRING)) {
            return true;
          }
        }
      }
      return false;
    }

    @Override
    int cost() {
      return 50 * any.length;
    }
  }

  /** {@code exists}: whether the event has the field at all (null-valued counts). */
  static final class Exists extends Node {
    final int id;
    final boolean exists;

    Exists(int id, boolean exists) {
      this.id = id;
      this.exists = exists;
    }

    @Override
    boolean test(EventView v) {
      return (v.first(id) >= 0) == exists;
    }

    @Override
    int cost() {
      return 0;
    }
  }

  /** {@code fieldref}: compares a field with another field of the same event, case-sensitively. */
  static final class FieldRef extends Node {
    final int id;
    final int ref;
    final boolean startsWith;
    final boolean endsWith;

    FieldRef(int id, int ref, boolean startsWith, boolean endsWith) {
      this.id = id;
      this.ref = ref;
      this.startsWith = startsWith;
      this.endsWith = endsWith;
    }

    @Override
    boolean test(EventView v) {
      int a = v.first(id);
      int b = v.first(ref);
      if (a < 0 || b < 0) {
        return false;
      }
      String x = v.value(a);
      String y = v.value(b);
      if (x == null || y == null) {
        return x == y;
      }
      if (startsWith && endsWith) {
        return x.contains(y);
      } else if (startsWith) {
        return x.startsWith(y);
      } else if (endsWith) {
        return x.endsWith(y);
      }
      return x.equals(y);
    }

    @Override
    int cost() {
      return ValueMatcher.COST_AFFIX;
    }
  }
}
