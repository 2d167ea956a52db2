package org.lovcen.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
   * that went on firing after it was first stored, a website attack that goes on): last time,
   * fields, group values and evidence, in the caller's transaction. Never moves the last time
   * backwards; counts the alert's revision up. Returns whether a row changed.
   */
  public boolean complete(Handle h, AlertRow a) {
    return h.createUpdate("UPDATE alerts SET last_ts = :last, fields = :fields, grp = :grp, evidence = :evidence, "
        + "revision = revision + 1 "
        + "WHERE institution_id = :inst AND fingerprint = :fp AND last_ts <= :last")
        .bind("last", a.lastTs()).bind("fields", Json.write(a.fields())).bind("grp", Json.write(a.group()))
        .bind("evidence", Json.write(a.evidence())).bind("inst", a.institution()).bind("fp", a.fingerprint())
        .execute() > 0;
  }

  /**
   * Of the given alerts, the keys ({@code institution + '\0' + fingerprint}) of those already
   * stored, read in the caller's transaction.
   */
  public Set<String> existing(Handle h, List<AlertRow> rows) {
    Map<String, List<String>> byInstitution = new HashMap<>();
    for (AlertRow a : rows) {
      byInstitution.computeIfAbsent(a.institution(), k -> new ArrayList<>()).add(a.fingerprint());
    }
    Set<String> out = new HashSet<>();
    byInstitution.forEach((inst, fps) -> {
      for (int from = 0; from < fps.size(); from += 500) {
        h.createQuery("SELECT fingerprint FROM alerts WHERE institution_id = :i AND fingerprint IN (<fps>)")
            .bind("i", inst).bindList("fps", fps.subList(from, Math.min(fps.size(), from + 500)))
            .mapTo(String.class).forEach(fp -> out.add(inst + '\0' + fp));
      }
    });
    return out;
  }

  /** An alert's JSON columns (tags, fields, group, evidence), encoded ahead of the transaction. */
  public static String[] encode(AlertRow a) {
    return new String[] {Json.write(a.tags()), Json.write(a.fields()), Json.write(a.group()), Json.write(a.evidence())};
  }

  /**
   * Inserts new alerts (with their incidents) in one batch inside the caller's transaction; an
   * alert whose institution and fingerprint exist is skipped. {@code encoded} holds each row's
   * {@link #encode} (null: encoded here). Binds by position on the driver's statement: with an
   * alert for one event in seven, this is on the detection path.
   */
  public void insertAll(Handle h, List<AlertRow> rows, List<String[]> encoded, long nowMicros) {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement st = h.getConnection().prepareStatement("INSERT INTO alerts (institution_id, "
        + "fingerprint, kind, rule_id, rule_title, level, level_rank, author, tags, ts, last_ts, host, channel, "
        + "event_ref, fields, grp, evidence, incident_id, retrospective, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
        + "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (institution_id, fingerprint) DO NOTHING")) {
      for (int i = 0; i < rows.size(); i++) {
        AlertRow a = rows.get(i);
        String[] json = encoded == null ? encode(a) : encoded.get(i);
        st.setString(1, a.institution());
        st.setString(2, a.fingerprint());
        st.setString(3, a.kind());
        st.setString(4, a.ruleId());
        st.setString(5, a.ruleTitle());
        st.setString(6, a.level());
        st.setInt(7, a.levelRank());
        st.setString(8, a.author());
        st.setString(9, json[0]);
        st.setLong(10, a.ts());
        st.setLong(11, a.lastTs());
        st.setString(12, Dialect.text(a.host()));
        st.setString(13, Dialect.text(a.channel()));
        st.setObject(14, a.eventRef(), Types.BIGINT);
        st.setString(15, json[1]);
        st.setString(16, json[2]);
        st.setString(17, json[3]);
        st.setObject(18, a.incident(), Types.BIGINT);
        st.setInt(19, a.retrospective() ? 1 : 0);
        st.setLong(20, nowMicros);
        st.addBatch();
      }
      st.executeBatch();
    } catch (SQLException e) {
      throw new StoreException("cannot store " + rows.size() + " alerts: " + Database.rootMessage(e), e);
    }
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

  /** A count of alerts under a key (a rule, a level, a tag, an institution). */
  public record Count(String key, String label, int levelRank, long count) {}

  /** One institution's alerts per time bucket, and its first and last alert within the filter. */
  public record Series(String institution, long[] counts, long total, long first, long last) {}

  /**
   * Alerts per institution per time bucket: {@code buckets} buckets of {@code width} micros from
   * {@code q.from()} (which must be set), counted in SQL. Institutions without alerts are absent.
   */
  public List<Series> histogram(Scope scope, AlertQuery q, long width, int buckets) {
    if (q.from() == null || width <= 0) {
      throw new IllegalArgumentException("a histogram needs a start time and a positive bucket width");
    }
    Where w = where(scope, q);
    String bucket = "(ts - " + q.from() + ") / " + width;
    Map<String, long[]> counts = new java.util.TreeMap<>();
    Map<String, long[]> span = new HashMap<>();
    db.jdbi().useHandle(h -> w.bind(h.createQuery("SELECT institution_id, " + bucket + ", COUNT(*), MIN(ts), MAX(ts) "
        + "FROM alerts" + w.sql() + " GROUP BY institution_id, " + bucket)).map((r, c) -> {
          long[] row = counts.computeIfAbsent(r.getString(1), k -> new long[buckets]);
          int b = (int) Math.max(0, Math.min(buckets - 1, r.getLong(2)));
          row[b] += r.getLong(3);
          long[] sp = span.computeIfAbsent(r.getString(1), k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
          sp[0] = Math.min(sp[0], r.getLong(4));
          sp[1] = Math.max(sp[1], r.getLong(5));
          return 0;
        }).list());
    List<Series> out = new ArrayList<>();
    counts.forEach((inst, c) -> out.add(new Series(inst, c, java.util.Arrays.stream(c).sum(), span.get(inst)[0],
        span.get(inst)[1])));
    return out;
  }

  /** Alerts per level within scope and filter, most severe first. */
  public List<Count> countByLevel(Scope scope, AlertQuery q) {
    Where w = where(scope, q);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT level, level_rank, COUNT(*) FROM alerts" + w.sql()
        + " GROUP BY level, level_rank ORDER BY level_rank DESC"))
        .map((r, c) -> new Count(r.getString(1), r.getString(1), r.getInt(2), r.getLong(3))).list());
  }

  /** The {@code top} most frequent rules within scope and filter, with title and highest level. */
  public List<Count> topRules(Scope scope, AlertQuery q, int top) {
    Where w = where(scope, q);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT rule_id, MAX(rule_title), MAX(level_rank), COUNT(*) "
        + "FROM alerts" + w.sql() + " GROUP BY rule_id ORDER BY COUNT(*) DESC, rule_id LIMIT " + top))
        .map((r, c) -> new Count(r.getString(1), r.getString(2), r.getInt(3), r.getLong(4))).list());
  }

  /**
   * How many alerts within scope and filter carry each of {@code tags}, most frequent first
   * (absent: none). Counted per distinct tag list in SQL (there are about as many as rules), then
   * per tag here: cheaper than unnesting every alert's tags, and the same on both databases.
   */
  public List<Count> countTags(Scope scope, AlertQuery q, List<String> tags) {
    Where w = where(scope, q);
    Set<String> wanted = new HashSet<>(tags);
    Map<String, Long> counts = new HashMap<>();
    db.jdbi().useHandle(h -> w.bind(h.createQuery("SELECT tags, COUNT(*) FROM alerts" + w.sql() + " GROUP BY tags"))
        .map((r, c) -> {
          long n = r.getLong(2);
          for (String t : new HashSet<>(Json.strings(r.getString(1)))) {
            if (wanted.contains(t)) {
              counts.merge(t, n, Long::sum);
            }
          }
          return n;
        }).list());
    return counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
        .thenComparing(Map.Entry.comparingByKey())).map(e -> new Count(e.getKey(), e.getKey(), 0, e.getValue())).toList();
  }

  /** The newest alert time within scope and filter, or null when there is none. */
  public Long newest(Scope scope, AlertQuery q) {
    Where w = where(scope, q);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT MAX(ts) FROM alerts" + w.sql()))
        .mapTo(Long.class).findOne().orElse(null));
  }

  /**
   * One kind of website attack on a site: how many of its alerts, the distinct sources they name,
   * the rules among them (exploit attempts: the Sigma webserver rules), the earliest first and
   * latest last time, the highest level, and the newest alert.
   */
  public record WebAttack(String kind, String title, int levelRank, long alerts, long sources, int rules, long first,
      long last, long newest) {}

  private static final java.util.regex.Pattern DETECTOR = java.util.regex.Pattern.compile("[a-z_]{1,64}");

  /**
   * The web alerts of an institution's site in scope whose last time is at or after
   * {@code lastFrom}, per kind, earliest first: a rule id in {@code detectors} is a kind of its
   * own, any other rule id is kind {@code exploit}. Sources are the distinct source lists of the
   * kind's alerts (each names one address or network), or, for a kind in {@code counted} (whose
   * alerts give the number of their sources), the largest number one of its alerts gives.
   * Aggregated in SQL over the partial index of web alerts.
   */
  public List<WebAttack> webAttacks(Scope scope, String institution, String site, long lastFrom,
      Set<String> detectors, Set<String> counted) {
    for (String d : detectors) {
      if (!DETECTOR.matcher(d).matches()) {
        throw new IllegalArgumentException("not a detector name: '" + d + "'");
      }
    }
    String kind = detectors.isEmpty() ? "'exploit'" : "CASE WHEN rule_id IN ('" + String.join("', '", detectors)
        + "') THEN rule_id ELSE 'exploit' END";
    Where w = webAlerts(scope, institution, site, lastFrom);
    List<WebAttack> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT k, MAX(rule_title), "
        + "MAX(level_rank), COUNT(*), COUNT(DISTINCT grp), COUNT(DISTINCT rule_id), MIN(ts), MAX(last_ts), MAX(id) "
        + "FROM (SELECT " + kind + " AS k, rule_title, level_rank, grp, rule_id, ts, last_ts, id FROM alerts" + w.sql()
        + ") x GROUP BY k ORDER BY MIN(ts), k")).map((r, c) -> new WebAttack(r.getString(1), r.getString(2),
            r.getInt(3), r.getLong(4), r.getLong(5), r.getInt(6), r.getLong(7), r.getLong(8), r.getLong(9))).list());
    List<WebAttack> out = new ArrayList<>(rows.size());
    for (WebAttack a : rows) {
      out.add(counted.contains(a.kind()) ? withCountedSources(scope, institution, site, lastFrom, a) : a);
    }
    return out;
  }

  /** The kind's sources as its alerts count them: the largest {@code source_count} of its (newest 100) alerts. */
  private WebAttack withCountedSources(Scope scope, String institution, String site, long lastFrom, WebAttack a) {
    Where w = webAlerts(scope, institution, site, lastFrom).and("rule_id = ?", a.kind());
    long most = 0;
    for (String g : db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT grp FROM alerts" + w.sql()
        + " ORDER BY last_ts DESC LIMIT 100")).mapTo(String.class).list())) {
      try {
        most = Math.max(most, Long.parseLong(Json.stringMap(g).getOrDefault("source_count", "0")));
      } catch (NumberFormatException e) {
        // no count: this alert adds nothing
      }
    }
    return new WebAttack(a.kind(), a.title(), a.levelRank(), a.alerts(), most, a.rules(), a.first(), a.last(),
        a.newest());
  }

  /**
   * The web alerts of an institution's site in scope whose last time is at or after
   * {@code lastFrom} (null: all), the latest last time first, at most {@code limit}.
   */
  public List<AlertRow> webAlerts(Scope scope, String institution, String site, Long lastFrom, int limit) {
    Where w = webAlerts(scope, institution, site, lastFrom);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM alerts" + w.sql()
        + " ORDER BY last_ts DESC, id DESC LIMIT " + Math.max(1, limit))).map(AlertStore::row).list());
  }

  /** Web alerts of one institution's site: {@code kind = 'web'} written out, for the partial index. */
  private static Where webAlerts(Scope scope, String institution, String site, Long lastFrom) {
    return Where.scoped(scope, "institution_id", "incident_id").and("kind = 'web'")
        .and("institution_id = ?", institution).and("host = ?", site).andIf(lastFrom, "last_ts >= ?");
  }

  /** Alerts visible in scope among {@code ids}, in the caller's transaction. */
  List<AlertRow> visible(Handle h, Scope scope, List<Long> ids) {
    Where w = Where.scoped(scope, "institution_id", "incident_id");
    return w.bind(h.createQuery("SELECT " + COLUMNS + " FROM alerts" + w.sql() + (w.sql().isEmpty() ? " WHERE" : " AND")
        + " id IN (<ids>)").bindList("ids", ids)).map(AlertStore::row).list();
  }

  /** Every alert of an incident, oldest first, in the caller's transaction (no scope: the caller checked it). */
  List<AlertRow> ofIncident(Handle h, long incident) {
    return h.createQuery("SELECT " + COLUMNS + " FROM alerts WHERE incident_id = :i ORDER BY ts, id")
        .bind("i", incident).map(AlertStore::row).list();
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
