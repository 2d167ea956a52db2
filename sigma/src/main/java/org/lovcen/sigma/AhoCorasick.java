package org.lovcen.sigma;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/*
 * How and why: finds every pattern occurring in a text in one pass, whatever the number of
 * patterns (Aho and Corasick, 1975). The automaton is kept in flat arrays: the root's transitions
 * as a dense table over all chars (the root is where most steps land), other states' edges sorted
 * per state in one char[]/int[] pair, failure links, and dictionary links to the next shorter
 * pattern ending at the same place. Text is folded per char as it is read (Fold), so matching is
 * case-insensitive without copying the text.
 */
/** Multi-pattern substring search over folded text. Immutable; thread-safe. */
final class AhoCorasick {
  /** Receives the index of each pattern found (possibly more than once). */
  interface Hits {
    void hit(int pattern);
  }

  private final int[] root = new int[128];
  /** Resolved transitions (goto or failure, never -1) over ASCII for the shallowest states. */
  private int[] dense;
  /** Row of a state in {@link #dense}, or -1. */
  private int[] denseRow;
  /**
   * The dense rows indexed by the raw (unfolded) ASCII char, each entry {@code target << 1 | 1}
   * when the target state reports a pattern: the scan's common step is one load and one branch.
   */
  private int[] rawDense;
  private final int[] edgeStart;
  /** Per state, which ASCII chars have an edge: bits 0-63 and 64-127; the rank is the edge index. */
  private final long[] asciiLo;
  private final long[] asciiHi;
  private final char[] edgeChar;
  private final int[] edgeTarget;
  private final int[] fail;
  private final int[] dict;
  private final int[] terminal;

  /** Builds the automaton; patterns must be folded and non-empty. */
  AhoCorasick(List<String> patterns) {
    LongIntMap edges = new LongIntMap(patterns.size() * 8);
    int states = 1;
    int[] term = new int[16];
    Arrays.fill(term, -1);
    for (int p = 0; p < patterns.size(); p++) {
      String s = patterns.get(p);
      int st = 0;
      for (int i = 0; i < s.length(); i++) {
        long key = ((long) st << 16) | s.charAt(i);
        int t = edges.get(key);
        if (t < 0) {
          t = states++;
          edges.put(key, t);
        }
        st = t;
      }
      if (term.length < states) {
        int old = term.length;
        term = Arrays.copyOf(term, Math.max(states, old * 2));
        Arrays.fill(term, old, term.length, -1);
      }
      if (term[st] < 0) {
        term[st] = p;
      }
    }
    terminal = Arrays.copyOf(term, states);
    if (states > terminal.length) {
      throw new IllegalStateException();
    }
    // Flatten edges, sorted by (state, char).
    long[] keys = edges.keys();
    Arrays.sort(keys);
    edgeStart = new int[states + 1];
    edgeChar = new char[keys.length];
    edgeTarget = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      int st = (int) (keys[i] >>> 16);
      edgeChar[i] = (char) (keys[i] & 0xffff);
      edgeTarget[i] = edges.get(keys[i]);
      edgeStart[st + 1]++;
      if (st == 0 && edgeChar[i] < 128) {
        root[edgeChar[i]] = edgeTarget[i];
      }
    }
    for (int i = 0; i < states; i++) {
      edgeStart[i + 1] += edgeStart[i];
    }
    asciiLo = new long[states];
    asciiHi = new long[states];
    for (int i = 0; i < keys.length; i++) {
      int st = (int) (keys[i] >>> 16);
      char c = edgeChar[i];
      if (c < 64) {
        asciiLo[st] |= 1L << c;
      } else if (c < 128) {
        asciiHi[st] |= 1L << (c - 64);
      }
    }
    fail = new int[states];
    dict = new int[states];
    int[] order = links(states);
    denseRows(order);
  }

  /**
   * The root and its children get a full transition row over ASCII with failures resolved, so
   * that the common step (text that matches nothing, near the root) is one array load.
   */
  private void denseRows(int[] order) {
    denseRow = new int[fail.length];
    java.util.Arrays.fill(denseRow, -1);
    int rows = 0;
    int[] depth = new int[fail.length];
    for (int s : order) {
      for (int e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
        depth[edgeTarget[e]] = depth[s] + 1;
      }
    }
    for (int s : order) {
      if (depth[s] <= 1) {
        denseRow[s] = rows++;
      }
    }
    dense = new int[rows * 128];
    for (int s : order) {
      int row = denseRow[s];
      if (row < 0) {
        continue;
      }
      for (char c = 0; c < 128; c++) {
        int t = sparse(s, c);
        if (t < 0) {
          t = s == 0 ? 0 : dense[denseRow[fail[s]] * 128 + c];
        }
        dense[row * 128 + c] = t;
      }
    }
    rawDense = new int[dense.length];
    for (int i = 0; i < dense.length; i++) {
      int t = dense[(i & ~127) + Fold.fold((char) (i & 127))];
      rawDense[i] = t << 1 | (terminal[t] >= 0 || dict[t] > 0 ? 1 : 0);
    }
  }

  /** Breadth-first failure and dictionary links; returns the states in breadth-first order. */
  private int[] links(int states) {
    int[] order = new int[states];
    int n = 0;
    order[n++] = 0;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int e = edgeStart[0]; e < edgeStart[1]; e++) {
      queue.add(edgeTarget[e]);
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      order[n++] = s;
      for (int e = edgeStart[s]; e < edgeStart[s + 1]; e++) {
        int t = edgeTarget[e];
        char c = edgeChar[e];
        int f = fail[s];
        int next;
        while (true) {
          next = sparse(f, c);
          if (next >= 0 || f == 0) {
            break;
          }
          f = fail[f];
        }
        fail[t] = next < 0 || next == t ? 0 : next;
        int ft = fail[t];
        dict[t] = terminal[ft] >= 0 ? ft : dict[ft];
        queue.add(t);
      }
    }
    return order;
  }

  /** One step: dense rows where there are, else the goto function. */
  private int step(int s, char c) {
    if (c < 128) {
      int row = denseRow[s];
      if (row >= 0) {
        return dense[(row << 7) + c];
      }
    }
    return sparse(s, c);
  }

  /** The goto function: the next state, or -1 (0 at the root when nothing matches). */
  private int sparse(int s, char c) {
    if (c < 128) {
      long lo = asciiLo[s];
      int index;
      if (c < 64) {
        long bit = 1L << c;
        if ((lo & bit) == 0) {
          return s == 0 ? 0 : -1;
        }
        index = Long.bitCount(lo & (bit - 1));
      } else {
        long hi = asciiHi[s];
        long bit = 1L << (c - 64);
        if ((hi & bit) == 0) {
          return s == 0 ? 0 : -1;
        }
        index = Long.bitCount(lo) + Long.bitCount(hi & (bit - 1));
      }
      return edgeTarget[edgeStart[s] + index];
    }
    return sparseSearch(s, c);
  }

  private int sparseSearch(int s, char c) {
    if (s == 0 && c < 128) {
      return root[c];
    }
    int lo = edgeStart[s];
    int hi = edgeStart[s + 1] - 1;
    if (hi - lo < 8) {
      for (int i = lo; i <= hi; i++) {
        if (edgeChar[i] == c) {
          return edgeTarget[i];
        }
      }
      return s == 0 ? 0 : -1;
    }
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      char m = edgeChar[mid];
      if (m < c) {
        lo = mid + 1;
      } else if (m > c) {
        hi = mid - 1;
      } else {
        return edgeTarget[mid];
      }
    }
    return s == 0 ? 0 : -1;
  }

  /** Reports every pattern occurring in {@code text} (folded as it is read). */
  void scan(String text, Hits hits) {
    int s = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      char raw = text.charAt(i);
      if (raw < 128) {
        int row = denseRow[s];
        if (row >= 0) {
          int t = rawDense[(row << 7) + raw];
          s = t >>> 1;
          if ((t & 1) != 0) {
            report(s, hits);
          }
          continue;
        }
      }
      char c = Fold.fold(raw);
      while (true) {
        int t = step(s, c);
        if (t >= 0) {
          s = t;
          break;
        }
        s = fail[s];
      }
      report(s, hits);
    }
  }

  private void report(int s, Hits hits) {
    if (terminal[s] >= 0) {
      hits.hit(terminal[s]);
    }
    for (int d = dict[s]; d > 0; d = dict[d]) {
      hits.hit(terminal[d]);
    }
  }

  int states() {
    return fail.length;
  }

  /** Open addressing map of non-negative long keys to non-negative ints, for building. */
  private static final class LongIntMap {
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int capacity) {
      int n = Integer.highestOneBit(Math.max(16, capacity) * 2);
      keys = new long[n];
      values = new int[n];
      Arrays.fill(keys, -1);
    }

    int get(long key) {
      int mask = keys.length - 1;
      for (int i = mix(key) & mask; keys[i] != -1; i = (i + 1) & mask) {
        if (keys[i] == key) {
          return values[i];
        }
      }
      return -1;
    }

    void put(long key, int value) {
      if ((size + 1) * 2 > keys.length) {
        long[] ok = keys;
        int[] ov = values;
        keys = new long[ok.length * 2];
        values = new int[ok.length * 2];
        Arrays.fill(keys, -1);
        size = 0;
        for (int i = 0; i < ok.length; i++) {
          if (ok[i] != -1) {
            put(ok[i], ov[i]);
          }
        }
      }
      int mask = keys.length - 1;
      int i = mix(key) & mask;
      while (keys[i] != -1 && keys[i] != key) {
        i = (i + 1) & mask;
      }
      if (keys[i] == -1) {
        size++;
      }
      keys[i] = key;
      values[i] = value;
    }

    long[] keys() {
      long[] out = new long[size];
      int k = 0;
      for (long key : keys) {
        if (key != -1) {
          out[k++] = key;
        }
      }
      return out;
    }

    private static int mix(long k) {
      long h = k * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }
}
