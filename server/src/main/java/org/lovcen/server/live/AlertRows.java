package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Alert;
import org.lovcen.core.EventRef;
import org.lovcen.store.AlertRow;

/** Alerts of the engine as store rows, with fingerprints that are stable across replays. */
final class AlertRows {
  private AlertRows() {}

  /** A single-event alert (Sigma rule or indicator) on stored event {@code eventId}. */
  static AlertRow single(Alert a, long eventId) {
    return row(a, eventId, a.kind().charAt(0) + ":" + a.ruleId() + ":" + eventId, List.of());
  }

  /**
   * A single-event alert found by a retro-hunt: the fingerprint of {@link #single}, so that a
   * sighting found both live and by a retro-hunt is stored once.
   */
  static AlertRow retrospective(Alert a, long eventId) {
    AlertRow r = single(a, eventId);
    return new AlertRow(r.id(), r.institution(), r.fingerprint(), r.kind(), r.ruleId(), r.ruleTitle(), r.level(),
        r.levelRank(), r.author(), r.tags(), r.ts(), r.lastTs(), r.host(), r.channel(), r.eventRef(), r.fields(),
        r.group(), r.evidence(), r.incident(), true, r.created());
  }

  /**
   * A correlation alert: identified by rule, group values and first event time, which an
   * episode's early alert (first firing) and its final one share.
   */
  static AlertRow correlation(Alert a) {
    StringBuilder fp = new StringBuilder("c:").append(a.ruleId()).append(':').append(a.timestamp());
    fp.append(':').append(Integer.toHexString(a.group().toString().hashCode()));
    List<Map<String, Object>> evidence = new ArrayList<>();
    for (EventRef r : a.events()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("event", r.record());
      m.put("ts", r.timestamp());
      evidence.add(m);
    }
    return row(a, null, fp.length() > 128 ? fp.substring(0, 128) : fp.toString(), evidence);
  }

  private static AlertRow row(Alert a, Long eventRef, String fingerprint, Object evidence) {
    return AlertRow.of(a.institution(), fingerprint.length() > 128 ? fingerprint.substring(0, 128) : fingerprint,
        a.kind(), a.ruleId(), a.ruleTitle(), a.level().label(), a.level().ordinal(), a.author(),
        a.tags() == null ? List.of() : a.tags(), a.timestamp(), a.last(), a.host(), a.channel(), eventRef,
        a.fields() == null ? Map.of() : a.fields(), a.group() == null ? Map.of() : a.group(), evidence, false);
  }
}
