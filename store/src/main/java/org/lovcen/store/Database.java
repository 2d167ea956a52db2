package org.lovcen.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import java.util.concurrent.locks.ReentrantLock;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.DelegatingTransactionHandler;
import org.jdbi.v3.core.transaction.TransactionHandler;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/*
 * How and why: one schema, two databases. SQLite is the embedded default (one file in the data
 * folder, WAL journal so that readers never wait for the writer, a busy timeout so that the rare
 * concurrent writers queue instead of failing); PostgreSQL is for larger deployments. Flyway runs
 * the same migration files on both, with the dialect's placeholders. Repositories receive the Jdbi
 * handle and the Dialect, and never see which database is underneath except through Dialect.
 */
/** An open, migrated store. Thread-safe; close it once. */
public final class Database implements AutoCloseable {
  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final String display;
  /** The SQLite file; null for PostgreSQL. */
  private final Path file;
  private final Thread checkpointer;
  private volatile boolean open = true;

  private Database(HikariDataSource pool, Dialect dialect, String display, Path file) {
    this.pool = pool;
    this.dialect = dialect;
    this.display = display;
    this.file = file;
    this.jdbi = Jdbi.create(pool);
    if (dialect == Dialect.SQLITE) {
      jdbi.setTransactionHandler(new TakingTurns(jdbi.getTransactionHandler(), new ReentrantLock(true)));
      checkpointer = new Thread(this::checkpoints, "lovcen-checkpoint");
      checkpointer.setDaemon(true);
      checkpointer.start();
    } else {
      checkpointer = null;
    }
  }

  /*
   * SQLite has one writer at a time. A transaction that began as a reader and then writes fails
   * at once (SQLITE_BUSY) when another connection committed meanwhile, so transactions begin
   * IMMEDIATE (taking the write lock first; every transaction in the store writes). Waiting for
   * the lock inside SQLite polls with sleeps of up to 100 ms, which stalls the ingest writer and
   * the detection loop behind each other; so the transactions of this process take turns on a
   * fair lock instead, and SQLite's busy timeout only covers other processes.
   */
  /** Transactions that take turns on a lock (SQLite). */
  static final class TakingTurns extends DelegatingTransactionHandler {
    private final ReentrantLock lock;

    TakingTurns(TransactionHandler delegate, ReentrantLock lock) {
      super(delegate);
      this.lock = lock;
    }

    @Override
    public TransactionHandler specialize(Handle handle) throws SQLException {
      return new TakingTurns(getDelegate().specialize(handle), lock);
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, HandleCallback<R, X> callback) throws X {
      lock.lock();
      boolean done = false;
      try {
        R r = super.inTransaction(handle, callback);
        done = true;
        return r;
      } finally {
        if (!done) {
          endAbandoned(handle);
        }
        lock.unlock();
      }
    }

    @Override
    public <R, X extends Exception> R inTransaction(Handle handle, TransactionIsolationLevel level,
        HandleCallback<R, X> callback) throws X {
      lock.lock();
      boolean done = false;
      try {
        R r = super.inTransaction(handle, level, callback);
        done = true;
        return r;
      } finally {
        if (!done) {
          endAbandoned(handle);
        }
        lock.unlock();
      }
    }

    /*
     * Some failures (SQLITE_FULL, SQLITE_IOERR) make SQLite roll the transaction back itself. The
     * driver does not know: Jdbi's rollback passes, but turning autocommit back on issues a COMMIT
     * that fails ("no transaction is active"), and the connection stays in manual-commit mode with
     * no transaction open, so its next statements would each commit alone. A second rollback
     * restores autocommit; it runs while this transaction still holds the turn.
     */
    private static void endAbandoned(Handle handle) {
      try {
        if (handle.isInTransaction()) {
          handle.rollback();
        }
      } catch (RuntimeException e) {
        // the handle is closed by its owner; the pool resets the connection
      }
    }
  }

  /**
   * Opens and migrates the database at {@code url}: {@code postgresql://user:password@host:port/db},
   * a {@code jdbc:} URL, {@code sqlite:PATH}, or a plain path to an SQLite file (created with its
   * folder when missing).
   */
  public static Database open(String url, int poolSize) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("lovcen-store");
    c.setConnectionTimeout(30_000);
    Dialect dialect;
    String display;
    Path sqliteFile = null;
    if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      URI u = URI.create(url);
      c.setJdbcUrl("jdbc:postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath()
          + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
      if (u.getRawUserInfo() != null) {
        String[] up = u.getRawUserInfo().split(":", 2);
        c.setUsername(decode(up[0]));
        if (up.length > 1) {
          c.setPassword(decode(up[1]));
        }
      }
      dialect = Dialect.POSTGRESQL;
      display = "postgresql://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "") + u.getPath();
      c.setMaximumPoolSize(Math.max(2, poolSize));
    } else if (url.startsWith("jdbc:postgresql:")) {
      c.setJdbcUrl(url);
      dialect = Dialect.POSTGRESQL;
      display = url.replaceAll("password=[^&]*", "password=***");
      c.setMaximumPoolSize(Math.max(2, poolSize));
    } else {
      Path file = Path.of(url.startsWith("jdbc:sqlite:") ? url.substring(12)
          : url.startsWith("sqlite:") ? url.substring(7) : url).toAbsolutePath();
      createFolder(file.getParent());
      c.setJdbcUrl("jdbc:sqlite:" + file);
      c.addDataSourceProperty("journal_mode", "WAL");
      c.addDataSourceProperty("synchronous", "FULL");
      c.addDataSourceProperty("busy_timeout", "30000");
      c.addDataSourceProperty("cache_size", "-65536");
      c.addDataSourceProperty("wal_autocheckpoint", "65536");
      c.addDataSourceProperty("foreign_keys", "true");
      // Transactions take the write lock when they begin: a transaction that reads and then
      // writes would otherwise fail at once (SQLITE_BUSY_SNAPSHOT, which the busy timeout does not
      // cover) whenever another connection committed in between.
      c.addDataSourceProperty("transaction_mode", "IMMEDIATE");
      c.setMaximumPoolSize(Math.max(2, poolSize));
      dialect = Dialect.SQLITE;
      display = "sqlite:" + file;
      sqliteFile = file;
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(c);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open database " + redact(url) + ": " + rootMessage(e), e);
    }
    try {
      Flyway.configure().dataSource(pool).placeholders(dialect.placeholders()).locations("classpath:db/migration")
          .load().migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new StoreException("cannot migrate database " + display + ": " + rootMessage(e), e);
    }
    return new Database(pool, dialect, display, sqliteFile);
  }

  private static void createFolder(Path dir) {
    try {
      if (dir != null) {
        Files.createDirectories(dir);
      }
    } catch (java.io.IOException e) {
      throw new StoreException("cannot create data folder " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The URL with any password replaced: safe to log. */
  public static String redact(String url) {
    return url.replaceAll("(://[^:/@]+:)[^@]*@", "$1***@").replaceAll("password=[^&]*", "password=***");
  }

  /**
   * Whether {@code e} (or a cause) is the database saying its disk is full: SQLite's SQLITE_FULL
   * (the file system is full, or the database reached its page limit) or PostgreSQL's
   * {@code disk_full} (SQLSTATE 53100). Such a write fails whole and may be retried once space
   * returns.
   */
  public static boolean isFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException s && ("53100".equals(s.getSQLState())
          || (s.getErrorCode() == SQLITE_FULL && String.valueOf(s.getMessage()).contains("SQLITE_FULL")))) {
        return true;
      }
    }
    return false;
  }

  private static final int SQLITE_FULL = 13;

  /**
   * Bytes free where the database keeps its files: the usable space of the SQLite file's file
   * system; {@link Long#MAX_VALUE} for PostgreSQL, whose disk this process cannot see.
   */
  public long freeBytes() {
    if (file == null) {
      return Long.MAX_VALUE;
    }
    try {
      return Files.getFileStore(file.getParent()).getUsableSpace();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /**
   * Whether {@code e} (or a cause) says the database is away or short of a resource for now,
   * rather than refusing the statement itself: the disk full, no connection (SQLSTATE class 08,
   * a pool timeout), the server shutting down (57P), insufficient resources (53), SQLite busy or
   * failing to read or write its files. Trying the same write later may succeed.
   */
  public static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.sql.SQLTransientException || t instanceof java.sql.SQLRecoverableException
          || t instanceof java.sql.SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException s) {
        String state = s.getSQLState() == null ? "" : s.getSQLState();
        String msg = String.valueOf(s.getMessage());
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
            || msg.contains("SQLITE_BUSY") || msg.contains("SQLITE_IOERR") || msg.contains("SQLITE_FULL")
            || msg.contains("SQLITE_CANTOPEN")) {
          return true;
        }
      }
    }
    return false;
  }

  /** The message of the innermost cause: what went wrong, without the wrappers. */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /**
   * Runs {@code work} in a transaction that commits without waiting for the disk (SQLite:
   * synchronous NORMAL for it; PostgreSQL: synchronous_commit off). A crash of the process loses
   * nothing; a power failure may lose the latest such transactions, whole, never half of one.
   * For writes that are derived again after a restart: the detection's alerts with its cursor.
   */
  public <R, X extends Exception> R inUnsyncedTransaction(HandleCallback<R, X> work) throws X {
    if (dialect == Dialect.POSTGRESQL) {
      return jdbi.inTransaction(h -> {
        h.execute("SET LOCAL synchronous_commit TO OFF");
        return work.withHandle(h);
      });
    }
    return jdbi.withHandle(h -> {
      h.execute("PRAGMA synchronous = NORMAL");
      try {
        return h.inTransaction(work);
      } finally {
        h.execute("PRAGMA synchronous = FULL");
      }
    });
  }

  public Dialect dialect() {
    return dialect;
  }

  /** Where the database is, without secrets. */
  public String display() {
    return display;
  }

  /** True when a connection can be taken and answers a trivial query. */
  public boolean ping() {
    try (var conn = pool.getConnection(); var st = conn.createStatement()) {
      st.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    open = false;
    if (checkpointer != null) {
      checkpointer.interrupt();
      try {
        checkpointer.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool.close();
  }

  /*
   * SQLite copies the write-ahead log into the database file at a checkpoint, which a commit runs
   * itself once the log passes wal_autocheckpoint pages, inside its transaction, with a disk
   * sync: the writers take turns, so every writer waited for it. This thread instead runs PASSIVE
   * checkpoints twice a second beside the writers (they need no lock and block no one); the
   * automatic checkpoint stays as a bound (256 MB of log) should this thread fall behind.
   */
  private void checkpoints() {
    while (open) {
      try {
        Thread.sleep(500);
        jdbi.useHandle(h -> h.execute("PRAGMA wal_checkpoint(PASSIVE)"));
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (open) {
          System.getLogger("lovcen.store").log(System.Logger.Level.WARNING, "checkpoint failed: " + rootMessage(e));
        }
      }
    }
  }
}
