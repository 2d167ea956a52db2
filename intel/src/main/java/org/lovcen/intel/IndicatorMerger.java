package org.lovcen.intel;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/*
 * How and why: a million indicators are merged at every load, so merging keeps no entry objects:
 * two passes over one array, each with an open-addressing table of ints (slot + 1, 0 for empty;
 * power-of-two capacity, at most half full) whose keys are read back from the array itself.
 *
 * 1. Versions: the newest version per id wins (by the modified timestamp as text); versions with
 *    the same timestamp are combined. Each id keeps the slot of its first version, so the order is
 *    the order in which ids were first seen.
 * 2. Sources: among the non-revoked survivors, indicators with equal clauses are combined into the
 *    first, in that order.
 *
 * Both passes compact the array in place (a slot is never ahead of the indicator being read).
 * The two passes cannot become one map keyed by the clauses: a newer version with another pattern
 * replaces the older one, and an explicit STIX id may equal the id derived from a list's clauses,
 * so which indicators combine, and in what order (which fixes the order of sources and labels),
 * depends on resolving versions first. The id pass is cheap without entry objects: the id's hash
 * is cached in its String and most probes end at the first slot.
 */
/** Reduces indicators from any number of sources to the live set. Stateless; thread-safe. */
final class IndicatorMerger {
  private IndicatorMerger() {}

  /** The live indicators, in first-seen order: newest version per id, revoked dropped, equal clauses combined. */
  static Indicator[] merge(Collection<Indicator> all) {
    Indicator[] a = all.toArray(new Indicator[0]);
    int n = newestPerId(a);
    int m = combineEqualClauses(a, n);
    return m == a.length ? a : Arrays.copyOf(a, m);
  }

  /** Keeps the newest version per id in {@code a[0, n)}; returns n. */
  private static int newestPerId(Indicator[] a) {
    int[] slots = new int[ValueTables.capacity(a.length)];
    int[] hashes = new int[slots.length];
    int mask = slots.length - 1;
    int n = 0;
    for (Indicator ind : a) {
      String id = ind.id();
      int h = ValueTables.mix(id.hashCode());
      int i = h & mask;
      while (slots[i] != 0 && (hashes[i] != h || !a[slots[i] - 1].id().equals(id))) {
        i = (i + 1) & mask;
      }
      if (slots[i] == 0) {
        slots[i] = n + 1;
        hashes[i] = h;
        a[n++] = ind;
      } else {
        a[slots[i] - 1] = newer(a[slots[i] - 1], ind);
      }
    }
    return n;
  }

  /** Drops revoked indicators from {@code a[0, n)} and combines those with equal clauses; returns the count left. */
  private static int combineEqualClauses(Indicator[] a, int n) {
    int[] slots = new int[ValueTables.capacity(n)];
    int[] hashes = new int[slots.length];
    int mask = slots.length - 1;
    int m = 0;
    for (int k = 0; k < n; k++) {
      Indicator ind = a[k];
      if (ind.revoked()) {
        continue;
      }
      List<List<Observable>> clauses = ind.clauses();
      int h = ValueTables.mix(hash(clauses));
      int i = h & mask;
      while (slots[i] != 0 && (hashes[i] != h || !a[slots[i] - 1].clauses().equals(clauses))) {
        i = (i + 1) & mask;
      }
      if (slots[i] == 0) {
        slots[i] = m + 1;
        hashes[i] = h;
        a[m++] = ind;
      } else {
        a[slots[i] - 1] = combine(a[slots[i] - 1], ind);
      }
    }
    return m;
  }

  /** A hash of the clauses from the observables' types and values (the values' hashes are cached in them). */
  private static int hash(List<List<Observable>> clauses) {
    int h = 1;
    for (int i = 0; i < clauses.size(); i++) {
      List<Observable> c = clauses.get(i);
      for (int j = 0; j < c.size(); j++) {
        Observable o = c.get(j);
        h = 31 * h + o.type().ordinal() * 0x9E3779B9 + o.value().hashCode();
      }
      h = 31 * h + 7;
    }
    return h;
  }

  private static Indicator newer(Indicator a, Indicator b) {
    int cmp = a.modified().compareTo(b.modified());
    if (cmp != 0) {
      return cmp > 0 ? a : b;
    }
    return combine(a, b);
  }

  /**
   * One indicator from two with the same clauses: the first's identity, both sources, the union
   * of validity and labels.
   */
  static Indicator combine(Indicator a, Indicator b) {
    return new Indicator(a.id(), a.name().isEmpty() ? b.name() : a.name(), a.description().isEmpty()
        ? b.description() : a.description(), a.clauses(), Math.min(a.validFrom(), b.validFrom()),
        Math.max(a.validUntil(), b.validUntil()), false, union(a.labels(), b.labels()), a.indicatorTypes(),
        union(a.killChainPhases(), b.killChainPhases()), a.createdByRef(), union(a.markingRefs(), b.markingRefs()),
        a.modified(), union(a.sources(), b.sources()));
  }

  /** The distinct elements of {@code a} then {@code b}, in order; {@code a} itself when that is all it is. */
  private static <T> List<T> union(List<T> a, List<T> b) {
    if (b.isEmpty() && distinct(a) || a.size() == 1 && b.size() == 1 && a.get(0).equals(b.get(0))) {
      return a;
    }
    LinkedHashSet<T> s = new LinkedHashSet<>(a);
    s.addAll(b);
    return List.copyOf(s);
  }

  private static boolean distinct(List<?> l) {
    for (int i = 1; i < l.size(); i++) {
      if (l.subList(0, i).contains(l.get(i))) {
        return false;
      }
    }
    return true;
  }

}
