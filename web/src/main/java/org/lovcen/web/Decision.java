package org.lovcen.web;

/**
 * A proposed block: ban or captcha an address or a network until a time. Immutable.
 *
 * @param action {@code ban} or {@code captcha}
 * @param scope {@code ip} or {@code range}
 * @param value the address, or the network in CIDR notation
 * @param since micros since the epoch when it was first proposed (log time)
 * @param until micros since the epoch when it ends (log time), extended while the attack lasts
 * @param reason what was seen (detector and evidence)
 * @param detector the detector that proposed it ({@code source_flood}, a Sigma rule id, ...)
 * @param site the site the evidence came from
 */
public record Decision(String action, String scope, String value, long since, long until, String reason,
    String detector, String site) {
  /** The same decision lasting until {@code t}, when that is later. */
  public Decision extendTo(long t) {
    return t <= until ? this : new Decision(action, scope, value, since, t, reason, detector, site);
  }
}
