package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.store.Rows.HOUR;
import static org.lovcen.store.Rows.MINUTE;
import static org.lovcen.store.Rows.T0;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the campaign linker reads, on both databases: the population of hosts by a loose index
 * scan against the plain COUNT(DISTINCT) it replaces (seeded random events: null hosts, several
 * institutions, times on both sides of the window's start), and the alerts' ids and revisions
 * against the full read.
 */
class CampaignStoreTest {
  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();

  @AfterAll
  static void close() {
    DBS.close();
  }

  private static long naivePopulation(Database db, long from) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM (SELECT DISTINCT institution_id, host FROM "
        + "events WHERE ts >= :from) x").bind("from", from).mapTo(Long.class).one());
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void activeHosts_equalsCountOfDistinctHostsInTheWindow_onRandomEvents(String kind) {
    Database db = DBS.empty(kind, dir);
    CampaignStore store = new CampaignStore(db);
    assertThat(store.activeHosts(T0)).isZero();
    Random random = new Random(20261207);
    String[] institutions = {"mf", "upc", "rtcg", "mup-a", "mup"};
    List<StoredEvent> events = new ArrayList<>();
    for (int id = 1; id <= 3000; id++) {
      String inst = institutions[random.nextInt(institutions.length)];
      int h = random.nextInt(40);
      String host = h == 0 ? null : h == 1 ? "" : (h % 3 == 0 ? "WS-" : "srv-") + h + (h % 7 == 0 ? "ž" : "");
      long ts = T0 - 12 * HOUR + (long) random.nextInt(24 * 60) * MINUTE;
      events.add(Rows.event(id, inst, ts, host, "CommandLine", "x"));
    }
    Rows.insert(db, events);
    for (long from : new long[] {T0 - 13 * HOUR, T0 - 6 * HOUR, T0, T0 + 6 * HOUR, T0 + 11 * HOUR + 59 * MINUTE,
        T0 + 13 * HOUR}) {
      assertThat(store.activeHosts(from)).as("hosts from %d", from).isEqualTo(naivePopulation(db, from));
    }
    assertThat(store.activeHosts(T0 - 13 * HOUR)).as("every host, the null and the empty one included")
        .isGreaterThan(100);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void sightingKeys_areTheFullReadsIdsInOrder_andCompletingAnAlertCountsItsRevisionUp(String kind) {
    Database db = DBS.empty(kind, dir);
    CampaignStore store = new CampaignStore(db);
    AlertStore alerts = new AlertStore(db);
    Rows.insert(db, List.of(Rows.event(7, "mf", T0, "ws-1", "CommandLine", "psexec \\\\fs01")));
    List<AlertRow> rows = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      rows.add(AlertRow.of(i % 2 == 0 ? "mf" : "upc", "fp-" + i, "sigma", "r" + i, "Rule", i % 5 == 0 ? "low" : "high",
          i % 5 == 0 ? 1 : 3, "Lovcen", List.of("attack.t1021.002"), T0 + (i % 10) * MINUTE, T0 + (i % 10) * MINUTE,
          "ws-" + i, "Security", i == 3 ? 7L : null, Map.of("Image", "C:\\x.exe"), Map.of(), List.of(), false));
    }
    List<Long> inserted = db.jdbi().inTransaction(h -> rows.stream().map(a -> alerts.insert(h, a, T0)).toList());
    List<Long> ids = new ArrayList<>();
    List<Long> revisions = new ArrayList<>();
    store.sightingKeys(T0 + 2 * MINUTE, 2, 15, (id, revision) -> {
      ids.add(id);
      revisions.add(revision);
    });
    List<CampaignStore.Sighting> full = store.sightings(T0 + 2 * MINUTE, 2, 15);
    assertThat(ids).hasSize(15).isEqualTo(full.stream().map(s -> s.alert().id()).toList());
    assertThat(revisions).containsOnly(0L);

    AlertRow third = rows.get(3);
    AlertRow later = AlertRow.of("upc", "fp-3", "sigma", "r3", "Rule", "high", 3, "Lovcen", List.of(), third.ts(),
        third.ts() + HOUR, "ws-3", "Security", 7L, Map.of("Image", "C:\\y.exe"), Map.of(), List.of(), false);
    for (int i = 0; i < 2; i++) {
      boolean changed = db.jdbi().inTransaction(h -> alerts.complete(h, later));
      assertThat(changed).isTrue();
    }
    long id3 = inserted.get(3);
    List<CampaignStore.Sighting> read = new ArrayList<>();
    store.sightingsById(List.of(id3, 999_999L), read::add);
    assertThat(read).hasSize(1);
    assertThat(read.get(0).revision()).isEqualTo(2);
    assertThat(read.get(0).alert().fields()).containsEntry("Image", "C:\\y.exe");
    assertThat(read.get(0).eventFields()).contains("psexec");
    List<Long> after = new ArrayList<>();
    store.sightingKeys(T0, 0, 100, (id, revision) -> after.add(id == id3 ? revision : -1));
    assertThat(after).contains(2L).hasSize(30);
  }
}
