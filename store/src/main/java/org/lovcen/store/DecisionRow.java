package org.lovcen.store;

/**
 * A stored decision: ban or captcha of an address or network for one institution's sites.
 *
 * @param scope {@code ip} or {@code range}
 * @param type {@code ban} or {@code captcha}
 * @param scenario the detector or Sigma rule id that proposed it, or {@code manual}
 * @param origin {@code detector}, {@code analyst} or {@code case}
 * @param site the site the evidence came from, or null
 * @param created when it was stored (micros, server clock)
 * @param updated when it was last created, extended or revoked
 * @param until when it ends (micros, server clock)
 * @param revokedAt when an analyst revoked it, or null
 * @param detected log time of the detection (detector decisions), or null
 */
public record DecisionRow(long id, String institution, String scope, String value, String type, String scenario,
    String reason, String origin, String site, long created, String createdBy, long updated, long until,
    Long revokedAt, String revokedBy, Long alert, Long incident, Long detected) {

  /** Origins of a decision. */
  public static final java.util.List<String> ORIGINS = java.util.List.of("detector", "analyst", "case");

  /** Whether it applies at {@code nowMicros}: not revoked and not ended. */
  public boolean active(long nowMicros) {
    return revokedAt == null && until > nowMicros && created <= nowMicros;
  }
}
