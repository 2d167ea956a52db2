package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/*
 * How and why: decisions of the website detectors and of analysts in one table. The detectors'
 * decisions arrive as changes (a new proposal, an extension) in the detection thread's
 * transaction: a change extends the institution's active detector decision on the same value,
 * else a new proposal is inserted (an extension of a decision an analyst revoked revives
 * nothing). Bouncers read what changed since their last pull by the updated column.
 */
/** Website decisions (ban/captcha). Thread-safe. */
public final class DecisionStore {
  private static final String COLUMNS = "id, institution_id, scope, value, type, scenario, reason, origin, site, "
      + "created, created_by, updated, until, revoked_at, revoked_by, alert_id, incident_id, detected";
  private final Database db;

  /** A detector's decision as the detector last stated it, for {@link #applyDetected}. */
  public record Detected(String institution, String scope, String value, String type, String scenario,
      String reason, String site, long untilMicros, long detectedMicros, boolean proposal) {}

  public DecisionStore(Database db) {
    this.db = db;
  }

  /**
   * Writes detector decisions in the caller's transaction: extends (or raises to ban) the active
   * detector decision on the same institution and value, else inserts a proposal linked to the
   * latest web alert of its scenario and site. Returns the decisions inserted.
   */
  public int applyDetected(Handle h, List<Detected> changes, long nowMicros) {
    int inserted = 0;
    Map<String, long[]> links = new HashMap<>();
    for (Detected d : changes) {
      DecisionRow open = h.createQuery("SELECT " + COLUMNS + " FROM decisions WHERE institution_id = :i AND "
          + "scope = :s AND value = :v AND origin = 'detector' AND revoked_at IS NULL AND until > :now "
          + "ORDER BY id DESC LIMIT 1").bind("i", d.institution()).bind("s", d.scope()).bind("v", d.value())
          .bind("now", nowMicros).map(DecisionStore::row).findOne().orElse(null);
      if (open != null) {
        boolean raise = d.type().equals("ban") && !open.type().equals("ban");
        if (d.untilMicros() > open.until() || raise) {
          h.createUpdate("UPDATE decisions SET until = :u, type = :t, updated = :now WHERE id = :id")
              .bind("u", Math.max(open.until(), d.untilMicros())).bind("t", raise ? "ban" : open.type())
              .bind("now", nowMicros).bind("id", open.id()).execute();
        }
      } else if (d.proposal()) {
        long[] link = links.computeIfAbsent(d.institution() + '\0' + d.scenario() + '\0' + d.site(),
            k -> alertOf(h, d));
        h.createUpdate("INSERT INTO decisions (institution_id, scope, value, type, scenario, reason, origin, site, "
            + "created, updated, until, alert_id, incident_id, detected) VALUES (:i, :s, :v, :t, :sc, :r, "
            + "'detector', :site, :now, :now, :u, :a, :inc, :d)").bind("i", d.institution()).bind("s", d.scope())
            .bind("v", d.value()).bind("t", d.type()).bind("sc", cut(d.scenario(), 128))
            .bind("r", cut(Dialect.text(d.reason()), 1024)).bind("site", Dialect.text(d.site())).bind("now", nowMicros)
            .bind("u", d.untilMicros()).bind("a", link == null ? null : link[0])
            .bind("inc", link == null || link[1] < 0 ? null : link[1]).bind("d", d.detectedMicros()).execute();
        inserted++;
      }
    }
    return inserted;
  }

  /** The latest web alert of the decision's scenario on its site: {id, incident or -1}, or null. */
  private static long[] alertOf(Handle h, Detected d) {
    return h.createQuery("SELECT id, incident_id FROM alerts WHERE institution_id = :i AND kind = 'web' AND "
        + "rule_id = :r AND host = :h ORDER BY ts DESC, id DESC LIMIT 1").bind("i", d.institution())
        .bind("r", d.scenario()).bind("h", Dialect.text(d.site()))
        .map((r, c) -> new long[] {r.getLong(1), r.getObject(2) == null ? -1 : r.getLong(2)}).findOne().orElse(null);
  }

  /** Stores a decision given through the API for an institution visible in scope; null when not visible. */
  public DecisionRow create(Scope scope, String institution, String scopeKind, String value, String type,
      String reason, String origin, String createdBy, long untilMicros, Long alert, Long incident, long nowMicros) {
    if (!scope.sees(institution)) {
      return null;
    }
    long id = db.jdbi().withHandle(h -> h.createQuery("INSERT INTO decisions (institution_id, scope, value, type, "
        + "scenario, reason, origin, created, created_by, updated, until, alert_id, incident_id) VALUES (:i, :s, :v, "
        + ":t, 'manual', :r, :o, :now, :by, :now, :u, :a, :inc) RETURNING id").bind("i", institution)
        .bind("s", scopeKind).bind("v", value).bind("t", type).bind("r", cut(Dialect.text(reason), 1024))
        .bind("o", origin).bind("by", createdBy).bind("now", nowMicros).bind("u", untilMicros).bind("a", alert)
        .bind("inc", incident).mapTo(Long.class).one());
    return get(scope, id);
  }

  /** The decision with this id if visible in scope, else null. */
  public DecisionRow get(Scope scope, long id) {
    Where w = Where.scoped(scope, "institution_id", null).and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM decisions" + w.sql()))
        .map(DecisionStore::row).findOne().orElse(null));
  }

  /** Decisions in scope, newest first. */
  public Page<DecisionRow> list(Scope scope, DecisionQuery q, long nowMicros) {
    Where w = Where.scoped(scope, "institution_id", null).andIf(q.institution(), "institution_id = ?")
        .andIf(q.scope(), "scope = ?").andIf(q.value(), "value = ?").andIf(q.type(), "type = ?")
        .andIf(q.origin(), "origin = ?").andIf(q.site(), "site = ?").andIf(q.from(), "created >= ?")
        .andIf(q.to(), "created < ?");
    if (q.active() != null) {
      w.and(q.active() ? "revoked_at IS NULL AND until > ? AND created <= ?"
          : "NOT (revoked_at IS NULL AND until > ? AND created <= ?)", nowMicros, nowMicros);
    }
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM decisions" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, q.cursor(), "created", "id");
    List<DecisionRow> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM decisions"
        + w.sql() + " ORDER BY created DESC, id DESC LIMIT " + (q.limit() + 1))).map(DecisionStore::row).list());
    return Pages.of(rows, q.limit(), total, r -> new Cursor(r.created(), r.id()));
  }

  /**
   * Revokes a decision visible in scope (partners: never); returns it afterwards, or null when
   * not visible. Revoking a revoked decision changes nothing.
   */
  public DecisionRow revoke(Scope scope, long id, String by, long nowMicros) {
    if (scope instanceof Scope.Partner || get(scope, id) == null) {
      return null;
    }
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE decisions SET revoked_at = :now, revoked_by = :by, updated = :now "
        + "WHERE id = :id AND revoked_at IS NULL").bind("now", nowMicros).bind("by", by).bind("id", id).execute());
    return get(scope, id);
  }

  /** Decisions in force at {@code nowMicros}, of one institution or (null) all, oldest first. */
  public List<DecisionRow> active(String institution, long nowMicros) {
    Where w = new Where().andIf(institution, "institution_id = ?")
        .and("revoked_at IS NULL AND until > ? AND created <= ?", nowMicros, nowMicros);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM decisions" + w.sql()
        + " ORDER BY id")).map(DecisionStore::row).list());
  }

  /**
   * Decisions of one institution or (null) all that changed at or after {@code sinceMicros}:
   * created, extended or revoked since then, or ended between then and {@code nowMicros}. Oldest first.
   */
  public List<DecisionRow> changedSince(String institution, long sinceMicros, long nowMicros) {
    Where w = new Where().andIf(institution, "institution_id = ?")
        .and("updated >= ? OR (until >= ? AND until <= ?)", sinceMicros, sinceMicros, nowMicros);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM decisions" + w.sql()
        + " ORDER BY id")).map(DecisionStore::row).list());
  }

  /** Active decisions per institution and site, for the site list. */
  public Map<String, Long> activeBySite(Scope scope, long nowMicros) {
    Where w = Where.scoped(scope, "institution_id", null)
        .and("revoked_at IS NULL AND until > ? AND created <= ? AND site IS NOT NULL", nowMicros, nowMicros);
    Map<String, Long> out = new HashMap<>();
    db.jdbi().useHandle(h -> w.bind(h.createQuery("SELECT institution_id, site, COUNT(*) FROM decisions" + w.sql()
        + " GROUP BY institution_id, site")).map((r, c) -> Map.entry(r.getString(1) + '\0' + r.getString(2),
        r.getLong(3))).forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }

  /**
   * An institution's decisions in force: how many, the bans among them, those analysts took (origin
   * analyst or case, the rest the detectors'), the sites they came from, and when the last one ends.
   */
  public record InForce(String institution, long active, long bans, long byAnalysts, long sites, long lastUntil) {}

  /** Decisions in force per institution in scope (one institution when given), the most first; counted in SQL. */
  public List<InForce> inForce(Scope scope, String institution, long nowMicros) {
    Where w = Where.scoped(scope, "institution_id", null).andIf(institution, "institution_id = ?")
        .and("revoked_at IS NULL AND until > ? AND created <= ?", nowMicros, nowMicros);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT institution_id, COUNT(*), "
        + "SUM(CASE WHEN type = 'ban' THEN 1 ELSE 0 END), SUM(CASE WHEN origin <> 'detector' THEN 1 ELSE 0 END), "
        + "COUNT(DISTINCT site), MAX(until) FROM decisions" + w.sql() + " GROUP BY institution_id "
        + "ORDER BY COUNT(*) DESC, institution_id")).map((r, c) -> new InForce(r.getString(1), r.getLong(2),
            r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6))).list());
  }

  private static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  private static Long longOrNull(ResultSet r, int i) throws SQLException {
    long v = r.getLong(i);
    return r.wasNull() ? null : v;
  }

  static DecisionRow row(ResultSet r, StatementContext c) throws SQLException {
    return new DecisionRow(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
        r.getString(6), r.getString(7), r.getString(8), r.getString(9), r.getLong(10), r.getString(11), r.getLong(12),
        r.getLong(13), longOrNull(r, 14), r.getString(15), longOrNull(r, 16), longOrNull(r, 17), longOrNull(r, 18));
  }
}
