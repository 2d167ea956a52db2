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
}
