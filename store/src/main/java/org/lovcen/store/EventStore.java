package org.lovcen.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/** Raw events: batch insert, search, replay and retention. Thread-safe. */
public final class EventStore {
  private static final String COLUMNS =
      "id, institution_id, ts, host, channel, provider, event_id, source, record, fields";
  private final Database db;

  public EventStore(Database db) {
    this.db = db;
  }

  /**
   * Inserts events inside the caller's transaction. A U+0000 in a header column (host, channel,
   * provider, source) is stored as U+FFFD, which PostgreSQL text requires; field values keep it.
   * This is the store writer's hot path, so it binds by position on the driver's statement
   * instead of by name through Jdbi (which cost more than the insert itself in profiles).
   */
  public void insert(Handle h, List<StoredEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    try (PreparedStatement st = h.getConnection().prepareStatement("INSERT INTO events (id, institution_id, ts, "
        + "day, host, channel, provider, event_id, source, record, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (StoredEvent e : events) {
        st.setLong(1, e.id());
        st.setString(2, e.institution());
        st.setLong(3, e.ts());
        st.setInt(4, StoredEvent.day(e.ts()));
        st.setString(5, Dialect.text(e.host()));
        st.setString(6, Dialect.text(e.channel()));
        st.setString(7, Dialect.text(e.provider()));
        st.setInt(8, e.eventId());
        st.setString(9, Dialect.text(e.source()));
        st.setLong(10, e.record());
        st.setString(11, e.fields());
        st.addBatch();
      }
      st.executeBatch();
    } catch (SQLException ex) {
      throw new StoreException("cannot store " + events.size() + " events: " + Database.rootMessage(ex), ex);
    }
  }

  /**
   * Whether the store has room for about {@code bytes} more of events now: inserts one row of that
   * size under {@code id} (an id no event has) and rolls it back. On SQLite the insert fails when
   * the database may not grow (its page limit); PostgreSQL extends its files as it inserts, so it
   * fails there when the disk is full. Other failures (the store away) are thrown.
   */
  public boolean roomFor(long id, int bytes) {
    try {
      db.jdbi().useTransaction(h -> {
        insert(h, List.of(new StoredEvent(id, "", 0, null, null, null, -1, null, 0, padding(bytes))));
        throw new RolledBack();
      });
    } catch (RolledBack e) {
      return true;
    } catch (RuntimeException e) {
      if (Database.isFull(e)) {
        return false;
      }
      throw e;
    }
    return true;
  }

  /** Text that does not compress (PostgreSQL compresses large values), the same every time. */
  private static String padding(int bytes) {
    byte[] b = new byte[bytes * 3 / 4 + 3];
    new java.util.Random(bytes).nextBytes(b);
    return java.util.Base64.getEncoder().encodeToString(b).substring(0, bytes);
  }

  /** Ends {@link #roomFor}'s transaction without committing. */
  private static final class RolledBack extends RuntimeException {
    RolledBack() {
      super(null, null, false, false);
    }
  }

  /** The highest stored id, or 0. */
  public long maxId() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM events").mapTo(Long.class).one());
  }

  /** Up to {@code limit} events with id greater than {@code after} in id order, within scope. */
  public List<StoredEvent> after(Scope scope, long after, int limit) {
    Where w = Where.scoped(scope, "institution_id", null).and("id > ?", after);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM events" + w.sql()
        + " ORDER BY id LIMIT " + limit)).map(EventStore::row).list());
  }

  /**
   * Up to {@code limit} events with id in {@code (after, upTo]} and time at or after
   * {@code fromTs}, in id order, within scope: a retro-hunt pages through these.
   */
  public List<StoredEvent> window(Scope scope, long fromTs, long after, long upTo, int limit) {
    Where w = Where.scoped(scope, "institution_id", null).and("id > ?", after).and("id <= ?", upTo)
        .and("ts >= ?", fromTs);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM events" + w.sql()
        + " ORDER BY id LIMIT " + limit)).map(EventStore::row).list());
  }

  /** One event, or null when absent or outside scope. */
  public StoredEvent get(Scope scope, long id) {
    Where w = Where.scoped(scope, "institution_id", null).and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM events" + w.sql()))
        .map(EventStore::row).findOne().orElse(null));
  }

  /** A page of events matching {@code q} within scope, newest first. */
  public Page<StoredEvent> search(Scope scope, EventQuery q) {
    Where w = Where.scoped(scope, "institution_id", null)
        .andIf(q.from(), "ts >= ?").andIf(q.to(), "ts < ?")
        .andIf(q.institution(), "institution_id = ?").andIf(q.host(), "host = ?");
    for (Map.Entry<String, String> f : q.fields().entrySet()) {
      w.andNamed(db.dialect().fieldMatches("fields", "fname", "fvalue"),
          Map.of("fname", f.getKey(), "fvalue", like(f.getValue(), false)));
    }
    if (q.text() != null && !q.text().isBlank()) {
      w.andNamed(db.dialect().anyValueMatches("fields", "raw", "t"),
          Map.of("raw", like(jsonEscaped(q.text()), true), "t", like(q.text(), true)));
    }
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM events" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, q.cursor(), "ts", "id");
    List<StoredEvent> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM events"
        + w.sql() + " ORDER BY ts DESC, id DESC LIMIT " + (q.limit() + 1))).map(EventStore::row).list());
    return Pages.of(rows, q.limit(), total, e -> new Cursor(e.ts(), e.id()));
  }

  /**
   * Deletes events of {@code institution} older than {@code days} days before {@code nowMicros};
   * returns how many.
   */
  public int deleteOlderThan(String institution, int days, long nowMicros) {
    long cutoff = (StoredEvent.day(nowMicros) - (long) days) * 86_400_000_000L; // the start of the cutoff day
    return db.jdbi().withHandle(h -> h.createUpdate("DELETE FROM events WHERE institution_id = :i AND ts < :t")
        .bind("i", institution).bind("t", cutoff).execute());
  }

  /** {@code text} as it appears inside a JSON string (backslashes and quotes escaped). */
  static String jsonEscaped(String text) {
    String quoted = Json.write(text);
    return quoted.substring(1, quoted.length() - 1);
  }

  /** A LIKE pattern: {@code *} becomes {@code %}, LIKE's own wildcards are escaped with {@link Dialect#LIKE_ESCAPE}. */
  static String like(String value, boolean contains) {
    String e = String.valueOf(Dialect.LIKE_ESCAPE);
    String esc = value.replace(e, e + e).replace("%", e + "%").replace("_", e + "_").replace('*', '%');
    return contains ? "%" + esc + "%" : esc;
  }

  private static StoredEvent row(java.sql.ResultSet r, org.jdbi.v3.core.statement.StatementContext c)
      throws java.sql.SQLException {
    return new StoredEvent(r.getLong(1), r.getString(2), r.getLong(3), r.getString(4), r.getString(5),
        r.getString(6), r.getInt(7), r.getString(8), r.getLong(9), r.getString(10));
  }
}
