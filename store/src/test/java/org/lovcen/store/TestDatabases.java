package org.lovcen.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
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
