package org.lovcen.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;

/** Test rows: events, alerts and incidents with only the parts a test cares about spelled out. */
final class Rows {
  /** 2026-03-01T00:00:00Z in micros: the tests' "today". */
  static final long T0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli() * 1000;
  static final long SECOND = 1_000_000L;
  static final long MINUTE = 60 * SECOND;
  static final long HOUR = 60 * MINUTE;
  static final long DAY = 24 * HOUR;

  private Rows() {}

  /** An event of {@code institution} and {@code host} at {@code ts} with text fields given as name, value pairs. */
  static StoredEvent event(long id, String institution, long ts, String host, String... nameValues) {
    Event e = new Event();
    e.timestamp(ts);
    e.institution(institution);
    e.host(host);
    e.channel("Security");
    e.provider("Microsoft-Windows-Security-Auditing");
    e.eventId(4688);
    e.source("upload-" + id + ".evtx");
    e.record(id * 10);
    for (int i = 0; i < nameValues.length; i += 2) {
      e.add(nameValues[i], nameValues[i + 1]);
    }
    return StoredEvent.of(id, e);
  }

  static StoredEvent event(long id, Event e) {
    return StoredEvent.of(id, e);
  }

  static void insert(Database db, List<StoredEvent> events) {
    EventStore store = new EventStore(db);
    db.jdbi().useTransaction(h -> store.insert(h, events));
  }

  static AlertRow alert(String institution, String fingerprint, String ruleId, String level, long ts, String host,
      List<String> tags) {
    return AlertRow.of(institution, fingerprint, "sigma", ruleId, "Rule " + ruleId, level, rank(level), "Lovcen",
        tags, ts, ts, host, "Security", 1L, Map.of("Image", "C:\\x.exe"), Map.of(), List.of(Map.of("id", 1)), false);
  }

  static int rank(String level) {
    return List.of("informational", "low", "medium", "high", "critical").indexOf(level);
  }

  static IncidentRow incident(String institution, String host, String level, long firstTs, long lastTs) {
    return new IncidentRow(0, institution, host, "Incident on " + host, level, rank(level), "new", null, firstTs, lastTs,
        1, List.of("T1059.001"), List.of("execution"), List.of("r1"), T0, T0);
  }
}
