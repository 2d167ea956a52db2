package org.lovcen.store;

/**
 * A decision list filter; null fields do not filter.
 *
 * @param active true: only decisions in force now; false: only revoked or ended ones
 * @param from created at or after (micros)
 * @param to created before (micros)
 */
public record DecisionQuery(String institution, Boolean active, String scope, String value, String type,
    String origin, String site, Long from, Long to, int limit, String cursor) {
  public DecisionQuery {
    limit = Math.max(1, Math.min(limit, 1000));
  }
}
