package org.lovcen.intel;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/*
 * How and why: compiled once from every indicator known, then shared by all matchers. First the
 * indicators are reduced to the live set (IndicatorMerger): of several versions of one STIX id
 * the newest (modified) wins, revoked ones are dropped, and indicators with the same clauses
 * from different sources become one indicator listing every source (each with its own confidence
 * and marking; validity is the union of theirs). Then every clause is anchored on its most selective
 * observable (hash, URL, domain, address, file name), which goes into a flat table for its type:
 * exact IPv4 and IPv6 addresses in hash tables, CIDR blocks in one hash table per prefix length
 * present (a lookup masks the address once per length, longest first), domains and hashes and
 * file names in case-insensitive string tables, URLs by their normalised key. Clause ids chain
 * through next[] when several clauses share a value. Everything per clause lives in flat arrays
 * (the observables of all clauses in one array), so a million clauses add no objects of their
 * own. The matcher verifies the rest of a multi-observable clause only when its anchor hits, so
 * the common single-value indicator costs one probe per field.
 */
/**
 * An immutable, compiled snapshot of the live indicators, ready for matching. Thread-safe; share
 * one instance across threads and give each thread its own {@link #matcher()}. To change the
 * indicators, compile a new set and swap it in (see {@link IndicatorStore}); matchers keep the set
 * they were created from.
 */
public final class IndicatorSet {
  /** The set with no indicators. */
  public static final IndicatorSet EMPTY = compile(List.of());

  final Indicator[] indicators;
  final long[] validFrom;
  final long[] validUntil;
  /**
   * Per clause: its indicator, its observables ({@code terms[termStart[c], termStart[c + 1])}, one
   * flat array for all clauses), its anchor (an index into terms), the next clause with the same
   * anchor value.
   */
  final int[] clauseIndicator;
  final Observable[] terms;
  final int[] termStart;
  final int[] anchorTerm;
  final int[] next;

  final ValueTables.Ints ipv4;
  final ValueTables.Ints[] cidr4 = new ValueTables.Ints[33];
  final int[] cidr4Lengths;
  final ValueTables.Longs ipv6;
  final ValueTables.Longs[] cidr6 = new ValueTables.Longs[129];
  final int[] cidr6Lengths;
  final ValueTables.Strings domains;
  final ValueTables.Strings urls;
  final ValueTables.Strings hashes;
  final ValueTables.Strings names;
  final boolean multiTerm;
  private final ValueTables.Strings byId;

  private IndicatorSet(Indicator[] live) {
    int n = live.length;
    indicators = live;
    validFrom = new long[n];
    validUntil = new long[n];
    byId = new ValueTables.Strings(false, n);
    for (int i = 0; i < n; i++) {
      validFrom[i] = live[i].validFrom();
      validUntil[i] = live[i].validUntil();
      byId.put(live[i].id(), i);
    }
    termStart = termStarts(live);
    int clauses = termStart.length - 1;
    clauseIndicator = new int[clauses];
    terms = new Observable[termStart[clauses]];
    anchorTerm = new int[clauses];
    flatten(live);
    multiTerm = terms.length > clauses;
    int[] counts = anchorCounts();
    ipv4 = new ValueTables.Ints(counts[ObservableType.IPV4.ordinal()]);
    ipv6 = new ValueTables.Longs(counts[ObservableType.IPV6.ordinal()]);
    domains = new ValueTables.Strings(true, counts[ObservableType.DOMAIN.ordinal()]);
    urls = new ValueTables.Strings(false, counts[ObservableType.URL.ordinal()]);
    hashes = new ValueTables.Strings(true, counts[ObservableType.MD5.ordinal()]);
    names = new ValueTables.Strings(true, counts[ObservableType.FILE_NAME.ordinal()]);
    next = new int[clauses];
    long[] scratch = new long[2];
    for (int c = 0; c < clauses; c++) {
      next[c] = index(terms[anchorTerm[c]], c, scratch);
    }
    cidr4Lengths = lengths(cidr4);
    cidr6Lengths = lengths(cidr6);
  }

  /** Where each clause's observables start in the flat terms array, and (last) their total. */
  private static int[] termStarts(Indicator[] live) {
    int clauses = 0;
    for (Indicator ind : live) {
      clauses += ind.clauses().size();
    }
    int[] starts = new int[clauses + 1];
    int c = 0;
    for (Indicator ind : live) {
      List<List<Observable>> cs = ind.clauses();
      for (int k = 0; k < cs.size(); k++, c++) {
        starts[c + 1] = starts[c] + cs.get(k).size();
      }
    }
    return starts;
  }

  /** Fills clauseIndicator, terms and anchorTerm from the indicators' clauses. */
  private void flatten(Indicator[] live) {
    int c = 0;
    for (int i = 0; i < live.length; i++) {
      List<List<Observable>> cs = live[i].clauses();
      for (int k = 0; k < cs.size(); k++, c++) {
        List<Observable> clause = cs.get(k);
        for (int j = 0; j < clause.size(); j++) {
          terms[termStart[c] + j] = clause.get(j);
        }
        clauseIndicator[c] = i;
        anchorTerm[c] = termStart[c] + anchor(terms, termStart[c], termStart[c + 1]);
      }
    }
  }

  /** Anchors per table: by type ordinal, all hash types counted under MD5 (they share one table). */
  private int[] anchorCounts() {
    int[] counts = new int[ObservableType.values().length];
    for (int a : anchorTerm) {
      ObservableType type = terms[a].type();
      counts[type.isHash() ? ObservableType.MD5.ordinal() : type.ordinal()]++;
    }
    return counts;
  }

  /**
   * Compiles the live set from indicators of any number of sources: newest version per id,
   * revoked dropped, equal clauses merged into one indicator with all their sources.
   */
  public static IndicatorSet compile(Collection<Indicator> all) {
    return new IndicatorSet(IndicatorMerger.merge(all));
  }

  /** A new matcher over this set, for one thread. */
  public IndicatorMatcher matcher() {
    return new IndicatorMatcher(this);
  }

  /** Number of live indicators after merging. */
  public int size() {
    return indicators.length;
  }

  /** The live indicators, merged, in first-seen order. */
  public List<Indicator> indicators() {
    return List.of(indicators);
  }

  /** The live indicator with this id, or null. */
  public Indicator find(String id) {
    int i = id == null ? -1 : byId.get(id);
    return i < 0 ? null : indicators[i];
  }

  // ------------------------------------------------------------------ indexing

  /**
   * The index (counted from {@code from}) of the most selective observable of {@code
   * terms[from, to)}: hash, URL, domain, address, file name.
   */
  static int anchor(Observable[] terms, int from, int to) {
    int best = from;
    for (int i = from + 1; i < to; i++) {
      if (rank(terms[i].type()) < rank(terms[best].type())) {
        best = i;
      }
    }
    return best - from;
  }

  /** The number of observables of clause {@code c}. */
  int termCount(int c) {
    return termStart[c + 1] - termStart[c];
  }

  private static int rank(ObservableType t) {
    return switch (t) {
      case MD5, SHA1, SHA256, SHA512 -> 0;
      case URL -> 1;
      case DOMAIN -> 2;
      case IPV4, IPV6 -> 3;
      case FILE_NAME -> 4;
    };
  }

  /** Puts the clause into the table of its anchor; returns the clause it displaces as head (-1 if none). */
  private int index(Observable o, int clause, long[] scratch) {
    String v = o.value();
    return switch (o.type()) {
      case IPV4 -> {
        int slash = v.indexOf('/');
        int addr = (int) Observables.parseIpv4(v, 0, slash < 0 ? v.length() : slash);
        int bits = slash < 0 ? 32 : Integer.parseInt(v, slash + 1, v.length(), 10);
        if (bits == 32) {
          yield ipv4.put(addr, clause);
        }
        if (cidr4[bits] == null) {
          cidr4[bits] = new ValueTables.Ints(16);
        }
        yield cidr4[bits].put(addr, clause);
      }
      case IPV6 -> {
        int slash = v.indexOf('/');
        Observables.parseIpv6(v, 0, slash < 0 ? v.length() : slash, scratch);
        int bits = slash < 0 ? 128 : Integer.parseInt(v, slash + 1, v.length(), 10);
        if (bits == 128) {
          yield ipv6.put(scratch[0], scratch[1], clause);
        }
        if (cidr6[bits] == null) {
          cidr6[bits] = new ValueTables.Longs(16);
        }
        yield cidr6[bits].put(scratch[0], scratch[1], clause);
      }
      case DOMAIN -> domains.put(v, clause);
      case URL -> urls.put(urlKey(v), clause);
      case MD5, SHA1, SHA256, SHA512 -> hashes.put(v, clause);
      case FILE_NAME -> names.put(v, clause);
    };
  }

  static String urlKey(String url) {
    StringBuilder b = new StringBuilder();
    Observables.urlKey(url, 0, url.length(), b);
    return b.toString();
  }

  private static int[] lengths(Object[] tables) {
    int[] out = new int[tables.length];
    int n = 0;
    for (int len = tables.length - 1; len >= 0; len--) {
      if (tables[len] != null) {
        out[n++] = len;
      }
    }
    return Arrays.copyOf(out, n);
  }
}
