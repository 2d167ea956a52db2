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
  private static final String[] LEVELS = {"informational", "low", "medium", "high", "critical"};
  private static final String[] TAGS = {"attack.t1059.001", "attack.execution", "attack.g0010",
      "attack.credential_access", "attack.t1003", "cve.2021-1675"};

  @TempDir Path dir;

  /**
   * Differential: alerts written in batches (one insert, incidents looked up once per batch) end
   * in the same incidents, with the same aggregates, as the same alerts written one at a time;
   * alerts written again are not stored twice.
   */
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void write_inBatches_groupsIncidentsAsOneAlertAtATime(String kind) {
    List<AlertRow> alerts = alerts(600);
    try (TestDatabases.Fresh one = TestDatabases.open(kind, dir);
        TestDatabases.Fresh batched = TestDatabases.open(kind, dir)) {
      AlertSink single = new AlertSink(one.db(), WINDOW);
      int stored = 0;
      for (AlertRow a : alerts) {
        stored += single.write(List.of(a), -1);
      }
      AlertSink batch = new AlertSink(batched.db(), WINDOW);
      int storedInBatches = 0;
      for (int i = 0; i < alerts.size(); i += 70) {
        storedInBatches += batch.write(alerts.subList(i, Math.min(alerts.size(), i + 70)), i);
      }
      assertThat(batch.write(alerts.subList(100, 300), 1)).as("a replay stores nothing").isZero();
      assertThat(storedInBatches).isEqualTo(stored).isLessThan(alerts.size());
      assertThat(incidents(batched.db())).isEqualTo(incidents(one.db())).hasSizeGreaterThan(10);
    }
  }

  /** Random alerts of two institutions and five hosts, roughly in time order, some repeated. */
  private static List<AlertRow> alerts(int n) {
    SplittableRandom r = new SplittableRandom(42);
    List<AlertRow> out = new ArrayList<>();
    long base = 1_661_140_800_000_000L;
    for (int i = 0; i < n; i++) {
      if (i > 10 && r.nextInt(20) == 0) {
        out.add(out.get(r.nextInt(out.size())));
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
      out.add(AlertRow.of("inst-" + r.nextInt(2), "s:" + rule + ":" + i, "sigma", rule, "Title of " + rule,
          LEVELS[level], level, "author", tags, ts, ts + r.nextInt(3) * MINUTE, host, "Security", (long) i,
          Map.of("k", "v"), Map.of(), List.of(), false));
    }
    return out;
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
