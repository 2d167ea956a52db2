package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.Database;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Settings;

/*
 * How and why: alerts, their incidents and the detection cursor are written in one transaction,
 * so after a crash detection resumes exactly after the last event whose alerts are stored;
 * re-detected alerts meet their fingerprint and are not stored twice. Per batch: one query finds
 * the alerts already stored, one per institution the open incidents of its hosts, and the new
 * alerts go in with their incidents in one batched insert, in batch order. An alert joins the open
 * incident of its institution and host whose last alert is within the window before it; else it
 * opens a new one. The incident keeps the highest level and the union of ATT&CK techniques and
 * tactics (from the rules' attack.* tags) and of rule ids.
 */
/** Stores alerts and groups them into incidents. Thread-safe (writes are serialised). */
public final class AlertSink {
  /** The detection cursor's name in the cursors table. */
  public static final String CURSOR = "detection";
  private static final Pattern TECHNIQUE = Pattern.compile("attack\\.t\\d{4}(\\.\\d{3})?");
  private static final Pattern OTHER_ID = Pattern.compile("attack\\.[gs]\\d{4}");
  private static final int MAX_LIST = 200;

  private final Database db;
  private final AlertStore alerts;
  private final IncidentStore incidents;
  private final Settings settings;
  private final org.lovcen.store.DecisionStore decisions;
  private final org.lovcen.store.SiteStats siteStats;
  private final java.util.function.LongSupplier clock;
  private final long windowMicros;
  private final int minLevel;

  /**
   * @param windowMicros alerts closer than this join the open incident of their institution and host
   * @param minLevel lowest level rank that opens or joins an incident (lower alerts are stored alone)
   */
  public AlertSink(Database db, long windowMicros, int minLevel) {
    this(db, windowMicros, minLevel, () -> System.currentTimeMillis() * 1000);
  }

  /** @param clock the server's clock (micros), for decisions' times */
  public AlertSink(Database db, long windowMicros, int minLevel, java.util.function.LongSupplier clock) {
    this.db = db;
    this.decisions = new org.lovcen.store.DecisionStore(db);
    this.siteStats = new org.lovcen.store.SiteStats(db);
    this.clock = clock;
    this.alerts = new AlertStore(db);
    this.incidents = new IncidentStore(db);
    this.settings = new Settings(db);
    this.windowMicros = windowMicros;
    this.minLevel = minLevel;
  }

  /**
   * Stores new alerts (duplicates skipped) with their incidents and moves the cursor (unless
   * {@code cursor} is negative); returns alerts stored. Synchronized: the detection thread and the
   * retro-hunt share one sink, and two writers must not both open an incident for the same host.
   */
  public int write(List<AlertRow> rows, long cursor) {
    return write(rows, WebChanges.NONE, cursor);
  }

  /**
   * The same, with what web detection changed in the batch (detector decisions, site minutes),
   * written after the alerts (so that decisions find their alert) in the same transaction.
   */
  public synchronized int write(List<AlertRow> rows, WebChanges web, long cursor) {
    long now = System.currentTimeMillis() * 1000;
    Map<AlertRow, String[]> encoded = new IdentityHashMap<>(); // outside the transaction: SQLite has one writer
    for (AlertRow a : rows) {
      encoded.computeIfAbsent(a, AlertStore::encode);
    }
    // Unsynced: if a power failure loses this commit, it loses the cursor with it, and the events
    // (committed with a sync before their requests were answered) are detected again.
    return db.inUnsyncedTransaction(h -> {
      Set<String> seen = alerts.existing(h, rows);
      Map<String, Map<String, List<AlertRow>>> byHost = new LinkedHashMap<>();
      List<AlertRow> alone = new ArrayList<>();
      List<AlertRow> later = new ArrayList<>();
      int stored = 0;
      for (AlertRow a : rows) {
        if (!seen.add(a.institution() + '\0' + a.fingerprint())) {
          if (a.kind().equals("correlation") || a.kind().equals("web")) {
            later.add(a); // an episode's or attack's early alert, widened to its later extent
          }
          continue;
        }
        stored++;
        if (a.levelRank() >= minLevel) {
          byHost.computeIfAbsent(a.institution(), k -> new LinkedHashMap<>())
              .computeIfAbsent(host(a), k -> new ArrayList<>()).add(a);
        } else {
          alone.add(a);
        }
      }
      Map<AlertRow, Long> incidentOf = new IdentityHashMap<>();
      List<IncidentRow> updated = new ArrayList<>();
      for (Map<String, List<AlertRow>> hosts : byHost.values()) {
        long since = Long.MAX_VALUE;
        for (List<AlertRow> group : hosts.values()) {
          for (AlertRow a : group) {
            since = Math.min(since, a.ts() - windowMicros);
          }
        }
        String institution = hosts.values().iterator().next().get(0).institution();
        Map<String, IncidentRow> open = incidents.findOpen(h, institution, hosts.keySet(), since);
        hosts.forEach((host, group) -> group(h, group, open.get(host), now, incidentOf, updated));
      }
      incidents.updateAggregates(h, updated);
      Set<AlertRow> lone = Collections.newSetFromMap(new IdentityHashMap<>());
      lone.addAll(alone);
      List<AlertRow> fresh = new ArrayList<>(stored);
      List<String[]> json = new ArrayList<>(stored);
      for (AlertRow a : rows) {
        Long incident = incidentOf.remove(a); // once: a batch may hold the same alert twice
        if (incident != null) {
          fresh.add(a.withIncident(incident));
          json.add(encoded.get(a));
        } else if (lone.remove(a)) {
          fresh.add(a);
          json.add(encoded.get(a));
        }
      }
      alerts.insertAll(h, fresh, json, now);
      for (AlertRow a : later) {
        alerts.complete(h, a);
      }
      if (!web.minutes().isEmpty()) {
        siteStats.add(h, web.minutes());
      }
      if (!web.decisions().isEmpty()) {
        decisions.applyDetected(h, web.decisions(), clock.getAsLong());
      }
      if (cursor >= 0) {
        settings.setCursor(h, CURSOR, cursor);
      }
      return stored;
    });
  }

  /*
   * The alerts of one institution and host, in batch order, each as if stored alone: it joins the
   * open incident with the latest last alert if that is within the window before it, else opens
   * a new one. The incident an alert joins or opens is then the latest, so the store's latest
   * open incident (looked up for all hosts of the batch at once) is needed for the first alert
   * only; incidents are written once per batch, not per alert.
   */
  private void group(Handle h, List<AlertRow> group, IncidentRow latest, long now, Map<AlertRow, Long> incidentOf,
      List<IncidentRow> updated) {
    IncidentRow current = null;
    int from = 0;
    for (int i = 0; i < group.size(); i++) {
      AlertRow a = group.get(i);
      if (current != null && current.lastTs() >= a.ts() - windowMicros) {
        current = merge(current, a, now);
        continue;
      }
      if (current != null) {
        save(h, current, group.subList(from, i), incidentOf, updated);
      } else if (latest != null && latest.lastTs() >= a.ts() - windowMicros) {
        current = merge(latest, a, now);
        continue;
      }
      from = i;
      current = fresh(a, now);
    }
    if (current != null) {
      save(h, current, group.subList(from, group.size()), incidentOf, updated);
    }
  }

  /** Creates the incident when new (id 0), else queues its update; puts its alerts in it. */
  private void save(Handle h, IncidentRow incident, List<AlertRow> members, Map<AlertRow, Long> incidentOf,
      List<IncidentRow> updated) {
    long id = incident.id();
    if (id == 0) {
      id = incidents.create(h, incident);
    } else {
      updated.add(incident);
    }
    for (AlertRow a : members) {
      incidentOf.put(a, id);
    }
  }

  private static String host(AlertRow a) {
    return a.host() == null ? "" : a.host();
  }

  private static IncidentRow fresh(AlertRow a, long now) {
    String host = host(a);
    return new IncidentRow(0, a.institution(), host, title(a, host), a.level(), a.levelRank(), "new", null, a.ts(),
        a.lastTs(), 1, techniques(a.tags(), List.of()), tactics(a.tags(), List.of()), List.of(a.ruleId()), now, now);
  }

  private static IncidentRow merge(IncidentRow open, AlertRow a, long now) {
    boolean higher = a.levelRank() > open.levelRank();
    return new IncidentRow(open.id(), open.institution(), open.host(), higher ? title(a, open.host()) : open.title(),
        higher ? a.level() : open.level(), Math.max(a.levelRank(), open.levelRank()), open.status(), open.assignee(),
        Math.min(open.firstTs(), a.ts()), Math.max(open.lastTs(), a.lastTs()), open.alertCount() + 1,
        techniques(a.tags(), open.techniques()), tactics(a.tags(), open.tactics()),
        union(open.rules(), List.of(a.ruleId())), open.created(), now);
  }

  /**
   * An incident's aggregates recomputed from its alerts (oldest first): level and title of the
   * most severe, times, count, techniques, tactics and rules. Status, assignee and creation stay.
   * Without alerts, only the count changes (to zero).
   */
  public static IncidentRow aggregate(IncidentRow r, List<AlertRow> alerts, long now) {
    if (alerts.isEmpty()) {
      return new IncidentRow(r.id(), r.institution(), r.host(), r.title(), r.level(), r.levelRank(), r.status(),
          r.assignee(), r.firstTs(), r.lastTs(), 0, r.techniques(), r.tactics(), r.rules(), r.created(), now);
    }
    IncidentRow acc = null;
    for (AlertRow a : alerts) {
      acc = acc == null ? fresh(a, now) : merge(acc, a, now);
    }
    return new IncidentRow(r.id(), r.institution(), r.host(), acc.title(), acc.level(), acc.levelRank(), r.status(),
        r.assignee(), acc.firstTs(), acc.lastTs(), acc.alertCount(), acc.techniques(), acc.tactics(), acc.rules(),
        r.created(), now);
  }

  private static String title(AlertRow a, String host) {
    String t = a.ruleTitle() + (host.isEmpty() ? "" : " on " + host);
    return t.length() > 1000 ? t.substring(0, 1000) : t;
  }

  /** ATT&CK technique ids in upper case ({@code T1003.001}) from tags, added to {@code known}. */
  static List<String> techniques(List<String> tags, List<String> known) {
    List<String> found = new ArrayList<>();
    for (String t : tags) {
      String l = t.toLowerCase(Locale.ROOT);
      if (TECHNIQUE.matcher(l).matches()) {
        found.add(l.substring(7).toUpperCase(Locale.ROOT));
      }
    }
    return union(known, found);
  }

  /** ATT&CK tactic names ({@code credential-access}) from tags, added to {@code known}. */
  static List<String> tactics(List<String> tags, List<String> known) {
    List<String> found = new ArrayList<>();
    for (String t : tags) {
      String l = t.toLowerCase(Locale.ROOT).replace('_', '-');
      if (l.startsWith("attack.") && !TECHNIQUE.matcher(l).matches() && !OTHER_ID.matcher(l).matches()) {
        found.add(l.substring(7));
      }
    }
    return union(known, found);
  }

  private static List<String> union(List<String> a, List<String> b) {
    TreeSet<String> s = new TreeSet<>(a);
    s.addAll(b);
    return new ArrayList<>(s).subList(0, Math.min(s.size(), MAX_LIST));
  }
}
