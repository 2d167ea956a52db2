package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import org.lovcen.core.Event;

/*
 * How and why: per event, (1) bind the event's fields to the rule set's ids, (2) pick the bucket
 * of rule variants whose logsource admits the event's channel and EventID (computed once per
 * distinct pair and cached), (3) run each prefiltered field through its automaton and collect
 * the variants whose literal was seen, (4) evaluate those plus the bucket's unfiltered variants.
 * Nothing on this path allocates once the caches are warm.
 */
/** Evaluates events against a {@link RuleSet}. One per thread: not thread-safe. */
public final class Evaluator {
  /** Receives rule matches; the event is only valid during the call. */
  @FunctionalInterface
  public interface Matches {
    void match(SigmaRule rule, Event event);
  }

  private final RuleSet set;
  private final EventView view;
  private final int[] stamp;
  private int generation;
  private int[] candidates = new int[64];
  private int candidateCount;
  private final HashMap<String, IntMap<Bucket>> buckets = new HashMap<>();
  private IntMap<Bucket> noChannel = new IntMap<>();
  /** Buckets cached; past {@link #MAX_BUCKETS} the cache starts over, so odd input cannot grow it without end. */
  private int cached;
  static final int MAX_BUCKETS = 4096;
  private Bucket bucket;
  private int[][] scanVariants;
  private final AhoCorasick.Hits onHit = this::hit;
  private long evaluated;
  private final long[] perVariant;

  Evaluator(RuleSet set) {
    this.set = set;
    this.view = new EventView(set.fieldIds);
    this.stamp = new int[set.compiled.size()];
    this.perVariant = new long[set.compiled.size()];
  }

  /** The variants admitted for one (channel, EventID), split by whether they are prefiltered. */
  private static final class Bucket {
    final boolean[] admits;
    final int[] always;
    /** The keyword automaton, when an admitted variant needs it; else null. */
    final RuleSet.FieldScan anyScan;
    /** The field automata that can hit an admitted variant: only these fields are scanned. */
    final RuleSet.FieldScan[] scans;

    Bucket(boolean[] admits, int[] always, RuleSet.FieldScan anyScan, RuleSet.FieldScan[] scans) {
      this.admits = admits;
      this.always = always;
      this.anyScan = anyScan;
      this.scans = scans;
    }
  }

  /** Evaluates every rule that can apply to the event, reporting matches in rule order. */
  public void evaluate(Event e, Matches out) {
    bucket = bucket(e.channel(), e.eventId());
    if (bucket == null) {
      return;
    }
    view.bind(e);
    if (++generation == 0) {
      Arrays.fill(stamp, 0);
      generation = 1;
    }
    candidateCount = 0;
    if (set.prefilter) {
      if (bucket.anyScan != null) {
        scanAll(e, bucket.anyScan);
      }
      for (RuleSet.FieldScan scan : bucket.scans) {
        int i = view.first(scan.field());
        if (i < 0) {
          continue;
        }
        scanVariants = scan.variants();
        for (; i >= 0; i = view.next(i)) {
          String v = view.value(i);
          if (v != null) {
            scan.automaton().scan(v, onHit);
          }
        }
      }
    }
    int[] always = bucket.always;
    sortCandidates();
    // Merge the two sorted lists so that matches come in rule order.
    int a = 0;
    int c = 0;
    while (a < always.length || c < candidateCount) {
      int next;
      if (c >= candidateCount || (a < always.length && always[a] < candidates[c])) {
        next = always[a++];
      } else {
        next = candidates[c++];
      }
      RuleSet.Compiled rc = set.compiled.get(next);
      evaluated++;
      perVariant[next]++;
      if (rc.root.test(view)) {
        out.match(rc.rule, e);
      }
    }
  }

  /** Insertion sort: the candidate list is short, and Arrays.sort may allocate a merge buffer. */
  private void sortCandidates() {
    if (candidateCount > 48) {
      Arrays.sort(candidates, 0, candidateCount);
      return;
    }
    int[] a = candidates;
    for (int i = 1; i < candidateCount; i++) {
      int x = a[i];
      int j = i - 1;
      while (j >= 0 && a[j] > x) {
        a[j + 1] = a[j];
        j--;
      }
      a[j + 1] = x;
    }
  }

  /** Keyword literals: every value of the event is searched. */
  private void scanAll(Event e, RuleSet.FieldScan scan) {
    scanVariants = scan.variants();
    for (int i = 0, n = e.size(); i < n; i++) {
      String v = e.value(i);
      if (v != null) {
        scan.automaton().scan(v, onHit);
      }
    }
  }

  private void hit(int pattern) {
    for (int v : scanVariants[pattern]) {
      if (stamp[v] != generation) {
        stamp[v] = generation;
        if (bucket.admits[v]) {
          if (candidateCount == candidates.length) {
            candidates = Arrays.copyOf(candidates, candidateCount * 2);
          }
          candidates[candidateCount++] = v;
        }
      }
    }
  }

  private Bucket bucket(String channel, int eventId) {
    IntMap<Bucket> byId = channel == null ? noChannel : buckets.get(channel);
    Bucket b = byId == null ? null : byId.get(eventId);
    if (b == null) {
      if (cached >= MAX_BUCKETS) {
        buckets.clear();
        noChannel = new IntMap<>();
        cached = 0;
        byId = channel == null ? noChannel : null;
      }
      if (byId == null) {
        byId = new IntMap<>();
        buckets.put(channel, byId);
      }
      b = build(channel == null ? null : Fold.fold(channel), eventId);
      byId.put(eventId, b);
      cached++;
    }
    return b.admits.length == 0 ? null : b;
  }

  /** How many (channel, EventID) buckets are cached. */
  int cachedBuckets() {
    return cached;
  }

  private Bucket build(String foldedChannel, int eventId) {
    List<RuleSet.Compiled> all = set.compiled;
    boolean[] admits = new boolean[all.size()];
    List<Integer> always = new ArrayList<>();
    boolean any = false;
    boolean keywords = false;
    for (RuleSet.Compiled c : all) {
      if (c.admits(foldedChannel, eventId)) {
        admits[c.index] = true;
        any = true;
        if (c.prefilter == null) {
          always.add(c.index);
        } else {
          keywords |= c.prefilter.stream().anyMatch(l -> l.field() == Prefilter.ANY_FIELD);
        }
      }
    }
    if (!any) {
      return new Bucket(new boolean[0], new int[0], null, new RuleSet.FieldScan[0]);
    }
    RuleSet.FieldScan anyScan = null;
    List<RuleSet.FieldScan> scans = new ArrayList<>();
    for (RuleSet.FieldScan s : set.scans) {
      if (s.field() == Prefilter.ANY_FIELD) {
        anyScan = keywords ? s : null;
      } else if (relevant(s, admits)) {
        scans.add(s);
      }
    }
    return new Bucket(admits, always.stream().mapToInt(Integer::intValue).toArray(), anyScan,
        scans.toArray(new RuleSet.FieldScan[0]));
  }

  private static boolean relevant(RuleSet.FieldScan scan, boolean[] admits) {
    for (int[] vs : scan.variants()) {
      for (int v : vs) {
        if (admits[v]) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * How often each rule was fully evaluated so far (prefilter passed), most first: for rule
   * authors, the rules whose literals let most events through.
   */
  public java.util.Map<SigmaRule, Long> evaluationsPerRule() {
    java.util.Map<SigmaRule, Long> out = new java.util.HashMap<>();
    for (RuleSet.Compiled c : set.compiled) {
      if (perVariant[c.index] > 0) {
        out.merge(c.rule, perVariant[c.index], Long::sum);
      }
    }
    return out;
  }

  /** How many rule variants were fully evaluated so far (for benchmarks). */
  public long evaluated() {
    return evaluated;
  }
}
