package org.lovcen.store;

import java.util.List;
import java.util.function.Function;

final class Pages {
  private Pages() {}

  /** A page from {@code limit + 1} fetched rows: the extra row only says there is a next page. */
  static <T> Page<T> of(List<T> rows, int limit, long total, Function<T, Cursor> cursorOf) {
    if (rows.size() <= limit) {
      return new Page<>(rows, total, null);
    }
    List<T> items = rows.subList(0, limit);
    return new Page<>(List.copyOf(items), total, cursorOf.apply(items.get(limit - 1)).toString());
  }
}
