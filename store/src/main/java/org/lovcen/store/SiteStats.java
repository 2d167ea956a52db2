package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Per-minute request counts of each institution's sites (log time), for the analysts' charts.
 * Counts of a minute written in several batches add up; the distinct-source sketches merge.
 * Thread-safe.
 */
public final class SiteStats {
  private static final String COLUMNS = "institution_id, site, minute, requests, status_4xx, status_5xx, bytes, "
      + "sketch";
  private final Database db;

  /** A site of an institution with its newest minute. */
  public record Site(String institution, String site, long lastMinute) {}

  public SiteStats(Database db) {
    this.db = db;
  }

  /** Adds minutes' counts in the caller's transaction. */
  public void add(Handle h, Collection<SiteMinute> deltas) {
    for (SiteMinute d : deltas) {
      SiteMinute old = h.createQuery("SELECT " + COLUMNS + " FROM site_minutes WHERE institution_id = :i AND "
          + "site = :s AND minute = :m").bind("i", d.institution()).bind("s", Dialect.text(d.site()))
          .bind("m", d.minute()).map(SiteStats::row).findOne().orElse(null);
      SiteMinute n = old == null ? d : old.plus(d);
      String sql = old == null
          ? "INSERT INTO site_minutes (institution_id, site, minute, requests, status_4xx, status_5xx, bytes, sources, "
              + "sketch) VALUES (:i, :s, :m, :r, :e4, :e5, :b, :src, :sk)"
          : "UPDATE site_minutes SET requests = :r, status_4xx = :e4, status_5xx = :e5, bytes = :b, sources = :src, "
              + "sketch = :sk WHERE institution_id = :i AND site = :s AND minute = :m";
      h.createUpdate(sql).bind("i", n.institution()).bind("s", Dialect.text(n.site())).bind("m", n.minute())
          .bind("r", n.requests()).bind("e4", n.status4xx()).bind("e5", n.status5xx()).bind("b", n.bytes())
          .bind("src", n.sources().estimate()).bind("sk", n.sources().text()).execute();
    }
  }

  /** The sites in scope (of one institution when given), with their newest minute. */
  public List<Site> sites(Scope scope, String institution) {
    Where w = Where.scoped(scope, "institution_id", null).andIf(institution, "institution_id = ?");
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT institution_id, site, MAX(minute) FROM site_minutes"
        + w.sql() + " GROUP BY institution_id, site ORDER BY institution_id, site"))
        .map((r, c) -> new Site(r.getString(1), r.getString(2), r.getLong(3))).list());
  }

  /**
   * The minutes of a site in scope from {@code from} (inclusive) to {@code to} (exclusive), oldest
   * first, of one institution when given, else of every institution in scope with a site so named.
   */
  public List<SiteMinute> minutes(Scope scope, String institution, String site, long from, long to) {
    Where w = Where.scoped(scope, "institution_id", null).andIf(institution, "institution_id = ?")
        .and("site = ?", site).and("minute >= ? AND minute < ?", from, to);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM site_minutes" + w.sql()
        + " ORDER BY minute, institution_id")).map(SiteStats::row).list());
  }

  static SiteMinute row(ResultSet r, StatementContext c) throws SQLException {
    return new SiteMinute(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6),
        r.getLong(7), SourceSketch.parse(r.getString(8)));
  }

}
