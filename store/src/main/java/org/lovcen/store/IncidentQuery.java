package org.lovcen.store;

/** An incident list filter; null fields do not filter. {@code open} true = not resolved or false positive. */
public record IncidentQuery(Long from, Long to, String institution, String host, String status, Boolean open,
    Integer minLevel, String assignee, int limit, String cursor) {
  public IncidentQuery {
    limit = Math.max(1, Math.min(limit, 1000));
  }

  public static IncidentQuery all(int limit) {
    return new IncidentQuery(null, null, null, null, null, null, null, null, limit, null);
  }
}
