package org.lovcen.sigma;

import java.util.Arrays;

/** A small open-addressing map from int keys to objects, without boxing. Not thread-safe. */
final class IntMap<V> {
  private int[] keys = new int[16];
  private Object[] values = new Object[16];
  private boolean[] used = new boolean[16];
  private int size;

  @SuppressWarnings("unchecked")
  V get(int key) {
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; used[i]; i = (i + 1) & mask) {
      if (keys[i] == key) {
        return (V) values[i];
      }
    }
    return null;
  }

  void put(int key, V value) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (used[i] && keys[i] != key) {
      i = (i + 1) & mask;
    }
    if (!used[i]) {
      used[i] = true;
      size++;
    }
    keys[i] = key;
    values[i] = value;
  }

  private void grow() {
    int[] k = keys;
    Object[] v = values;
    boolean[] u = used;
    keys = new int[k.length * 2];
    values = new Object[k.length * 2];
    used = new boolean[k.length * 2];
    size = 0;
    for (int i = 0; i < k.length; i++) {
      if (u[i]) {
        @SuppressWarnings("unchecked")
        V val = (V) v[i];
        put(k[i], val);
      }
    }
    Arrays.fill(v, null);
  }

  private static int mix(int k) {
    int h = k * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
