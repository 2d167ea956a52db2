package org.lovcen.ingest.evtx;

import org.lovcen.core.Event;

/**
 * The text of one attribute or element being rendered: the pieces (typed values) it is made of.
 * One piece keeps its type (a number stays a number); several are joined as a string; an array
 * substitution yields one value per element. Reused across records. Not thread-safe.
 */
final class Text {
  private String[] values = new String[4];
  private byte[] types = new byte[4];
  private int size;
  private boolean array;
  private StringBuilder joined;

  void clear() {
    for (int i = 0; i < size; i++) {
      values[i] = null;
    }
    size = 0;
    array = false;
  }

  void add(String value, byte type) {
    if (size == values.length) {
      values = java.util.Arrays.copyOf(values, size * 2);
      types = java.util.Arrays.copyOf(types, size * 2);
    }
    values[size] = value;
    types[size++] = type;
  }

  /** Marks that the pieces that follow are the elements of one array value. */
  void array() {
    array = true;
  }

  /** True when there is a value, even an empty array. */
  boolean present() {
    return size > 0 || array;
  }

  /** Number of values to emit: the array's elements, else 1 when present. */
  int count() {
    return array ? size : size > 0 ? 1 : 0;
  }

  String value(int i) {
    if (array || size == 1) {
      return values[i];
    }
    return join();
  }

  byte type(int i) {
    return array || size == 1 ? types[i] : Event.STRING;
  }

  private String join() {
    StringBuilder b = joined == null ? (joined = new StringBuilder()) : joined;
    b.setLength(0);
    for (int i = 0; i < size; i++) {
      if (values[i] != null) {
        b.append(values[i]);
      }
    }
    return b.toString();
  }
}
