package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/**
 * The indicators the server keeps, one row per indicator and source (see the V2 migration).
 * Indicators are the national CERT's: only the national scope reads or changes them. Thread-safe;
 * callers serialise {@link #upsert} (the server has one writer of indicators).
 */
public final class IntelStore {
  /**
   * One indicator of one source.
   *
   * @param indicatorId the STIX id
   * @param origin how it arrived: {@code import}, {@code taxii:<collection>}, {@code feed:<name>}
   * @param marking TLP rank (0 none … 5 red)
   * @param validFrom micros, or null when open
   * @param validUntil micros, or null when open
   * @param modified the source's modified timestamp as given, or empty
   * @param digest a hash of the content: equal digests are the same indicator
   * @param object the STIX 2.1 indicator object (JSON) of this source
   */
  public record Row(long id, String indicatorId, String source, String origin, String name, String pattern,
      int confidence, int marking, Long validFrom, Long validUntil, boolean revoked, String modified, String digest,
      String object, long added, long updated) {}

  /** A search: {@code text} in id, name or pattern (case-insensitive), an exact source, revoked or not. */
  public record Query(String text, String source, Boolean revoked, int limit, String cursor) {}

  private static final String COLUMNS = "id, indicator_id, source, origin, name, pattern, confidence, marking, "
      + "valid_from, valid_until, revoked, modified, digest, object, added, updated";
  private final Database db;

  public IntelStore(Database db) {
    this.db = db;
  }

  /**
   * Stores rows in one transaction: a new (indicator, source) is inserted; a known one is replaced
   * when the row is a newer version (modified) or, at the same version, different content (digest);
   * an older version or identical content changes nothing.
   *
   * @return the rows inserted or changed, with their ids
   */
  public List<Row> upsert(List<Row> rows, long nowMicros) {
    return db.jdbi().inTransaction(h -> {
      List<Row> changed = new ArrayList<>();
      for (Row r : rows) {
        Row old = h.createQuery("SELECT " + COLUMNS + " FROM indicators WHERE indicator_id = :i AND source = :s")
            .bind("i", r.indicatorId()).bind("s", r.source()).map(IntelStore::row).findOne().orElse(null);
        if (old == null) {
          changed.add(insert(h, r, nowMicros));
        } else if (replaces(r, old)) {
          changed.add(update(h, old, r, nowMicros));
        }
      }
      return changed;
    });
  }

  private static boolean replaces(Row r, Row old) {
    long n = time(r.modified());
    long o = time(old.modified());
    return n > o || (n == o && !r.digest().equals(old.digest()));
  }

  private static long time(String modified) {
    long t = modified == null || modified.isEmpty() ? Event.NO_TIME : Timestamps.parse(modified);
    return t == Event.NO_TIME ? Long.MIN_VALUE : t;
  }

  private Row insert(Handle h, Row r, long now) {
    long id = h.createQuery("INSERT INTO indicators (indicator_id, source, origin, name, pattern, confidence, marking, "
        + "valid_from, valid_until, revoked, modified, digest, object, added, updated) VALUES (:i, :s, :o, :n, :p, "
        + ":c, :m, :vf, :vu, :r, :mod, :d, :obj, :now, :now) RETURNING id").bindMap(values(r))
        .bind("now", now).mapTo(Long.class).one();
    return copy(r, id, now, now);
  }

  private Row update(Handle h, Row old, Row r, long now) {
    h.createUpdate("UPDATE indicators SET origin = :o, name = :n, pattern = :p, confidence = :c, marking = :m, "
        + "valid_from = :vf, valid_until = :vu, revoked = :r, modified = :mod, digest = :d, object = :obj, "
        + "updated = :now WHERE id = :id").bindMap(values(r)).bind("now", now).bind("id", old.id()).execute();
    return copy(r, old.id(), old.added(), now);
  }

  private static java.util.Map<String, Object> values(Row r) {
    java.util.Map<String, Object> m = new java.util.HashMap<>();
    m.put("i", r.indicatorId());
    m.put("s", cut(r.source(), 256));
    m.put("o", cut(r.origin(), 128));
    m.put("n", cut(Dialect.text(r.name()), 1024));
    m.put("p", Dialect.text(r.pattern()));
    m.put("c", r.confidence());
    m.put("m", r.marking());
    m.put("vf", r.validFrom());
    m.put("vu", r.validUntil());
    m.put("r", r.revoked() ? 1 : 0);
    m.put("mod", r.modified() == null ? "" : cut(r.modified(), 64));
    m.put("d", r.digest());
    m.put("obj", Dialect.text(r.object()));
    return m;
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  private static Row copy(Row r, long id, long added, long updated) {
    return new Row(id, r.indicatorId(), r.source(), r.origin(), r.name(), r.pattern(), r.confidence(), r.marking(),
        r.validFrom(), r.validUntil(), r.revoked(), r.modified(), r.digest(), r.object(), added, updated);
  }

  /** Every row not revoked, in id order, passed to {@code sink} (the server compiles its live set from them). */
  public void live(Consumer<Row> sink) {
    db.jdbi().useHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM indicators WHERE revoked = 0 ORDER BY id")
        .setFetchSize(1000).map(IntelStore::row).forEach(sink));
  }

  /** A page of rows, newest change first; empty outside the national scope. */
  public Page<Row> list(Scope scope, Query q) {
    if (!(scope instanceof Scope.National)) {
      return new Page<>(List.of(), 0, null);
    }
    Where w = new Where().andIf(q.source(), "source = ?");
    if (q.revoked() != null) {
      w.and("revoked = ?", q.revoked() ? 1 : 0);
    }
    if (q.text() != null && !q.text().isBlank()) {
      String like = EventStore.like(q.text(), true);
      w.andNamed(db.dialect().likeIgnoreCase("indicator_id", "t") + " OR " + db.dialect().likeIgnoreCase("name", "t")
          + " OR " + db.dialect().likeIgnoreCase("pattern", "t"), java.util.Map.of("t", like));
    }
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM indicators" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, q.cursor(), "updated", "id");
    List<Row> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM indicators"
        + w.sql() + " ORDER BY updated DESC, id DESC LIMIT " + (q.limit() + 1))).map(IntelStore::row).list());
    return Pages.of(rows, q.limit(), total, r -> new Cursor(r.updated(), r.id()));
  }

  /** The rows of one STIX id (every source), in the national scope; empty otherwise. */
  public List<Row> byIndicator(Scope scope, String indicatorId) {
    if (!(scope instanceof Scope.National)) {
      return List.of();
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM indicators WHERE indicator_id = :i "
        + "ORDER BY id").bind("i", indicatorId).map(IntelStore::row).list());
  }

  /** Revokes every source's row of one STIX id; returns how many were live. 0 outside the national scope. */
  public int revoke(Scope scope, String indicatorId, long nowMicros) {
    if (!(scope instanceof Scope.National)) {
      return 0;
    }
    return db.jdbi().withHandle(h -> h.createUpdate("UPDATE indicators SET revoked = 1, updated = :now WHERE "
        + "indicator_id = :i AND revoked = 0").bind("now", nowMicros).bind("i", indicatorId).execute());
  }

  private static Row row(ResultSet r, StatementContext c) throws SQLException {
    long vf = r.getLong(9);
    Long validFrom = r.wasNull() ? null : vf;
    long vu = r.getLong(10);
    Long validUntil = r.wasNull() ? null : vu;
    return new Row(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getString(6),
        r.getInt(7), r.getInt(8), validFrom, validUntil, r.getInt(11) != 0, r.getString(12), r.getString(13),
        r.getString(14), r.getLong(15), r.getLong(16));
  }
}
