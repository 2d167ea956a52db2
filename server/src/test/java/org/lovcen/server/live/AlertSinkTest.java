package org.lovcen.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.store.AlertRow;
import org.lovcen.store.Database;
import org.lovcen.store.TestDatabases;

class AlertSinkTest {
  private static final long MINUTE = 60_000_000L;
  private static final long WINDOW = 15 * MINUTE;
  /** Alerts below medium are stored without an incident. */
  private static final int MIN_LEVEL = 2;
  private static final String[] LEVELS = {"informational", "low", "medium", "high", "critical"};
  private static final String[] TAGS = {"attack.t1059.001", "attack.execution", "attack.g0010",
      "attack.credential_access", "attack.t1003", "cve.2021-1675"};

  @TempDir Path dir;

  /**
   * Differential: alerts written in batches (one insert, incidents looked up once per batch) end
   * in the same incidents, with the same aggregates, as the same alerts written one at a time;
   * alerts written again are not stored twice; alerts below the minimum level stay outside
   * incidents; a correlation alert met again is completed with its later extent, and so is a web
   * alert reported again while its attack goes on (its group too: a flood's source count grows).
   */
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void write_inBatches_groupsIncidentsAsOneAlertAtATime(String kind) {
    List<AlertRow> alerts = alerts(600);
    try (TestDatabases.Fresh one = TestDatabases.open(kind, dir);
        TestDatabases.Fresh batched = TestDatabases.open(kind, dir)) {
      AlertSink single = new AlertSink(one.db(), WINDOW, MIN_LEVEL);
      int stored = 0;
      for (AlertRow a : alerts) {
        stored += single.write(List.of(a), -1);
      }
      AlertSink batch = new AlertSink(batched.db(), WINDOW, MIN_LEVEL);
      int storedInBatches = 0;
      for (int i = 0; i < alerts.size(); i += 70) {
        storedInBatches += batch.write(alerts.subList(i, Math.min(alerts.size(), i + 70)), i);
      }
      assertThat(batch.write(alerts.subList(100, 300), 1)).as("a replay stores nothing").isZero();
      assertThat(storedInBatches).isEqualTo(stored).isLessThan(alerts.size());
      assertThat(incidents(batched.db())).isEqualTo(incidents(one.db())).hasSizeGreaterThan(10);
      List<String> rows = alertRows(batched.db());
      assertThat(rows).isEqualTo(alertRows(one.db())).hasSize(stored);
      assertThat(rows).filteredOn(r -> r.contains("| alone |")).hasSizeGreaterThan(20)
          .allMatch(r -> r.contains("| 0 |") || r.contains("| 1 |"));
      assertThat(rows).filteredOn(r -> r.startsWith("c:")).hasSizeGreaterThan(5);
      assertThat(rows).filteredOn(r -> r.startsWith("w:")).hasSizeGreaterThan(5);
      int widened = 0;
      for (AlertRow a : alerts) {
        if (a.kind().equals("correlation") || a.kind().equals("web")) {
          AlertRow latest = alerts.stream().filter(b -> b.fingerprint().equals(a.fingerprint()))
              .max(java.util.Comparator.comparingLong(AlertRow::lastTs)).orElseThrow();
          widened += latest.lastTs() > a.lastTs() && a.kind().equals("web") ? 1 : 0;
          assertThat(rows).as("completed to its latest extent").anyMatch(r -> r.startsWith(a.fingerprint() + " | ")
              && r.contains("| " + latest.lastTs() + " |") && r.endsWith(" | " + latest.group()));
        }
      }
      assertThat(widened).as("web alerts met again with a later extent").isPositive();
    }
  }

  /** Random alerts of two institutions and five hosts, roughly in time order, some repeated. */
  private static List<AlertRow> alerts(int n) {
    SplittableRandom r = new SplittableRandom(42);
    List<AlertRow> out = new ArrayList<>();
    long base = 1_661_140_800_000_000L;
    for (int i = 0; i < n; i++) {
      if (i > 10 && r.nextInt(20) == 0) {
        AlertRow again = out.get(r.nextInt(out.size()));
        if (again.kind().equals("correlation")) { // the episode went on firing: a later extent
          again = AlertRow.of(again.institution(), again.fingerprint(), "correlation", again.ruleId(),
              again.ruleTitle(), again.level(), again.levelRank(), again.author(), again.tags(), again.ts(),
              again.lastTs() + r.nextInt(1, 5) * MINUTE, again.host(), again.channel(), null, Map.of("n", "" + i),
              Map.of(), List.of(), false);
        } else if (again.kind().equals("web")) { // the attack went on: a later last time, more sources
          again = AlertRow.of(again.institution(), again.fingerprint(), "web", again.ruleId(), again.ruleTitle(),
              again.level(), again.levelRank(), again.author(), again.tags(), again.ts(),
              again.lastTs() + r.nextInt(1, 5) * MINUTE, again.host(), null, null, again.fields(),
              Map.of("source_count", "" + i), List.of(), false);
        }
        out.add(again);
        continue;
      }
      long ts = base + i * MINUTE / 3 + (r.nextInt(40) - 20) * MINUTE / 2 + (r.nextInt(10) == 0 ? 60 * MINUTE : 0);
      int level = r.nextInt(LEVELS.length);
      List<String> tags = new ArrayList<>();
      for (String t : TAGS) {
        if (r.nextInt(3) == 0) {
          tags.add(t);
        }
      }
      String host = r.nextInt(12) == 0 ? null : "host-" + r.nextInt(4);
      String rule = "rule-" + r.nextInt(6);
      boolean correlation = r.nextInt(8) == 0;
      if (!correlation && r.nextInt(4) == 0) { // a website attack's alert
        out.add(AlertRow.of("inst-" + r.nextInt(2), "w:" + rule + ":" + i, "web", rule, "Title of " + rule,
            LEVELS[level], level, "Lovcen", tags, ts, ts, host, null, null, Map.of("reason", "r"),
            Map.of("source_count", "1"), List.of(), false));
        continue;
      }
      out.add(AlertRow.of("inst-" + r.nextInt(2), (correlation ? "c:" : "s:") + rule + ":" + i,
          correlation ? "correlation" : "sigma", rule, "Title of " + rule, LEVELS[level], level, "author", tags, ts,
          ts + r.nextInt(3) * MINUTE, host, "Security", correlation ? null : (long) i, Map.of("k", "v"), Map.of(),
          List.of(), false));
    }
    return out;
  }

  /** Each alert: fingerprint, level rank, last time, fields, whether it is in an incident, group; sorted. */
  private static List<String> alertRows(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT fingerprint, level_rank, last_ts, fields, incident_id, grp "
        + "FROM alerts").map((rs, c) -> rs.getString(1) + " | " + rs.getInt(2) + " | " + rs.getLong(3) + " | "
        + rs.getString(4) + " | " + (rs.getObject(5) == null ? "alone" : "in incident") + " | "
        + group(rs.getString(6))).list())
        .stream().sorted().toList();
  }

  /** A stored group, as its map prints. */
  private static String group(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readValue(json, Map.class).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Each incident with its aggregates and the fingerprints of its alerts, sorted; ids and clocks left out. */
  private static List<String> incidents(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT i.institution_id, i.host, i.title, i.level, "
        + "i.level_rank, i.status, i.first_ts, i.last_ts, i.alert_count, i.techniques, i.tactics, i.rules, "
        + "(SELECT COUNT(*) FROM alerts a WHERE a.incident_id = i.id), i.id FROM incidents i").map((rs, c) -> {
          List<String> members = h.createQuery("SELECT fingerprint FROM alerts WHERE incident_id = :i ORDER BY "
              + "fingerprint").bind("i", rs.getLong(14)).mapTo(String.class).list();
          StringBuilder b = new StringBuilder();
          for (int col = 1; col <= 13; col++) {
            b.append(rs.getString(col)).append(" | ");
          }
          return b.append(members).toString();
        }).list()).stream().sorted().toList();
  }
}
