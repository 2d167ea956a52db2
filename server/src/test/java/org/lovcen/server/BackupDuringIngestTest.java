package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.Database;
import org.lovcen.store.SqliteBackup;
import org.lovcen.store.StoreException;

/**
 * An online backup of the embedded database taken while events stream in over HTTP bulk, restored
 * into a new data folder: every batch acknowledged before the backup began is in it, every batch
 * in it is whole (its receipt and all its events), foreign keys hold, and a server started on the
 * restored copy ends with an alert for every event it holds.
 */
class BackupDuringIngestTest {
  private static final int EVENTS_PER_BATCH = 40;
  private static final String RULE = """
      title: Backup probe
      id: 5f0c3c1e-7a7e-4d0b-9a52-2f1e3b8c9d10
      status: test
      level: high
      logsource:
          product: windows
          category: process_creation
      detection:
          selection:
              CommandLine|contains: 'backup-probe'
          condition: selection
      """;

  @TempDir Path dir;

  @Test
  void backup_duringIngest_restoresEveryAcknowledgedBatchWholeWithItsAlerts() throws Exception {
    Path live = dir.resolve("live");
    Path file = live.resolve("lovcen.db");
    Path backup = dir.resolve("backups/lovcen-backup.db");
    Map<Integer, Long> acked = new ConcurrentHashMap<>(); // batch number -> when its answer came (nanos)
    long backupStarted;
    long backupEnded;
    String token;
    try (TestServer s = TestServer.startOn(file.toString(), live, Map.of(), BackupDuringIngestTest::rules, () -> {})) {
      token = s.institution(s.admin(), "mf");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      String ingest = token;
      Thread sender = Thread.ofPlatform().name("sender").start(() -> {
        try {
          for (int b = 0; !stop.get(); b++) {
            send(s, ingest, b);
            acked.put(b, System.nanoTime());
          }
        } catch (Throwable t) {
          failed.set(t);
        }
      });
      awaitBatches(acked, 15, failed);
      backupStarted = System.nanoTime();
      SqliteBackup.Summary made = SqliteBackup.backup(file, backup);
      backupEnded = System.nanoTime();
      int ackedBefore = (int) acked.values().stream().filter(t -> t < backupStarted).count();
      awaitBatches(acked, acked.size() + 10, failed); // ingest goes on after the backup
      stop.set(true);
      sender.join();
      assertThat(failed.get()).isNull();
      assertThat(made.events()).isGreaterThanOrEqualTo((long) ackedBefore * EVENTS_PER_BATCH);
      assertThatThrownBy(() -> SqliteBackup.restore(backup, file)).as("restoring over a running server")
          .isInstanceOf(StoreException.class).hasMessageContaining("in use");
    }

    Path restoredDir = dir.resolve("restored");
    Path restored = restoredDir.resolve("lovcen.db");
    SqliteBackup.restore(backup, restored);
    List<Integer> inBackup;
    try (Database db = Database.open(restored.toString(), 2)) {
      inBackup = assertWholeBatches(db);
      List<Map<String, Object>> broken = db.jdbi().withHandle(h -> h.createQuery("PRAGMA foreign_key_check")
          .mapToMap().list());
      assertThat(broken).as("broken references").isEmpty();
      assertThat(count(db, "SELECT COUNT(*) FROM alerts a WHERE NOT EXISTS (SELECT 1 FROM events e "
          + "WHERE e.id = a.event_ref)")).as("alerts without their event").isZero();
    }
    for (Map.Entry<Integer, Long> a : acked.entrySet()) {
      if (a.getValue() < backupStarted) {
        assertThat(inBackup).as("batch %d, acknowledged before the backup began", a.getKey()).contains(a.getKey());
      }
    }
    assertThat(inBackup).allSatisfy(b -> assertThat(acked).containsKey(b));
    assertThat(backupEnded).isGreaterThan(backupStarted);

    // a server on the restored copy detects what the copy holds but had not detected yet
    try (TestServer s = TestServer.startOn(restored.toString(), restoredDir, Map.of(), BackupDuringIngestTest::rules,
        () -> {})) {
      s.awaitDetection();
      Database db = s.server.database();
      assertThat(count(db, "SELECT COUNT(*) FROM events")).isEqualTo((long) inBackup.size() * EVENTS_PER_BATCH);
      assertThat(count(db, "SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM alerts a "
          + "WHERE a.event_ref = e.id)")).as("events without their alert").isZero();
      assertThat(count(db, "SELECT COUNT(*) FROM alerts WHERE incident_id IS NULL")).as("alerts outside incidents")
          .isZero();
      // the token and the receipts came along: resending a batch of the copy is answered as a duplicate
      assertThat(send(s, token, inBackup.get(0)).get("duplicate").asBoolean()).isTrue();
      assertThat(count(db, "SELECT COUNT(*) FROM events")).isEqualTo((long) inBackup.size() * EVENTS_PER_BATCH);
    }
  }

  /** Checks that each receipt in the copy has all its events and no event is outside one; the batches. */
  private static List<Integer> assertWholeBatches(Database db) {
    List<Map<String, Object>> receipts = db.jdbi().withHandle(h -> h.createQuery("SELECT idem_key, accepted, "
        + "first_event FROM ingest_batches WHERE institution_id = 'mf' ORDER BY first_event").mapToMap().list());
    assertThat(receipts).isNotEmpty();
    for (Map<String, Object> r : receipts) {
      String key = (String) r.get("idem_key");
      assertThat(((Number) r.get("accepted")).intValue()).as("accepted of %s", key).isEqualTo(EVENTS_PER_BATCH);
      long first = ((Number) r.get("first_event")).longValue();
      String marker = "%backup-probe " + key + " %";
      long inRange = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM events WHERE id >= :f AND "
          + "id < :l AND fields LIKE :m").bind("f", first).bind("l", first + EVENTS_PER_BATCH).bind("m", marker)
          .mapTo(Long.class).one());
      assertThat(inRange).as("events of %s", key).isEqualTo(EVENTS_PER_BATCH);
    }
    assertThat(count(db, "SELECT COUNT(*) FROM events")).as("events outside a whole batch")
        .isEqualTo((long) receipts.size() * EVENTS_PER_BATCH);
    return receipts.stream().map(r -> Integer.parseInt(((String) r.get("idem_key")).substring(6))).toList();
  }

  /** Sends batch {@code b} (retrying while the server answers 429) and returns the answer. */
  private static com.fasterxml.jackson.databind.JsonNode send(TestServer s, String token, int b)
      throws InterruptedException {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < EVENTS_PER_BATCH; i++) {
      lines.append("{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",")
          .append("\"Computer\":\"MF-WS").append(b % 4).append("\",\"EventRecordID\":").append(i)
          .append(",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2022-08-22T10:00:00Z\"}}},")
          .append("\"EventData\":{\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":")
          .append("\"cmd /c backup-probe batch-").append(b).append(" ").append(i).append("\"}}}\n");
    }
    while (true) {
      TestServer.Response r = s.ingest(token, lines.toString(), "Idempotency-Key", "batch-" + b);
      if (r.status() == 200) {
        assertThat(r.json().get("accepted").asInt()).isEqualTo(EVENTS_PER_BATCH);
        return r.json();
      }
      assertThat(r.status()).as(r.body()).isEqualTo(429);
      Thread.sleep(50);
    }
  }

  private static void awaitBatches(Map<Integer, Long> acked, int n, AtomicReference<Throwable> failed)
      throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (acked.size() < n && failed.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(failed.get()).isNull();
    assertThat(acked.size()).as("batches acknowledged within a minute").isGreaterThanOrEqualTo(n);
  }

  private static long count(Database db, String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  private static RuleSet rules() {
    return RuleSet.of(RuleSet.parse("backup-probe.yml", RULE, Map.of()), RuleSet.Options.defaults());
  }
}
