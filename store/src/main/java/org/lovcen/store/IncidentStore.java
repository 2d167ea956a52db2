package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/** Incidents and their notes. Thread-safe. */
public final class IncidentStore {
  private static final String COLUMNS = "id, institution_id, host, title, level, level_rank, status, assignee, "
      + "first_ts, last_ts, alert_count, techniques, tactics, rules, created, updated";
  private static final String OPEN = "status NOT IN ('resolved', 'false_positive')";
  private final Database db;

  public IncidentStore(Database db) {
    this.db = db;
  }

  /** The most recent open incident of the institution and host seen at or after {@code sinceTs}, or null. */
  public IncidentRow findOpen(Handle h, String institution, String host, long sinceTs) {
    return h.createQuery("SELECT " + COLUMNS + " FROM incidents WHERE institution_id = :i AND host = :h AND "
        + OPEN + " AND last_ts >= :since ORDER BY last_ts DESC, id DESC LIMIT 1")
        .bind("i", institution).bind("h", Dialect.text(host)).bind("since", sinceTs).map(IncidentStore::row).findOne().orElse(null);
  }

  /**
   * Per host, the most recent open incident of the institution seen at or after {@code sinceTs}
   * (as {@link #findOpen} for each host, in one query per 500 hosts).
   */
  public Map<String, IncidentRow> findOpen(Handle h, String institution, Collection<String> hosts, long sinceTs) {
    Map<String, IncidentRow> latest = new HashMap<>();
    List<String> all = new ArrayList<>(hosts);
    for (int from = 0; from < all.size(); from += 500) {
      h.createQuery("SELECT " + COLUMNS + " FROM incidents WHERE institution_id = :i AND host IN (<hosts>) AND "
          + OPEN + " AND last_ts >= :since").bind("i", institution)
          .bindList("hosts", all.subList(from, Math.min(all.size(), from + 500))).bind("since", sinceTs)
          .map(IncidentStore::row).forEach(r -> latest.merge(r.host(), r, IncidentStore::later));
    }
    return latest;
  }

  /** The later of two incidents as findOpen orders them: last alert, then id. */
  private static IncidentRow later(IncidentRow a, IncidentRow b) {
    int c = Long.compare(a.lastTs(), b.lastTs());
    return c > 0 || (c == 0 && a.id() > b.id()) ? a : b;
  }

  /** Writes the aggregates of several incidents in one batch, in the caller's transaction. */
  public void updateAggregates(Handle h, List<IncidentRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    PreparedBatch b = h.prepareBatch("UPDATE incidents SET title = :t, level = :l, level_rank = :lr, first_ts = :f, "
        + "last_ts = :last, alert_count = :n, techniques = :tech, tactics = :tac, rules = :rules, updated = :u "
        + "WHERE id = :id");
    for (IncidentRow r : rows) {
      b.bind("t", r.title()).bind("l", r.level()).bind("lr", r.levelRank()).bind("f", r.firstTs())
          .bind("last", r.lastTs()).bind("n", r.alertCount()).bind("tech", Json.write(r.techniques()))
          .bind("tac", Json.write(r.tactics())).bind("rules", Json.write(r.rules())).bind("u", r.updated())
          .bind("id", r.id()).add();
    }
    b.execute();
  }

  /** Inserts a new incident in the caller's transaction; returns its id. */
  public long create(Handle h, IncidentRow r) {
    return h.createQuery("INSERT INTO incidents (institution_id, host, title, level, level_rank, status, assignee, "
        + "first_ts, last_ts, alert_count, techniques, tactics, rules, created, updated) VALUES (:i, :h, :t, :l, "
        + ":lr, :s, :a, :f, :last, :n, :tech, :tac, :rules, :c, :u) RETURNING id")
        .bind("i", r.institution()).bind("h", Dialect.text(r.host())).bind("t", Dialect.text(r.title()))
        .bind("l", r.level()).bind("lr", r.levelRank()).bind("s", r.status()).bind("a", r.assignee()).bind("f", r.firstTs())
        .bind("last", r.lastTs()).bind("n", r.alertCount()).bind("tech", Json.write(r.techniques()))
        .bind("tac", Json.write(r.tactics())).bind("rules", Json.write(r.rules())).bind("c", r.created())
        .bind("u", r.updated()).mapTo(Long.class).one();
  }

  /** Writes an incident's aggregates (level, times, counts, techniques …) in the caller's transaction. */
  public void updateAggregates(Handle h, IncidentRow r) {
    h.createUpdate("UPDATE incidents SET title = :t, level = :l, level_rank = :lr, first_ts = :f, last_ts = :last, "
        + "alert_count = :n, techniques = :tech, tactics = :tac, rules = :rules, updated = :u WHERE id = :id")
        .bind("t", Dialect.text(r.title())).bind("l", r.level()).bind("lr", r.levelRank()).bind("f", r.firstTs())
        .bind("last", r.lastTs()).bind("n", r.alertCount()).bind("tech", Json.write(r.techniques()))
        .bind("tac", Json.write(r.tactics())).bind("rules", Json.write(r.rules())).bind("u", r.updated())
        .bind("id", r.id()).execute();
  }

  public IncidentRow get(Scope scope, long id) {
    Where w = Where.scoped(scope, "institution_id", "id").and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM incidents" + w.sql()))
        .map(IncidentStore::row).findOne().orElse(null));
  }

  public Page<IncidentRow> list(Scope scope, IncidentQuery q) {
    Where w = where(scope, q);
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM incidents" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, q.cursor(), "last_ts", "id");
    List<IncidentRow> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM incidents"
        + w.sql() + " ORDER BY last_ts DESC, id DESC LIMIT " + (q.limit() + 1))).map(IncidentStore::row).list());
    return Pages.of(rows, q.limit(), total, r -> new Cursor(r.lastTs(), r.id()));
  }

  /** Open incidents per level within scope. */
  public Map<String, Long> openByLevel(Scope scope) {
    return openByLevel(scope, null);
  }

  /** Open incidents per level within scope, of one institution (null: every one in scope). */
  public Map<String, Long> openByLevel(Scope scope, String institution) {
    Where w = Where.scoped(scope, "institution_id", "id").and(OPEN).andIf(institution, "institution_id = ?");
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    db.jdbi().useHandle(h -> w.bind(h.createQuery("SELECT level, COUNT(*) FROM incidents" + w.sql()
        + " GROUP BY level")).map((r, c) -> Map.entry(r.getString(1), r.getLong(2))).forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }

  /**
   * Sets status and/or assignee (null leaves a value as is; an empty assignee clears it) of an
   * incident visible in scope; returns the updated incident, or null when not visible. Partners
   * only read: for a partner scope nothing changes and the answer is null.
   */
  public IncidentRow update(Scope scope, long id, String status, String assignee, long nowMicros) {
    if (status != null && !IncidentRow.STATUSES.contains(status)) {
      throw new IllegalArgumentException("unknown status '" + status + "' (" + String.join(", ", IncidentRow.STATUSES) + ")");
    }
    if (scope instanceof Scope.Partner) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      if (get(scope, id) == null) {
        return null;
      }
      if (status != null) {
        h.createUpdate("UPDATE incidents SET status = :s, updated = :u WHERE id = :id").bind("s", status)
            .bind("u", nowMicros).bind("id", id).execute();
      }
      if (assignee != null) {
        h.createUpdate("UPDATE incidents SET assignee = :a, updated = :u WHERE id = :id")
            .bind("a", assignee.isEmpty() ? null : assignee).bind("u", nowMicros).bind("id", id).execute();
      }
      return get(scope, id);
    });
  }

  /**
   * Moves alerts visible in scope into an incident visible in scope (the analyst's "these belong
   * together"), and recomputes the aggregates of that incident and of the incidents the alerts
   * left, with {@code aggregate} (the incident as stored, its alerts now, oldest first) in one
   * transaction. Returns the incident as updated, or null when it is not visible or the scope is a
   * partner's.
   *
   * @throws IllegalArgumentException naming the alerts that are not visible or of another
   *     institution than the incident's
   */
  public IncidentRow attach(Scope scope, long incident, List<Long> alertIds, long nowMicros,
      java.util.function.BiFunction<IncidentRow, List<AlertRow>, IncidentRow> aggregate) {
    if (scope instanceof Scope.Partner) {
      return null;
    }
    return db.jdbi().inTransaction(h -> {
      IncidentRow target = get(scope, incident);
      if (target == null) {
        return null;
      }
      AlertStore alerts = new AlertStore(db);
      List<AlertRow> moving = alerts.visible(h, scope, alertIds);
      java.util.Set<Long> found = new java.util.HashSet<>();
      java.util.Set<Long> left = new java.util.TreeSet<>();
      for (AlertRow a : moving) {
        if (a.institution().equals(target.institution())) {
          found.add(a.id());
          if (a.incident() != null && a.incident() != incident) {
            left.add(a.incident());
          }
        }
      }
      List<Long> wrong = alertIds.stream().filter(id -> !found.contains(id)).distinct().toList();
      if (!wrong.isEmpty()) {
        throw new IllegalArgumentException("alerts not found in the incident's institution: " + wrong);
      }
      for (AlertRow a : moving) {
        alerts.assign(h, a.id(), incident);
      }
      List<IncidentRow> updated = new ArrayList<>();
      for (long id : left) {
        IncidentRow old = h.createQuery("SELECT " + COLUMNS + " FROM incidents WHERE id = :id").bind("id", id)
            .map(IncidentStore::row).one();
        updated.add(aggregate.apply(old, alerts.ofIncident(h, id)));
      }
      IncidentRow now = aggregate.apply(target, alerts.ofIncident(h, incident));
      updated.add(now);
      updateAggregates(h, updated);
      return now;
    });
  }

  /** Adds a note to an incident visible in scope; null when not visible, and for a partner scope (read only). */
  public Note addNote(Scope scope, long incident, String author, String text, long nowMicros) {
    IncidentRow r = scope instanceof Scope.Partner ? null : get(scope, incident);
    if (r == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("INSERT INTO incident_notes (incident_id, institution_id, author, "
        + "text, created) VALUES (:i, :inst, :a, :t, :c) RETURNING id, incident_id, author, text, created")
        .bind("i", incident).bind("inst", r.institution()).bind("a", author).bind("t", text).bind("c", nowMicros)
        .map(IncidentStore::note).one());
  }

  /** Notes of an incident visible in scope, oldest first; null when not visible. */
  public List<Note> notes(Scope scope, long incident) {
    if (get(scope, incident) == null) {
      return null;
    }
    return db.jdbi().withHandle(h -> h.createQuery("SELECT id, incident_id, author, text, created FROM "
        + "incident_notes WHERE incident_id = :i ORDER BY id").bind("i", incident).map(IncidentStore::note).list());
  }

  /** Shares an incident (visible in scope) with a partner; false when not visible. */
  public boolean share(Scope scope, long incident, String partner, long nowMicros) {
    IncidentRow r = get(scope, incident);
    if (r == null || scope instanceof Scope.Partner) {
      return false;
    }
    db.jdbi().useHandle(h -> h.createUpdate("INSERT INTO shares (partner_id, incident_id, institution_id, created) "
        + "VALUES (:p, :i, :inst, :c) ON CONFLICT (partner_id, incident_id) DO NOTHING").bind("p", partner)
        .bind("i", incident).bind("inst", r.institution()).bind("c", nowMicros).execute());
    return true;
  }

  /**
   * Incidents (national view) at or above {@code minLevel} changed since {@code sinceUpdated} that
   * have no cursor named {@code prefix + id} yet (the notifications' record of what was sent),
   * oldest first, at most {@code limit}.
   */
  public List<IncidentRow> unnotified(int minLevel, long sinceUpdated, String prefix, int limit) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM incidents WHERE level_rank >= :l AND "
        + "updated >= :since AND NOT EXISTS (SELECT 1 FROM cursors WHERE name = CAST(:p AS VARCHAR(64)) || CAST(incidents.id AS VARCHAR(20))) "
        + "ORDER BY id LIMIT " + limit).bind("l", minLevel).bind("since", sinceUpdated).bind("p", prefix)
        .map(IncidentStore::row).list());
  }

  private static Where where(Scope scope, IncidentQuery q) {
    Where w = Where.scoped(scope, "institution_id", "id")
        .andIf(q.from(), "last_ts >= ?").andIf(q.to(), "first_ts < ?")
        .andIf(q.institution(), "institution_id = ?").andIf(q.host(), "host = ?")
        .andIf(q.status(), "status = ?").andIf(q.minLevel(), "level_rank >= ?").andIf(q.assignee(), "assignee = ?");
    if (q.open() != null) {
      w.and(q.open() ? OPEN : "NOT (" + OPEN + ")");
    }
    return w;
  }

  private static Note note(ResultSet r, StatementContext c) throws SQLException {
    return new Note(r.getLong(1), r.getLong(2), r.getString(3), r.getString(4), r.getLong(5));
  }

  static IncidentRow row(ResultSet r, StatementContext c) throws SQLException {
    return new IncidentRow(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
        r.getInt(6), r.getString(7), r.getString(8), r.getLong(9), r.getLong(10), r.getInt(11),
        Json.strings(r.getString(12)), Json.strings(r.getString(13)), Json.strings(r.getString(14)), r.getLong(15),
        r.getLong(16));
  }
}
