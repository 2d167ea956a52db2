package org.lovcen.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Test fixture: a fresh, migrated database of each kind. SQLite lives in a test's temporary
 * folder; PostgreSQL is a new database on the server named by {@code LOVCEN_TEST_PG} (default
 * {@code postgresql://lovcen:lovcen@127.0.0.1:5432/postgres}, which {@code scripts/postgres-test-server}
 * prepares), dropped on close. Without a reachable server PostgreSQL tests are skipped, unless
 * {@code LOVCEN_REQUIRE_PG=1} (set by CI) makes that a failure.
 */
public final class TestDatabases {
  private TestDatabases() {}

  /** The kinds a store test runs against, for {@code @MethodSource}. */
  public static List<String> kinds() {
    return List.of("sqlite", "postgresql");
  }

  /** A fresh database; its URL is {@link Fresh#url()}. */
  public record Fresh(Database db, String url, Runnable cleanup) implements AutoCloseable {
    @Override
    public void close() {
      db.close();
      cleanup.run();
    }
  }

  /**
   * One database of each kind for a test class, emptied (every table but Flyway's, identities
   * restarted) each time a test asks for it: the isolation of a fresh database without creating
   * one per test, which costs PostgreSQL about two seconds. Not thread-safe; close it in
   * {@code @AfterAll}. {@code dir} must outlive the class (a static {@code @TempDir}).
   */
  public static final class PerClass implements AutoCloseable {
    private final Map<String, Fresh> open = new HashMap<>();

    public Database empty(String kind, Path dir) {
      Fresh f = open.get(kind);
      if (f == null) {
        f = TestDatabases.open(kind, dir);
        open.put(kind, f);
      } else {
        clear(f.db());
      }
      return f.db();
    }

    @Override
    public void close() {
      open.values().forEach(Fresh::close);
      open.clear();
    }
  }

  /**
   * Deletes every row of every table except Flyway's history, and restarts identity columns. On
   * PostgreSQL one DELETE statement empties all tables (foreign keys are checked at its end, so the
   * order does not matter; TRUNCATE takes ten times as long on small tables); SQLite switches its
   * foreign keys off around one transaction.
   */
  static void clear(Database db) {
    db.jdbi().useHandle(h -> {
      if (db.dialect() == Dialect.POSTGRESQL) {
        List<String> tables = h.createQuery("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            + "AND tablename <> 'flyway_schema_history' ORDER BY tablename").mapTo(String.class).list();
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < tables.size() - 1; i++) {
          sql.append(i == 0 ? "WITH " : ", ").append("d").append(i).append(" AS (DELETE FROM ").append(tables.get(i))
              .append(")");
        }
        h.execute(sql + " DELETE FROM " + tables.get(tables.size() - 1));
        h.createQuery("SELECT setval(pg_get_serial_sequence(c.table_name, c.column_name), 1, false) FROM "
            + "information_schema.columns c WHERE c.table_schema = current_schema() AND c.is_identity = 'YES'")
            .mapTo(Long.class).list();
      } else {
        List<String> tables = h.createQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
            + "'sqlite%' AND name <> 'flyway_schema_history'").mapTo(String.class).list();
        h.execute("PRAGMA foreign_keys = OFF"); // a no-op inside a transaction: set before it begins
        try {
          h.useTransaction(t -> {
            for (String table : tables) {
              t.execute("DELETE FROM " + table);
            }
            t.execute("DELETE FROM sqlite_sequence");
          });
        } finally {
          h.execute("PRAGMA foreign_keys = ON");
        }
      }
    });
  }

  /** A fresh empty URL of the kind (not yet opened): for servers under test that open it themselves. */
  public static Fresh open(String kind, Path dir) {
    String[] url = new String[1];
    Runnable cleanup = freshUrl(kind, dir, url);
    return new Fresh(Database.open(url[0], 4), url[0], cleanup);
  }

  /** Creates a fresh database of the kind and puts its URL in {@code out[0]}; returns what drops it. */
  public static Runnable freshUrl(String kind, Path dir, String[] out) {
    if (kind.equals("sqlite")) {
      out[0] = dir.resolve("lovcen-" + ThreadLocalRandom.current().nextInt(1 << 30) + ".db").toString();
      return () -> {};
    }
    String admin = System.getenv().getOrDefault("LOVCEN_TEST_PG", "postgresql://lovcen:lovcen@127.0.0.1:5432/postgres");
    String name = "lovcen_t_" + Long.toString(System.nanoTime(), 36).toLowerCase(Locale.ROOT)
        + ThreadLocalRandom.current().nextInt(1000);
    String jdbc = jdbcOf(admin);
    try (Connection c = DriverManager.getConnection(jdbc, user(admin), password(admin))) {
      c.createStatement().execute("CREATE DATABASE " + name);
      // A disposable database need not wait for each commit to reach the disk: this makes PostgreSQL tests
      // several times faster and changes nothing they can observe.
      c.createStatement().execute("ALTER DATABASE " + name + " SET synchronous_commit = off");
    } catch (SQLException e) {
      if ("1".equals(System.getenv("LOVCEN_REQUIRE_PG"))) {
        throw new AssertionError("PostgreSQL required but not reachable at " + Database.redact(admin) + ": " + e.getMessage(), e);
      }
      Assumptions.abort("no PostgreSQL at " + Database.redact(admin) + " (" + e.getMessage() + ")");
    }
    out[0] = admin.substring(0, admin.lastIndexOf('/') + 1) + name;
    return () -> {
      try (Connection c = DriverManager.getConnection(jdbc, user(admin), password(admin))) {
        c.createStatement().execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      } catch (SQLException e) {
        // left for the next cluster reset; a test database is disposable
      }
    };
  }

  private static String jdbcOf(String url) {
    java.net.URI u = java.net.URI.create(url);
    return "jdbc:postgresql://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 5432) + u.getPath();
  }

  private static String user(String url) {
    String ui = java.net.URI.create(url).getUserInfo();
    return ui == null ? null : ui.split(":", 2)[0];
  }

  private static String password(String url) {
    String ui = java.net.URI.create(url).getUserInfo();
    return ui == null || !ui.contains(":") ? null : ui.split(":", 2)[1];
  }
}
