package org.lovcen.store;

import java.util.List;
import java.util.Map;

/**
 * A stored alert.
 *
 * @param fingerprint stable across replays: the same detection is stored once
 * @param eventRef the stored event that matched (single-event alerts), or null
 * @param evidence contributing events of a correlation or indicator details, as JSON
 * @param incident the incident it belongs to, or null
 */
public record AlertRow(long id, String institution, String fingerprint, String kind, String ruleId,
    String ruleTitle, String level, int levelRank, String author, List<String> tags, long ts, long lastTs,
    String host, String channel, Long eventRef, Map<String, String> fields, Map<String, String> group,
    Object evidence, Long incident, boolean retrospective, long created) {

  /** A new alert, before it has an id or incident. */
  public static AlertRow of(String institution, String fingerprint, String kind, String ruleId, String ruleTitle,
      String level, int levelRank, String author, List<String> tags, long ts, long lastTs, String host,
      String channel, Long eventRef, Map<String, String> fields, Map<String, String> group, Object evidence,
      boolean retrospective) {
    return new AlertRow(0, institution, fingerprint, kind, ruleId, ruleTitle, level, levelRank, author, tags, ts,
        lastTs, host, channel, eventRef, fields, group, evidence, null, retrospective, 0);
  }

  public AlertRow withIncident(long incidentId) {
    return new AlertRow(id, institution, fingerprint, kind, ruleId, ruleTitle, level, levelRank, author, tags, ts,
        lastTs, host, channel, eventRef, fields, group, evidence, incidentId, retrospective, created);
  }
}
