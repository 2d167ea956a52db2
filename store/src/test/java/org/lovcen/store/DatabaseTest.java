package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DatabaseTest {
  @TempDir Path dir;

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void open_migratesTheSchema(String kind) {
    try (var fresh = TestDatabases.open(kind, dir)) {
      Database db = fresh.db();
      assertThat(db.ping()).isTrue();
      int tables = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM events, alerts, incidents, institutions, users, tokens WHERE 1 = 0")
          .mapTo(Integer.class).one());
      assertThat(tables).isZero();
      assertThat(db.dialect().name().toLowerCase()).isEqualTo(kind);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void open_isIdempotentOnAnExistingDatabase(String kind) {
    String[] url = new String[1];
    Runnable cleanup = TestDatabases.freshUrl(kind, dir, url);
    try {
      Database.open(url[0], 2).close();
      try (Database again = Database.open(url[0], 2)) {
        assertThat(again.ping()).isTrue();
      }
    } finally {
      cleanup.run();
    }
  }

  /**
   * A real SQLITE_FULL (the page limit reached) is "full", and PostgreSQL's disk_full state too. The
   * failed transaction leaves its connection clean: SQLite rolled it back itself, and a connection
   * left in manual-commit mode without a transaction would commit its next statements one by one.
   */
  @Test
  void isFull_sqliteFullAndPostgresDiskFull_andTheFailedTransactionLeavesTheConnectionClean() throws Exception {
    try (var fresh = TestDatabases.open("sqlite", dir)) {
      Database db = fresh.db();
      EventStore events = new EventStore(db);
      RuntimeException full = null;
      try (org.jdbi.v3.core.Handle h = db.jdbi().open()) {
        h.execute("PRAGMA max_page_count = 1"); // no growth beyond the current size, on this connection
        try {
          h.useTransaction(t -> events.insert(t, java.util.List.of(event(1, 1 << 20))));
        } catch (RuntimeException e) {
          full = e;
        }
        assertThat(h.isInTransaction()).isFalse();
        assertThat(h.getConnection().getAutoCommit()).isTrue();
        h.execute("PRAGMA max_page_count = 1073741823");
        // the next transaction on this connection is one transaction again: all or nothing
        RuntimeException late = org.assertj.core.api.Assertions.catchThrowableOfType(RuntimeException.class,
            () -> h.useTransaction(t -> {
              events.insert(t, java.util.List.of(event(2, 10)));
              throw new IllegalStateException("abandon");
            }));
        assertThat(late).hasMessage("abandon");
      }
      assertThat(full).isNotNull();
      assertThat(Database.isFull(full)).isTrue();
      assertThat(Database.isTransient(full)).isTrue();
      assertThat(events.maxId()).as("neither transaction left a row").isZero();
      assertThat(events.roomFor(1, 1 << 20)).isTrue();
      assertThat(events.maxId()).as("the probe leaves nothing behind").isZero();
    }
    assertThat(Database.isFull(new StoreException("cannot store", new java.sql.SQLException(
        "could not extend file \"base/16384/16397\": No space left on device", "53100")))).isTrue();
    java.sql.SQLException tooLong = new java.sql.SQLException("value too long for type character varying(512)",
        "22001");
    assertThat(Database.isFull(tooLong)).isFalse();
    assertThat(Database.isTransient(tooLong)).as("the same statement would fail again").isFalse();
    assertThat(Database.isTransient(new java.sql.SQLException("Connection refused", "08001"))).isTrue();
  }

  private static StoredEvent event(long id, int bytes) {
    return new StoredEvent(id, "a", 0, null, null, null, -1, null, 0, "x".repeat(bytes));
  }

  @Test
  void open_unreachablePostgres_namesTheDatabaseWithoutThePassword() {
    assertThatThrownBy(() -> Database.open("postgresql://u:secret@127.0.0.1:1/nothing", 2))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("postgresql://u:***@127.0.0.1:1/nothing")
        .hasMessageNotContaining("secret");
  }

  @Test
  void sqlite_readThenWriteTransaction_survivesACommitFromAnotherConnection() throws Exception {
    try (var fresh = TestDatabases.open("sqlite", dir)) {
      Database db = fresh.db();
      var other = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        db.jdbi().useTransaction(h -> {
          h.createQuery("SELECT COUNT(*) FROM cursors").mapTo(Integer.class).one();
          // another connection writes while this transaction has read: it waits for our commit
          var write = other.submit(() -> db.jdbi().useHandle(o -> o.execute(
              "INSERT INTO cursors (name, value) VALUES ('other', 1)")));
          Thread.sleep(200);
          h.execute("INSERT INTO cursors (name, value) VALUES ('mine', 1)");
          assertThat(write.isDone()).isFalse();
        });
        other.submit(() -> null).get();
      } finally {
        other.shutdown();
        other.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      int rows = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM cursors").mapTo(Integer.class).one());
      assertThat(rows).isEqualTo(2);
    }
  }

  /** Checkpoints run beside the writers: the log is copied into the database without a commit doing it. */
  @Test
  void sqlite_writeAheadLog_isCheckpointedInTheBackground() throws Exception {
    try (var fresh = TestDatabases.open("sqlite", dir)) {
      Database db = fresh.db();
      db.jdbi().useTransaction(h -> {
        for (int i = 0; i < 2_000; i++) {
          h.execute("INSERT INTO cursors (name, value) VALUES (?, ?)", "c" + i + "x".repeat(200), i);
        }
      });
      int[] state = null;
      for (int tries = 0; tries < 50; tries++) {
        Thread.sleep(100);
        // (busy, frames in the log, frames already checkpointed) without checkpointing anything: NOOP
        state = db.jdbi().withHandle(h -> h.createQuery("PRAGMA wal_checkpoint(NOOP)")
            .map((rs, c) -> new int[] {rs.getInt(1), rs.getInt(2), rs.getInt(3)}).one());
        if (state[1] > 0 && state[2] == state[1]) {
          break;
        }
      }
      assertThat(state[1]).as("frames in the log").isGreaterThan(10);
      assertThat(state[2]).as("frames checkpointed").isEqualTo(state[1]);
    }
  }
}
