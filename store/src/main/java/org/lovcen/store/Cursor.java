package org.lovcen.store;

/**
 * Keyset paging position: the (time, id) of the last row of the previous page, as an opaque
 * string. Lists are ordered by time then id, both descending.
 */
record Cursor(long ts, long id) {
  static Cursor parse(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    int c = s.indexOf('.');
    try {
      return new Cursor(Long.parseLong(s.substring(0, c)), Long.parseLong(s.substring(c + 1)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid page cursor '" + s + "'");
    }
  }

  @Override
  public String toString() {
    return ts + "." + id;
  }

  /** Adds the "after this position" condition on the given columns. */
  static void after(Where w, String cursor, String tsColumn, String idColumn) {
    Cursor c = parse(cursor);
    if (c != null) {
      w.and(tsColumn + " < ? OR (" + tsColumn + " = ? AND " + idColumn + " < ?)", c.ts, c.ts, c.id);
    }
  }
}
