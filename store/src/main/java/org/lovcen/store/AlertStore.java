package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** Alerts of every detector. Thread-safe. */
public final class AlertStore {
  private static final String COLUMNS = "id, institution_id, fingerprint, kind, rule_id, rule_title, level, "
      + "level_rank, author, tags, ts, last_ts, host, channel, event_ref, fields, grp, evidence, incident_id, "
      + "retrospective, created";
  private final Database db;

  public AlertStore(Database db) {
    this.db = db;
  }

  /**
   * Inserts an alert inside the caller's transaction unless one with the same institution and
   * fingerprint exists; returns the new id, or -1 for a duplicate.
   */
  public long insert(Handle h, AlertRow a, long nowMicros) {
    int n = h.createUpdate("INSERT INTO alerts (institution_id, fingerprint, kind, rule_id, rule_title, level, "
        + "level_rank, author, tags, ts, last_ts, host, channel, event_ref, fields, grp, evidence, incident_id, "
        + "retrospective, created) VALUES (:inst, :fp, :kind, :rule, :title, :level, :rank, :author, :tags, :ts, "
        + ":last, :host, :channel, :ref, :fields, :grp, :evidence, :incident, :retro, :created) "
        + "ON CONFLICT (institution_id, fingerprint) DO NOTHING")
        .bind("inst", a.institution()).bind("fp", a.fingerprint()).bind("kind", a.kind()).bind("rule", a.ruleId())
        .bind("title", a.ruleTitle()).bind("level", a.level()).bind("rank", a.levelRank())
        .bind("author", a.author()).bind("tags", Json.write(a.tags())).bind("ts", a.ts()).bind("last", a.lastTs())
        .bind("host", Dialect.text(a.host())).bind("channel", Dialect.text(a.channel())).bind("ref", a.eventRef())
        .bind("fields", Json.write(a.fields())).bind("grp", Json.write(a.group()))
        .bind("evidence", Json.write(a.evidence())).bind("incident", a.incident())
        .bind("retro", a.retrospective() ? 1 : 0).bind("created", nowMicros).execute();
    if (n == 0) {
      return -1;
    }
    return h.createQuery("SELECT id FROM alerts WHERE institution_id = :i AND fingerprint = :f")
        .bind("i", a.institution()).bind("f", a.fingerprint()).mapTo(Long.class).one();
  }

  /**
   * Completes a stored alert with a later state of the same detection (a correlation episode
   * that went on firing after it was first stored): last time, fields and evidence, in the
   * caller's transaction. Never moves the last time backwards. Returns whether a row changed.
   */
  public boolean complete(Handle h, AlertRow a) {
    return h.createUpdate("UPDATE alerts SET last_ts = :last, fields = :fields, evidence = :evidence "
        + "WHERE institution_id = :inst AND fingerprint = :fp AND last_ts <= :last")
        .bind("last", a.lastTs()).bind("fields", Json.write(a.fields())).bind("evidence", Json.write(a.evidence()))
        .bind("inst", a.institution()).bind("fp", a.fingerprint()).execute() > 0;
  }

  /** Moves alerts into an incident, inside the caller's transaction. */
  public void assign(Handle h, long alertId, long incidentId) {
    h.createUpdate("UPDATE alerts SET incident_id = :inc WHERE id = :id").bind("inc", incidentId).bind("id", alertId)
        .execute();
  }

  public AlertRow get(Scope scope, long id) {
    Where w = Where.scoped(scope, "institution_id", "incident_id").and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM alerts" + w.sql()))
        .map(AlertStore::row).findOne().orElse(null));
  }

  public Page<AlertRow> list(Scope scope, AlertQuery q) {
    Where w = where(scope, q);
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM alerts" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, q.cursor(), "ts", "id");
    List<AlertRow> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM alerts"
        + w.sql() + " ORDER BY ts DESC, id DESC LIMIT " + (q.limit() + 1))).map(AlertStore::row).list());
    return Pages.of(rows, q.limit(), total, a -> new Cursor(a.ts(), a.id()));
  }

  /** Number of alerts per rule within scope and filter, most frequent first. */
  public List<Map.Entry<String, Long>> countByRule(Scope scope, AlertQuery q, int top) {
    Where w = where(scope, q);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT rule_id, COUNT(*) FROM alerts" + w.sql()
        + " GROUP BY rule_id ORDER BY COUNT(*) DESC, rule_id LIMIT " + top))
        .map((r, c) -> Map.entry(r.getString(1), r.getLong(2))).list());
  }

  private Where where(Scope scope, AlertQuery q) {
    Where w = Where.scoped(scope, "institution_id", "incident_id")
        .andIf(q.from(), "ts >= ?").andIf(q.to(), "ts < ?")
        .andIf(q.institution(), "institution_id = ?").andIf(q.host(), "host = ?")
        .andIf(q.minLevel(), "level_rank >= ?").andIf(q.ruleId(), "rule_id = ?")
        .andIf(q.incident(), "incident_id = ?").andIf(q.kind(), "kind = ?");
    if (q.tag() != null) {
      w.and(db.dialect().arrayContains("tags"), q.tag());
    }
    return w;
  }

  static AlertRow row(ResultSet r, StatementContext c) throws SQLException {
    long ref = r.getLong(15);
    Long eventRef = r.wasNull() ? null : ref;
    long inc = r.getLong(19);
    Long incident = r.wasNull() ? null : inc;
    return new AlertRow(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
        r.getString(6), r.getString(7), r.getInt(8), r.getString(9), Json.strings(r.getString(10)), r.getLong(11),
        r.getLong(12), r.getString(13), r.getString(14), eventRef, Json.stringMap(r.getString(16)),
        Json.stringMap(r.getString(17)), Json.any(r.getString(18)), incident, r.getInt(20) != 0, r.getLong(21));
  }
}
