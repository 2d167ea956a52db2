package org.lovcen.intel;

import java.util.Arrays;

/*
 * How and why: the compiled indicator set keeps its values in open-addressing hash tables over
 * flat arrays (linear probing, power-of-two capacity, at most half full), mapping a value to the
 * first clause anchored on it; further clauses with the same value are chained through the set's
 * next[] array. Lookups take a region of a CharSequence and hash it with ASCII case folding on the
 * fly, so an event's field is probed without substring or toLowerCase copies. String tables keep
 * each key's hash beside it, so a probe that meets another key compares two ints instead of
 * reading that key's characters (a cache miss each on a large table).
 */
/** Flat hash tables from values to clause ids. Built once, then read-only and thread-safe. */
final class ValueTables {
  private ValueTables() {}

  static int capacity(int n) {
    int c = 4;
    while (c < n * 2L + 2) {
      c <<= 1;
    }
    return c;
  }

  static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    return h ^ (h >>> 16);
  }

  static int mix(long v) {
    return mix((int) (v ^ (v >>> 32)) * 0x9E3779B9 + (int) (v >>> 17));
  }

  /**
   * Strings to ids; keys stored as given, compared case-insensitively (ASCII) when {@code fold}.
   * Each slot keeps its key's hash, so a probe reads the key itself only when the hashes agree.
   */
  static final class Strings {
    private final boolean fold;
    private String[] keys;
    private int[] hashes;
    private int[] vals;
    private int size;

    Strings(boolean fold, int expected) {
      this.fold = fold;
      keys = new String[capacity(expected)];
      hashes = new int[keys.length];
      vals = new int[keys.length];
    }

    /** The id stored for {@code s[from,to)}, or -1. */
    int get(CharSequence s, int from, int to) {
      int mask = keys.length - 1;
      int h = hash(s, from, to);
      for (int i = h & mask; ; i = (i + 1) & mask) {
        String k = keys[i];
        if (k == null) {
          return -1;
        }
        if (hashes[i] == h && equal(k, s, from, to)) {
          return vals[i];
        }
      }
    }

    int get(CharSequence s) {
      return get(s, 0, s.length());
    }

    /** Stores {@code id} for {@code key}; returns the id it replaces, or -1. */
    int put(String key, int id) {
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      // without folding, the hash is String.hashCode's, which the String caches
      return put(key, fold ? hash(key, 0, key.length()) : mix(key.hashCode()), id);
    }

    private int put(String key, int h, int id) {
      int mask = keys.length - 1;
      for (int i = h & mask; ; i = (i + 1) & mask) {
        if (keys[i] == null) {
          keys[i] = key;
          hashes[i] = h;
          vals[i] = id;
          size++;
          return -1;
        }
        if (hashes[i] == h && equal(keys[i], key, 0, key.length())) {
          int old = vals[i];
          vals[i] = id;
          return old;
        }
      }
    }

    int size() {
      return size;
    }

    private void grow() {
      String[] ok = keys;
      int[] oh = hashes;
      int[] ov = vals;
      keys = new String[ok.length * 2];
      hashes = new int[keys.length];
      vals = new int[keys.length];
      size = 0;
      for (int i = 0; i < ok.length; i++) {
        if (ok[i] != null) {
          put(ok[i], oh[i], ov[i]);
        }
      }
    }

    private int hash(CharSequence s, int from, int to) {
      int h = 0;
      for (int i = from; i < to; i++) {
        char c = s.charAt(i);
        h = 31 * h + (fold && c >= 'A' && c <= 'Z' ? c + 32 : c);
      }
      return mix(h);
    }

    private boolean equal(String k, CharSequence s, int from, int to) {
      if (k.length() != to - from) {
        return false;
      }
      for (int i = 0; i < k.length(); i++) {
        char a = k.charAt(i);
        char b = s.charAt(from + i);
        if (a != b && (!fold || (a | 0x20) != (b | 0x20) || (a | 0x20) < 'a' || (a | 0x20) > 'z')) {
          return false;
        }
      }
      return true;
    }
  }

  /** 32-bit keys (IPv4 networks) to ids. */
  static final class Ints {
    private int[] keys;
    private int[] vals;
    private int size;

    Ints(int expected) {
      keys = new int[capacity(expected)];
      vals = new int[keys.length];
      Arrays.fill(vals, -1);
    }

    int get(int key) {
      int mask = keys.length - 1;
      for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
        if (vals[i] < 0) {
          return -1;
        }
        if (keys[i] == key) {
          return vals[i];
        }
      }
    }

    int put(int key, int id) {
      if ((size + 1) * 2 > keys.length) {
        grow();
      }
      int mask = keys.length - 1;
      for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
        if (vals[i] < 0) {
          keys[i] = key;
          vals[i] = id;
          size++;
          return -1;
        }
        if (keys[i] == key) {
          int old = vals[i];
          vals[i] = id;
          return old;
        }
      }
    }

    private void grow() {
      int[] ok = keys;
      int[] ov = vals;
      keys = new int[ok.length * 2];
      vals = new int[keys.length];
      Arrays.fill(vals, -1);
      size = 0;
      for (int i = 0; i < ok.length; i++) {
        if (ov[i] >= 0) {
          put(ok[i], ov[i]);
        }
      }
    }
  }

  /** 128-bit keys (IPv6 networks) to ids. */
  static final class Longs {
    private long[] his;
    private long[] los;
    private int[] vals;
    private int size;

    Longs(int expected) {
      his = new long[capacity(expected)];
      los = new long[his.length];
      vals = new int[his.length];
      Arrays.fill(vals, -1);
    }

    int get(long hi, long lo) {
      int mask = his.length - 1;
      for (int i = mix(hi * 31 + lo) & mask; ; i = (i + 1) & mask) {
        if (vals[i] < 0) {
          return -1;
        }
        if (his[i] == hi && los[i] == lo) {
          return vals[i];
        }
      }
    }

    int put(long hi, long lo, int id) {
      if ((size + 1) * 2 > his.length) {
        grow();
      }
      int mask = his.length - 1;
      for (int i = mix(hi * 31 + lo) & mask; ; i = (i + 1) & mask) {
        if (vals[i] < 0) {
          his[i] = hi;
          los[i] = lo;
          vals[i] = id;
          size++;
          return -1;
        }
        if (his[i] == hi && los[i] == lo) {
          int old = vals[i];
          vals[i] = id;
          return old;
        }
      }
    }

    private void grow() {
      long[] oh = his;
      long[] ol = los;
      int[] ov = vals;
      his = new long[oh.length * 2];
      los = new long[his.length];
      vals = new int[his.length];
      Arrays.fill(vals, -1);
      size = 0;
      for (int i = 0; i < oh.length; i++) {
        if (ov[i] >= 0) {
          put(oh[i], ol[i], ov[i]);
        }
      }
    }
  }
}
