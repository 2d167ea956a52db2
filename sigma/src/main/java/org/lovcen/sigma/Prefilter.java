package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.List;

/*
 * How and why: most rules can only match when some field contains some literal: "Image ends
 * with \\rundll32.exe" needs "\\rundll32.exe" in Image. For each matcher tree this derives a
 * necessary condition as a set of alternatives (field, folded literal): if the rule matches, at
 * least one alternative is present. OR unions its children's sets; AND picks the most selective
 * child (longest shortest literal, where a short whole value such as "GET" or "SetValue" counts
 * half: fields with enumerated values repeat them on most events); NOT, regexes, numbers, null and keyword searches give no
 * condition, so such rules are always evaluated. The evaluator then scans each field once with
 * an Aho-Corasick automaton over all literals and evaluates only the rules that were hit: the
 * cheap test first, the full tree last.
 */
/** Derives prefilter literals from matcher trees. Stateless; thread-safe. */
final class Prefilter {
  private Prefilter() {}

  /** The field id of keyword literals: any value of the event may contain them. */
  static final int ANY_FIELD = -1;

  /**
   * One alternative: field id (or {@link #ANY_FIELD}) and a folded literal the value must contain;
   * {@code whole} when the literal must be the entire value.
   */
  record Literal(int field, String text, boolean whole) {}

  /** The alternatives, or null when the tree has no usable necessary condition. */
  static List<Literal> of(Node n) {
    if (n instanceof Node.Field f) {
      return field(f);
    } else if (n instanceof Node.And a) {
      return best(a.children);
    } else if (n instanceof Node.Or o) {
      return union(o.children);
    } else if (n instanceof Node.AtLeast al) {
      return union(al.children);
    } else if (n instanceof Node.Const c) {
      return c.value ? null : List.of();
    } else if (n instanceof Node.Keyword k) {
      return literals(ANY_FIELD, k.any);
    }
    return null; // Not, Exists, FieldRef
  }

  private static List<Literal> field(Node.Field f) {
    return literals(f.id, f.any);
  }

  private static List<Literal> literals(int field, ValueMatcher[] any) {
    List<Literal> out = new ArrayList<>();
    for (ValueMatcher m : any) {
      String lit = m.matchesAbsent() ? null : m.literal();
      if (lit == null) {
        return null;
      }
      out.add(new Literal(field, lit, m.wholeValue()));
    }
    return out;
  }

  private static List<Literal> union(Node[] children) {
    List<Literal> out = new ArrayList<>();
    for (Node c : children) {
      List<Literal> l = of(c);
      if (l == null) {
        return null;
      }
      out.addAll(l);
    }
    return out;
  }

  private static List<Literal> best(Node[] children) {
    List<Literal> best = null;
    for (Node c : children) {
      List<Literal> l = of(c);
      if (l != null && (best == null || better(l, best))) {
        best = l;
      }
    }
    return best;
  }

  private static boolean better(List<Literal> a, List<Literal> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && !b.isEmpty();
    }
    int ma = shortest(a);
    int mb = shortest(b);
    int qa = Math.min(ma, 8);
    int qb = Math.min(mb, 8);
    if (qa != qb) {
      return qa > qb;
    }
    return a.size() < b.size();
  }

  private static int shortest(List<Literal> l) {
    int m = Integer.MAX_VALUE;
    for (Literal x : l) {
      int len = x.text().length();
      m = Math.min(m, x.whole() ? (len + 1) / 2 : len);
    }
    return m;
  }
}
