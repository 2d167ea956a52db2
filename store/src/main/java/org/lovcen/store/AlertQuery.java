package org.lovcen.store;

/**
 * An alert list filter; null fields do not filter.
 *
 * @param minLevel lowest level rank (informational 0 .. critical 4)
 * @param tag an exact tag such as {@code attack.t1003.001}
 */
public record AlertQuery(Long from, Long to, String institution, String host, Integer minLevel, String ruleId,
    String tag, Long incident, String kind, int limit, String cursor) {
  public AlertQuery {
    limit = Math.max(1, Math.min(limit, 1000));
  }

  public static AlertQuery all(int limit) {
    return new AlertQuery(null, null, null, null, null, null, null, null, null, limit, null);
  }
}
