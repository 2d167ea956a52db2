package org.lovcen.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/*
 * How and why: a campaign spans institutions, so its rows are of two kinds. The campaign row
 * (times, counts, patient zero) is the national view; campaign_hosts rows carry an institution
 * and are what an institution may see of it. Reads therefore scope on campaign_hosts: an
 * institution sees a campaign only when one of its hosts is in it, and then only its own hosts
 * and the links that touch them (the other end of such a link is hidden by the API). Partners see
 * no campaign. The linker replaces a campaign's links on each run and adds to its hosts.
 */
/** Campaigns, their hosts and links. Thread-safe. */
public final class CampaignStore {
  private static final String COLUMNS = "id, title, status, level, level_rank, first_ts, last_ts, zero_institution, "
      + "zero_host, zero_ts, institutions, hosts, score, techniques, created, updated";
  /** Campaign statuses. */
  public static final List<String> STATUSES = List.of("active", "closed");

  private final Database db;

  public CampaignStore(Database db) {
    this.db = db;
  }

  /** A campaign. */
  public record Campaign(long id, String title, String status, String level, int levelRank, long firstTs, long lastTs,
      String zeroInstitution, String zeroHost, long zeroTs, int institutions, int hosts, double score,
      List<String> techniques, long created, long updated) {}

  /** A host of a campaign. */
  public record Host(String institution, String host, long firstTs, long lastTs, int alerts, List<String> techniques,
      List<String> rules) {}

  /** Two linked hosts and the evidence they share ({@code [{kind, value, weight, hosts, institutions}]}). */
  public record Link(long id, String institutionA, String hostA, String institutionB, String hostB, double score,
      Object evidence) {}

  /**
   * An alert with its event's fields (JSON text, or null), as the linker reads it, and its
   * revision (counted up each time a later state of its detection completes it).
   */
  public record Sighting(AlertRow alert, String eventFields, long revision) {
    public Sighting(AlertRow alert, String eventFields) {
      this(alert, eventFields, 0);
    }
  }

  /** Receives an alert's id and revision. */
  @FunctionalInterface
  public interface KeyConsumer {
    void accept(long id, long revision);
  }

  private static final String SIGHTING_COLUMNS = "a.id, a.institution_id, a.fingerprint, a.kind, a.rule_id, "
      + "a.rule_title, a.level, a.level_rank, a.author, a.tags, a.ts, a.last_ts, a.host, a.channel, a.event_ref, "
      + "a.fields, a.grp, a.evidence, a.incident_id, a.retrospective, a.created, e.fields, a.revision";

  /**
   * Alerts (national scope: the linker's view) with event time from {@code fromTs}, at or above
   * {@code minLevel}, with the fields of their stored event; at most {@code limit}, newest first.
   * The whole window in one read: the reference the linker's reads ({@link #sightingKeys},
   * {@link #sightingsById}) are tested against.
   */
  public List<Sighting> sightings(long fromTs, int minLevel, int limit) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT " + SIGHTING_COLUMNS + " FROM alerts a LEFT JOIN "
        + "events e ON e.id = a.event_ref WHERE a.ts >= :from AND a.level_rank >= :min ORDER BY a.ts DESC, a.id DESC "
        + "LIMIT " + limit).bind("from", fromTs).bind("min", minLevel).map(CampaignStore::sighting).list());
  }

  /**
   * The id and revision of each alert {@link #sightings} would read (the same alerts, in the same
   * order), without their contents: what the linker checks against the alerts it holds.
   */
  public void sightingKeys(long fromTs, int minLevel, int limit, KeyConsumer out) {
    db.jdbi().useHandle(h -> h.createQuery("SELECT a.id, a.revision FROM alerts a WHERE a.ts >= :from AND "
        + "a.level_rank >= :min ORDER BY a.ts DESC, a.id DESC LIMIT " + limit).bind("from", fromTs)
        .bind("min", minLevel).reduceResultSet(out, (o, r, c) -> {
          o.accept(r.getLong(1), r.getLong(2));
          return o;
        }));
  }

  /**
   * The alerts of the given ids (those that exist), with the fields of their stored event, in no
   * order, each handed to {@code out} as its batch of 500 is read: a caller that keeps less than
   * the whole row (the linker) never holds the event JSON of more than one batch.
   */
  public void sightingsById(List<Long> ids, java.util.function.Consumer<Sighting> out) {
    db.jdbi().useHandle(h -> {
      for (int from = 0; from < ids.size(); from += 500) {
        h.createQuery("SELECT " + SIGHTING_COLUMNS + " FROM alerts a LEFT JOIN events e ON e.id = a.event_ref "
            + "WHERE a.id IN (<ids>)").bindList("ids", ids.subList(from, Math.min(ids.size(), from + 500)))
            .map(CampaignStore::sighting).list().forEach(out);
      }
    });
  }

  private static Sighting sighting(ResultSet r, StatementContext c) throws SQLException {
    return new Sighting(AlertStore.row(r, c), r.getString(22), r.getLong(23));
  }

  /**
   * How many hosts (of all institutions) sent events with event time from {@code fromTs}: the
   * linker's population. A loose scan of the index on (institution, host, time): one seek for each
   * institution and host, instead of reading every event of the window.
   */
  public long activeHosts(long fromTs) {
    return db.jdbi().withHandle(h -> {
      long n = 0;
      String inst = h.createQuery("SELECT institution_id FROM events ORDER BY institution_id LIMIT 1")
          .mapTo(String.class).findOne().orElse(null);
      while (inst != null) {
        if (h.createQuery("SELECT 1 FROM events WHERE institution_id = :i AND host IS NULL AND ts >= :from LIMIT 1")
            .bind("i", inst).bind("from", fromTs).mapTo(Integer.class).findOne().isPresent()) {
          n++;
        }
        String host = h.createQuery("SELECT host FROM events WHERE institution_id = :i AND host IS NOT NULL "
            + "ORDER BY host LIMIT 1").bind("i", inst).mapTo(String.class).findOne().orElse(null);
        while (host != null) {
          if (h.createQuery("SELECT 1 FROM events WHERE institution_id = :i AND host = :h AND ts >= :from LIMIT 1")
              .bind("i", inst).bind("h", host).bind("from", fromTs).mapTo(Integer.class).findOne().isPresent()) {
            n++;
          }
          host = h.createQuery("SELECT host FROM events WHERE institution_id = :i AND host > :h ORDER BY host LIMIT 1")
              .bind("i", inst).bind("h", host).mapTo(String.class).findOne().orElse(null);
        }
        inst = h.createQuery("SELECT institution_id FROM events WHERE institution_id > :i ORDER BY institution_id "
            + "LIMIT 1").bind("i", inst).mapTo(String.class).findOne().orElse(null);
      }
      return n;
    });
  }

  /** The event time of the newest alert, or null when there is none. */
  public Long newestAlertTs() {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT MAX(ts) FROM alerts").mapTo(Long.class).findOne()
        .orElse(null));
  }

  /** Ids of the campaigns (not merged) that hold any of the hosts, per institution, in the caller's handle. */
  public List<Long> holding(Handle h, Map<String, List<String>> hostsByInstitution) {
    java.util.TreeSet<Long> out = new java.util.TreeSet<>();
    hostsByInstitution.forEach((inst, hosts) -> {
      for (int from = 0; from < hosts.size(); from += 300) {
        h.createQuery("SELECT DISTINCT campaign_id FROM campaign_hosts WHERE institution_id = :i AND host IN (<hosts>)")
            .bind("i", inst).bindList("hosts", hosts.subList(from, Math.min(hosts.size(), from + 300)))
            .mapTo(Long.class).forEach(out::add);
      }
    });
    return new ArrayList<>(out);
  }

  /** Inserts a campaign in the caller's transaction; returns its id. */
  public long create(Handle h, Campaign c) {
    return h.createQuery("INSERT INTO campaigns (title, status, level, level_rank, first_ts, last_ts, zero_institution, "
        + "zero_host, zero_ts, institutions, hosts, score, techniques, created, updated) VALUES (:t, :s, :l, :lr, :f, "
        + ":last, :zi, :zh, :zt, :ni, :nh, :score, :tech, :c, :u) RETURNING id").bind("t", c.title())
        .bind("s", c.status()).bind("l", c.level()).bind("lr", c.levelRank()).bind("f", c.firstTs())
        .bind("last", c.lastTs()).bind("zi", c.zeroInstitution()).bind("zh", Dialect.text(c.zeroHost()))
        .bind("zt", c.zeroTs()).bind("ni", c.institutions()).bind("nh", c.hosts()).bind("score", c.score())
        .bind("tech", Json.write(c.techniques())).bind("c", c.created()).bind("u", c.updated()).mapTo(Long.class)
        .one();
  }

  /** Writes a campaign's aggregates (not its status) in the caller's transaction. */
  public void update(Handle h, Campaign c) {
    h.createUpdate("UPDATE campaigns SET title = :t, level = :l, level_rank = :lr, first_ts = :f, last_ts = :last, "
        + "zero_institution = :zi, zero_host = :zh, zero_ts = :zt, institutions = :ni, hosts = :nh, score = :score, "
        + "techniques = :tech, updated = :u WHERE id = :id").bind("t", c.title()).bind("l", c.level())
        .bind("lr", c.levelRank()).bind("f", c.firstTs()).bind("last", c.lastTs()).bind("zi", c.zeroInstitution())
        .bind("zh", Dialect.text(c.zeroHost())).bind("zt", c.zeroTs()).bind("ni", c.institutions())
        .bind("nh", c.hosts()).bind("score", c.score()).bind("tech", Json.write(c.techniques()))
        .bind("u", c.updated()).bind("id", c.id()).execute();
  }

  /** Moves the hosts of campaign {@code from} into {@code into} and marks {@code from} merged (caller's transaction). */
  public void absorb(Handle h, long into, long from, long now) {
    for (Host x : hosts(h, from)) {
      upsertHost(h, into, x);
    }
    h.createUpdate("DELETE FROM campaign_hosts WHERE campaign_id = :c").bind("c", from).execute();
    h.createUpdate("DELETE FROM campaign_links WHERE campaign_id = :c").bind("c", from).execute();
    h.createUpdate("UPDATE campaigns SET status = 'merged', hosts = 0, institutions = 0, updated = :u WHERE id = :c")
        .bind("u", now).bind("c", from).execute();
  }

  /** Adds a host or widens the stored one (times, count, techniques, rules) in the caller's transaction. */
  public void upsertHost(Handle h, long campaign, Host x) {
    Host old = h.createQuery("SELECT institution_id, host, first_ts, last_ts, alert_count, techniques, rules FROM "
        + "campaign_hosts WHERE campaign_id = :c AND institution_id = :i AND host = :h").bind("c", campaign)
        .bind("i", x.institution()).bind("h", Dialect.text(x.host())).map(CampaignStore::host).findOne().orElse(null);
    if (old == null) {
      h.createUpdate("INSERT INTO campaign_hosts (campaign_id, institution_id, host, first_ts, last_ts, alert_count, "
          + "techniques, rules) VALUES (:c, :i, :h, :f, :l, :n, :t, :r)").bind("c", campaign).bind("i", x.institution())
          .bind("h", Dialect.text(x.host())).bind("f", x.firstTs()).bind("l", x.lastTs()).bind("n", x.alerts())
          .bind("t", Json.write(x.techniques())).bind("r", Json.write(x.rules())).execute();
      return;
    }
    java.util.TreeSet<String> t = new java.util.TreeSet<>(old.techniques());
    t.addAll(x.techniques());
    java.util.TreeSet<String> r = new java.util.TreeSet<>(old.rules());
    r.addAll(x.rules());
    h.createUpdate("UPDATE campaign_hosts SET first_ts = :f, last_ts = :l, alert_count = :n, techniques = :t, "
        + "rules = :r WHERE campaign_id = :c AND institution_id = :i AND host = :h")
        .bind("f", Math.min(old.firstTs(), x.firstTs())).bind("l", Math.max(old.lastTs(), x.lastTs()))
        .bind("n", Math.max(old.alerts(), x.alerts())).bind("t", Json.write(new ArrayList<>(t)))
        .bind("r", Json.write(new ArrayList<>(r))).bind("c", campaign).bind("i", x.institution())
        .bind("h", Dialect.text(x.host())).execute();
  }

  /** Replaces a campaign's links in the caller's transaction. */
  public void replaceLinks(Handle h, long campaign, List<Link> links) {
    h.createUpdate("DELETE FROM campaign_links WHERE campaign_id = :c").bind("c", campaign).execute();
    var b = h.prepareBatch("INSERT INTO campaign_links (campaign_id, institution_a, host_a, institution_b, host_b, "
        + "score, evidence) VALUES (:c, :ia, :ha, :ib, :hb, :s, :e)");
    for (Link l : links) {
      b.bind("c", campaign).bind("ia", l.institutionA()).bind("ha", Dialect.text(l.hostA()))
          .bind("ib", l.institutionB()).bind("hb", Dialect.text(l.hostB())).bind("s", l.score())
          .bind("e", Json.write(l.evidence())).add();
    }
    if (!links.isEmpty()) {
      b.execute();
    }
  }

  /** Every host of a campaign (national view), earliest first, in the caller's handle. */
  public List<Host> hosts(Handle h, long campaign) {
    return h.createQuery("SELECT institution_id, host, first_ts, last_ts, alert_count, techniques, rules FROM "
        + "campaign_hosts WHERE campaign_id = :c ORDER BY first_ts, institution_id, host").bind("c", campaign)
        .map(CampaignStore::host).list();
  }

  /** Sets a campaign's status; false when not visible in scope (only the national CERT changes campaigns). */
  public boolean setStatus(Scope scope, long id, String status, long now) {
    if (!STATUSES.contains(status)) {
      throw new IllegalArgumentException("unknown status '" + status + "' (" + String.join(", ", STATUSES) + ")");
    }
    if (!(scope instanceof Scope.National) || get(scope, id) == null) {
      return false;
    }
    db.jdbi().useHandle(h -> h.createUpdate("UPDATE campaigns SET status = :s, updated = :u WHERE id = :id")
        .bind("s", status).bind("u", now).bind("id", id).execute());
    return true;
  }

  // ---- scoped reads ----

  private static Where scoped(Scope scope) {
    Where w = new Where();
    switch (scope) {
      case Scope.National n -> { }
      case Scope.OfInstitution o -> w.and("id IN (SELECT campaign_id FROM campaign_hosts WHERE institution_id = ?)",
          o.institution());
      case Scope.Partner p -> w.and("1 = 0");
    }
    return w.and("status <> 'merged'");
  }

  /** A campaign visible in scope, or null. */
  public Campaign get(Scope scope, long id) {
    Where w = scoped(scope).and("id = ?", id);
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM campaigns" + w.sql()))
        .map(CampaignStore::campaign).findOne().orElse(null));
  }

  /** Campaigns visible in scope, most recently active first; {@code institution} narrows to those holding its hosts. */
  public Page<Campaign> list(Scope scope, String institution, String status, Long from, Long to, int limit,
      String cursor) {
    Where w = scoped(scope).andIf(status, "status = ?").andIf(from, "last_ts >= ?").andIf(to, "first_ts < ?")
        .andIf(institution, "id IN (SELECT campaign_id FROM campaign_hosts WHERE institution_id = ?)");
    long total = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT COUNT(*) FROM campaigns" + w.sql()))
        .mapTo(Long.class).one());
    Cursor.after(w, cursor, "last_ts", "id");
    List<Campaign> rows = db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT " + COLUMNS + " FROM campaigns"
        + w.sql() + " ORDER BY last_ts DESC, id DESC LIMIT " + (limit + 1))).map(CampaignStore::campaign).list());
    return Pages.of(rows, limit, total, c -> new Cursor(c.lastTs(), c.id()));
  }

  /** The hosts of a campaign visible in scope: all for the national CERT, an institution's own otherwise. */
  public List<Host> hosts(Scope scope, long campaign) {
    if (get(scope, campaign) == null) {
      return null;
    }
    Where w = new Where().and("campaign_id = ?", campaign);
    if (scope instanceof Scope.OfInstitution o) {
      w.and("institution_id = ?", o.institution());
    }
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT institution_id, host, first_ts, last_ts, "
        + "alert_count, techniques, rules FROM campaign_hosts" + w.sql() + " ORDER BY first_ts, institution_id, host"))
        .map(CampaignStore::host).list());
  }

  /**
   * The institutions of each campaign among {@code ids} that the scope may name, sorted: every one
   * for the national CERT, its own for an institution, none for a partner.
   */
  public Map<Long, List<String>> institutionsOf(Scope scope, List<Long> ids) {
    Map<Long, List<String>> out = new java.util.HashMap<>();
    if (ids.isEmpty() || scope instanceof Scope.Partner) {
      return out;
    }
    Where w = new Where();
    if (scope instanceof Scope.OfInstitution o) {
      w.and("institution_id = ?", o.institution());
    }
    w.and("campaign_id IN (" + String.join(", ", java.util.Collections.nCopies(ids.size(), "?")) + ")",
        ids.toArray());
    db.jdbi().useHandle(h -> w.bind(h.createQuery("SELECT DISTINCT campaign_id, institution_id FROM campaign_hosts"
        + w.sql() + " ORDER BY campaign_id, institution_id")).map((r, c) -> Map.entry(r.getLong(1), r.getString(2)))
        .forEach(e -> out.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue())));
    return out;
  }

  /**
   * The incident of each host of a campaign visible in scope (keys {@code institution + '\0' + host};
   * hosts without one are absent): the newest incident of the host, holding alerts, whose time
   * overlaps the host's time in the campaign. One query over the campaign's hosts, however many
   * alerts the campaign has; null when the campaign is not visible.
   */
  public Map<String, Long> incidentsOfHosts(Scope scope, long campaign) {
    if (get(scope, campaign) == null) {
      return null;
    }
    Where w = new Where().and("x.campaign_id = ?", campaign).and("i.alert_count > 0");
    if (scope instanceof Scope.OfInstitution o) {
      w.and("x.institution_id = ?", o.institution());
    }
    Map<String, Long> out = new java.util.HashMap<>();
    db.jdbi().useHandle(h -> w.bind(h.createQuery("SELECT x.institution_id, x.host, MAX(i.id) FROM campaign_hosts x "
        + "JOIN incidents i ON i.institution_id = x.institution_id AND i.host = x.host AND i.first_ts <= x.last_ts "
        + "AND i.last_ts >= x.first_ts" + w.sql() + " GROUP BY x.institution_id, x.host"))
        .map((r, c) -> Map.entry(r.getString(1) + '\0' + r.getString(2), r.getLong(3)))
        .forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }

  /** The links of a campaign visible in scope: all nationally, those touching the institution's hosts otherwise. */
  public List<Link> links(Scope scope, long campaign) {
    if (get(scope, campaign) == null) {
      return null;
    }
    Where w = new Where().and("campaign_id = ?", campaign);
    if (scope instanceof Scope.OfInstitution o) {
      w.and("(institution_a = ? OR institution_b = ?)", o.institution(), o.institution());
    }
    return db.jdbi().withHandle(h -> w.bind(h.createQuery("SELECT id, institution_a, host_a, institution_b, host_b, "
        + "score, evidence FROM campaign_links" + w.sql() + " ORDER BY score DESC, id")).map((r, c) -> new Link(
            r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5), r.getDouble(6),
            Json.any(r.getString(7)))).list());
  }

  /** The campaigns (national view) that hold the host of an institution. */
  public List<Long> campaignsOfHost(String institution, String host) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT c.id FROM campaigns c JOIN campaign_hosts x ON "
        + "x.campaign_id = c.id WHERE x.institution_id = :i AND x.host = :h AND c.status <> 'merged' ORDER BY c.id")
        .bind("i", institution).bind("h", Dialect.text(host)).mapTo(Long.class).list());
  }

  static Campaign campaign(ResultSet r, StatementContext c) throws SQLException {
    return new Campaign(r.getLong(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5), r.getLong(6),
        r.getLong(7), r.getString(8), r.getString(9), r.getLong(10), r.getInt(11), r.getInt(12), r.getDouble(13),
        Json.strings(r.getString(14)), r.getLong(15), r.getLong(16));
  }

  static Host host(ResultSet r, StatementContext c) throws SQLException {
    return new Host(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getInt(5),
        Json.strings(r.getString(6)), Json.strings(r.getString(7)));
  }
}
