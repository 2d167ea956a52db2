package org.lovcen.store;

import java.util.Map;

/**
 * An event search.
 *
 * @param from inclusive lower bound of event time (micros), or null
 * @param to exclusive upper bound, or null
 * @param institution only this institution (within the scope), or null
 * @param host only this host, or null
 * @param fields field name (exact) to value: matches when any value of the field (a repeated name
 *     has several) equals it ignoring case, {@code *} standing for any run of characters; a
 *     number's text is as written, a boolean's {@code true} or {@code false}; null is no value
 * @param text free text searched in every field value (not in names), ignoring case, {@code *}
 *     as in {@code fields}; blank or null does not filter. Case is folded for ASCII letters only
 *     on SQLite, for all letters on PostgreSQL
 * @param limit page size (1..1000)
 * @param cursor from the previous page, or null
 */
public record EventQuery(Long from, Long to, String institution, String host, Map<String, String> fields,
    String text, int limit, String cursor) {
  public EventQuery {
    fields = fields == null ? Map.of() : Map.copyOf(fields);
    limit = Math.max(1, Math.min(limit, 1000));
  }
}
