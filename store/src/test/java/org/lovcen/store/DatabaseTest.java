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
