package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * re-detected alerts meet their fingerprint and are not stored twice. An alert joins the open
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
  private final long windowMicros;
  private final int minLevel;

  /**
   * @param windowMicros alerts closer than this join the open incident of their institution and host
   * @param minLevel lowest level rank that opens or joins an incident (lower alerts are stored alone)
   */
  public AlertSink(Database db, long windowMicros, int minLevel) {
    this.db = db;
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
  public synchronized int write(List<AlertRow> rows, long cursor) {
    long now = System.currentTimeMillis() * 1000;
    return db.jdbi().inTransaction(h -> {
      int stored = 0;
      for (AlertRow a : rows) {
        long id = alerts.insert(h, a, now);
        if (id < 0) {
          if (a.kind().equals("correlation")) {
            alerts.complete(h, a); // the episode's early alert, now with its final extent
          }
          continue;
        }
        stored++;
        if (a.levelRank() >= minLevel) {
          alerts.assign(h, id, incident(h, a, now));
        }
      }
      if (cursor >= 0) {
        settings.setCursor(h, CURSOR, cursor);
      }
      return stored;
    });
  }

  private long incident(Handle h, AlertRow a, long now) {
    String host = a.host() == null ? "" : a.host();
    IncidentRow open = incidents.findOpen(h, a.institution(), host, a.ts() - windowMicros);
    if (open == null) {
      IncidentRow fresh = new IncidentRow(0, a.institution(), host, title(a, host), a.level(), a.levelRank(), "new",
          null, a.ts(), a.lastTs(), 1, techniques(a.tags(), List.of()), tactics(a.tags(), List.of()),
          List.of(a.ruleId()), now, now);
      return incidents.create(h, fresh);
    }
    boolean higher = a.levelRank() > open.levelRank();
    IncidentRow merged = new IncidentRow(open.id(), open.institution(), open.host(),
        higher ? title(a, host) : open.title(), higher ? a.level() : open.level(),
        Math.max(a.levelRank(), open.levelRank()), open.status(), open.assignee(), Math.min(open.firstTs(), a.ts()),
        Math.max(open.lastTs(), a.lastTs()), open.alertCount() + 1, techniques(a.tags(), open.techniques()),
        tactics(a.tags(), open.tactics()), union(open.rules(), List.of(a.ruleId())), open.created(), now);
    incidents.updateAggregates(h, merged);
    return open.id();
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
