package org.lovcen.store;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/*
 * How and why: the embedded database is backed up while the server runs. VACUUM INTO writes the
 * database as one read transaction sees it. In WAL mode that transaction neither waits for the
 * store writer nor makes it wait, and it sees exactly the transactions committed before it began:
 * a stored batch (its events and its idempotency receipt, one transaction) is in the copy whole or
 * not at all, and every foreign key holds. Alerts of events that were stored but not yet detected
 * when the copy was taken are not in it; they follow after a restore, because the server detects
 * the events after its detection cursor before it opens ingest. The copy is written beside the
 * destination under a temporary name, checked (integrity, foreign keys, a Flyway history), and
 * only then renamed into place, so a failed backup never leaves a half file under the given name.
 *
 * A restore replaces a database that no process has open: an exclusive lock is tried without
 * waiting (a running server's connections hold the file in WAL mode, so the lock is refused while
 * it runs). The previous database is kept beside it, and its -wal and -shm files are moved with it
 * (they belong to the old file and would corrupt the new one). A restored copy from an older
 * version is migrated when the server next opens it.
 */
/** Online backup and restore of the embedded SQLite database. Stateless; thread-safe. */
public final class SqliteBackup {
  private SqliteBackup() {}

  /** What a backup file holds: size, schema version, and a few row counts for the operator. */
  public record Summary(Path file, long bytes, String schemaVersion, long events, long alerts, long incidents) {
    /** One line for the command line. */
    public String describe() {
      return file + ": " + bytes + " bytes, schema version " + schemaVersion + ", " + events + " events, " + alerts
          + " alerts, " + incidents + " incidents";
    }
  }

  /**
   * Writes a consistent copy of the SQLite database {@code database} to {@code out} while other
   * processes read and write it; {@code out} must not exist.
   *
   * @throws StoreException when the database cannot be read, {@code out} exists, or the copy fails its check
   */
  public static Summary backup(Path database, Path out) {
    requireDatabase(database);
    if (Files.exists(out)) {
      throw new StoreException(out + " exists; give a new file name for the backup");
    }
    Path dir = out.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + out.getFileName() + ".partial");
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(tmp);
      try (Connection c = connect(database); Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout = 30000");
        s.execute("VACUUM INTO '" + tmp.toString().replace("'", "''") + "'");
      }
      Summary summary = check(tmp);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
      return new Summary(out, summary.bytes(), summary.schemaVersion(), summary.events(), summary.alerts(),
          summary.incidents());
    } catch (SQLException | IOException e) {
      throw new StoreException("cannot back up " + database + " to " + out + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * Checks that {@code file} is a whole Lovcen database: SQLite's integrity check passes, no foreign
   * key is broken, and it has a Flyway schema history.
   *
   * @throws StoreException naming the first problem found
   */
  public static Summary check(Path file) {
    requireDatabase(file);
    try (Connection c = connect(file); Statement s = c.createStatement()) {
      String integrity = one(s, "PRAGMA integrity_check");
      if (!"ok".equals(integrity)) {
        throw new StoreException(file + " is damaged: " + integrity);
      }
      try (ResultSet r = s.executeQuery("PRAGMA foreign_key_check")) {
        if (r.next()) {
          throw new StoreException(file + " has a broken reference: a row of " + r.getString(1) + " points to a "
              + "missing row of " + r.getString(3));
        }
      }
      if (one(s, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'flyway_schema_history'")
          .equals("0")) {
        throw new StoreException(file + " is an SQLite database but not a Lovcen store (no schema history)");
      }
      String version = one(s, "SELECT version FROM flyway_schema_history WHERE success = 1 AND version IS NOT NULL "
          + "ORDER BY installed_rank DESC LIMIT 1");
      return new Summary(file, Files.size(file), version, count(s, "events"), count(s, "alerts"),
          count(s, "incidents"));
    } catch (SQLException | IOException e) {
      throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Puts the backup {@code backup} in place of {@code database} after checking it. The database
   * must not be open in any process (stop the server first); the one it replaces is kept as
   * {@code <name>.before-restore-<time>}.
   *
   * @return the restored database's summary
   * @throws StoreException when the backup fails its check or the database is in use
   */
  public static Summary restore(Path backup, Path database) {
    check(backup);
    Path dir = database.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + database.getFileName() + ".restoring");
    try {
      Files.createDirectories(dir);
      Files.copy(backup, tmp, StandardCopyOption.REPLACE_EXISTING);
      check(tmp);
      if (Files.exists(database)) {
        requireUnused(database);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
          Path f = Path.of(database + suffix);
          if (Files.exists(f)) {
            Files.move(f, Path.of(database + ".before-restore-" + stamp + suffix));
          }
        }
      }
      move(tmp, database);
      return check(database);
    } catch (IOException e) {
      throw new StoreException("cannot restore " + backup + " to " + database + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /** Refuses when another connection (a running server) has the database open. */
  private static void requireUnused(Path database) {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      s.execute("PRAGMA busy_timeout = 0");
      s.executeQuery("PRAGMA locking_mode = EXCLUSIVE").close();
      s.execute("BEGIN EXCLUSIVE");
      s.execute("COMMIT");
    } catch (SQLException e) {
      throw new StoreException(database + " is in use (" + e.getMessage() + "); stop the server before restoring", e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void requireDatabase(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new StoreException("no database at " + file);
    }
  }

  private static Connection connect(Path file) throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      return r.next() ? String.valueOf(r.getString(1)) : "";
    }
  }

  private static long count(Statement s, String table) throws SQLException {
    return Long.parseLong(one(s, "SELECT COUNT(*) FROM " + table));
  }

  private static void deleteQuietly(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException e) {
      // a leftover temporary file is harmless and named as one
    }
  }
}
