package org.lovcen.server.response;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lovcen.analysis.Evidence;
import org.lovcen.core.Timestamps;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.CaseStore;
import org.lovcen.store.Database;
import org.lovcen.store.Directory;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Scope;

/*
 * How and why: a report is assembled from the same scoped reads as the API answers, so an
 * institution's analyst gets the report of its own part of a campaign (its hosts, its timeline,
 * the evidence of links that touch it), and the national CERT the whole. Timelines hold at most
 * 400 alerts per host and 2000 in all, oldest first; the actions are the tasks done (with what
 * their actions did) and the open tasks of the cases about the incident or campaign.
 */
/** Builds incident and campaign reports. Thread-safe. */
public final class Reports {
  private static final int PER_HOST = 400;
  private static final int TIMELINE = 2000;

  private final CampaignStore campaigns;
  private final IncidentStore incidents;
  private final AlertStore alerts;
  private final CaseStore cases;
  private final Directory directory;
  private final CaseSubject subject;

  public Reports(Database db) {
    this.campaigns = new CampaignStore(db);
    this.incidents = new IncidentStore(db);
    this.alerts = new AlertStore(db);
    this.cases = new CaseStore(db);
    this.directory = new Directory(db);
    this.subject = new CaseSubject(db);
  }

  /** The report of a campaign visible in scope, or null. */
  public Report campaign(Scope scope, long id) {
    CampaignStore.Campaign c = campaigns.get(scope, id);
    if (c == null) {
      return null;
    }
    List<CampaignStore.Host> hosts = campaigns.hosts(scope, id);
    Map<String, long[]> perInstitution = new TreeMap<>();
    List<List<String>> hostRows = new ArrayList<>();
    Map<String, TreeSet<String>> techniques = new TreeMap<>();
    List<AlertRow> timeline = new ArrayList<>();
    for (CampaignStore.Host h : hosts) {
      long[] s = perInstitution.computeIfAbsent(h.institution(), k -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
      s[0]++;
      s[1] = Math.min(s[1], h.firstTs());
      s[2] = Math.max(s[2], h.lastTs());
      hostRows.add(List.of(name(h.institution()), h.host(), time(h.firstTs()), time(h.lastTs()),
          Integer.toString(h.alerts()), String.join(" ", h.techniques())));
      for (String t : h.techniques()) {
        techniques.computeIfAbsent(t, k -> new TreeSet<>()).add(h.institution() + "/" + h.host());
      }
      timeline.addAll(alerts.list(scope, new AlertQuery(h.firstTs(), h.lastTs() + 1, h.institution(), h.host(), null,
          null, null, null, null, PER_HOST, null)).items());
    }
    List<List<String>> institutionRows = new ArrayList<>();
    perInstitution.forEach((inst, s) -> institutionRows.add(List.of(name(inst), Long.toString(s[0]), time(s[1]),
        time(s[2]))));
    boolean national = scope instanceof Scope.National;
    boolean zeroVisible = national || scope.sees(c.zeroInstitution());
    List<String> summary = new ArrayList<>();
    summary.add("Between " + time(c.firstTs()) + " and " + time(c.lastTs()) + " one actor hit " + c.institutions()
        + " institutions" + (national ? " (" + String.join(", ", perInstitution.keySet().stream().map(this::name)
            .toList()) + ")" : "") + ": " + c.hosts() + " hosts in all" + (national ? "" : ", " + hosts.size()
            + " of them yours") + ". The same tools, hashes, command lines and infrastructure link them; it is one "
        + "planned and synchronised campaign, not unrelated incidents.");
    if (zeroVisible) {
      summary.add("The first compromised host (patient zero) was " + c.zeroHost() + " of " + name(c.zeroInstitution())
          + ", at " + time(c.zeroTs()) + ".");
    }
    if (!c.techniques().isEmpty()) {
      summary.add("ATT&CK techniques seen: " + String.join(", ", c.techniques()) + ".");
    }
    List<CaseStore.Case> related = visible(scope, cases.of(null, id));
    List<Evidence> indicators = subject.ofCampaign(scope, id);
    summary.add(tasksLine(scope, related));
    return new Report("Campaign report #" + c.id() + ": " + c.title(), "Status " + c.status() + ", level " + c.level()
        + ", " + c.institutions() + " institutions, " + c.hosts() + " hosts", time(System.currentTimeMillis() * 1000),
        summary, institutionRows, hostRows, timelineRows(timeline), techniqueRows(techniques), indicatorRows(indicators),
        actionRows(scope, related), openTaskRows(scope, related));
  }

  /** The report of an incident visible in scope, or null. */
  public Report incident(Scope scope, long id) {
    IncidentRow r = incidents.get(scope, id);
    if (r == null) {
      return null;
    }
    List<AlertRow> timeline = new ArrayList<>(alerts.list(scope, new AlertQuery(null, null, null, null, null, null,
        null, id, null, 1000, null)).items());
    Map<String, TreeSet<String>> techniques = new TreeMap<>();
    for (String t : r.techniques()) {
      techniques.computeIfAbsent(t, k -> new TreeSet<>()).add(r.institution() + "/" + r.host());
    }
    List<CaseStore.Case> related = visible(scope, cases.of(id, null));
    List<String> summary = new ArrayList<>();
    summary.add("Incident #" + r.id() + " (" + r.level() + ", " + r.status() + ") at " + name(r.institution())
        + ": " + r.alertCount() + " alerts on host " + r.host() + " between " + time(r.firstTs()) + " and "
        + time(r.lastTs()) + ".");
    List<Long> inCampaigns = campaigns.campaignsOfHost(r.institution(), r.host());
    if (!inCampaigns.isEmpty()) {
      summary.add("The host belongs to campaign" + (inCampaigns.size() > 1 ? "s " : " ") + inCampaigns.stream()
          .map(x -> "#" + x).toList() + ": the same actor hit other institutions too.");
    }
    if (!r.techniques().isEmpty()) {
      summary.add("ATT&CK techniques seen: " + String.join(", ", r.techniques()) + ".");
    }
    summary.add(tasksLine(scope, related));
    return new Report("Incident report #" + r.id() + ": " + r.title(), "Institution " + name(r.institution())
        + ", host " + r.host() + ", status " + r.status(), time(System.currentTimeMillis() * 1000), summary,
        List.of(List.of(name(r.institution()), "1", time(r.firstTs()), time(r.lastTs()))),
        List.of(List.of(name(r.institution()), r.host(), time(r.firstTs()), time(r.lastTs()),
            Integer.toString(r.alertCount()), String.join(" ", r.techniques()))),
        timelineRows(timeline), techniqueRows(techniques), indicatorRows(subject.ofIncident(scope, id)),
        actionRows(scope, related), openTaskRows(scope, related));
  }

  private static List<CaseStore.Case> visible(Scope scope, List<CaseStore.Case> all) {
    return all.stream().filter(c -> scope instanceof Scope.National || (c.institution() != null
        && scope.sees(c.institution()))).toList();
  }

  private String tasksLine(Scope scope, List<CaseStore.Case> related) {
    int done = 0;
    int open = 0;
    for (CaseStore.Case c : related) {
      for (CaseStore.Task t : cases.tasks(scope, c.id())) {
        if (t.status().equals("done")) {
          done++;
        } else if (!t.status().equals("skipped")) {
          open++;
        }
      }
    }
    return related.isEmpty() ? "No case has been opened yet." : related.size() + " case(s): " + done
        + " task(s) done, " + open + " open.";
  }

  private List<List<String>> timelineRows(List<AlertRow> all) {
    List<AlertRow> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingLong(AlertRow::ts).thenComparingLong(AlertRow::id));
    List<List<String>> out = new ArrayList<>();
    for (AlertRow a : sorted.subList(0, Math.min(TIMELINE, sorted.size()))) {
      out.add(List.of(time(a.ts()), name(a.institution()), a.host() == null ? "" : a.host(), a.level(), a.ruleTitle(),
          String.join(" ", CampaignTracker.techniques(a.tags()))));
    }
    return out;
  }

  private static List<List<String>> techniqueRows(Map<String, TreeSet<String>> techniques) {
    List<List<String>> out = new ArrayList<>();
    techniques.forEach((t, hosts) -> out.add(List.of(t, String.join(", ", hosts))));
    return out;
  }

  private static List<List<String>> indicatorRows(List<Evidence> indicators) {
    List<List<String>> out = new ArrayList<>();
    for (Evidence e : indicators) {
      out.add(List.of(e.kind(), e.value()));
    }
    return out;
  }

  private List<List<String>> actionRows(Scope scope, List<CaseStore.Case> related) {
    List<List<String>> out = new ArrayList<>();
    for (CaseStore.Case c : related) {
      for (CaseStore.Audit a : cases.audit(scope, c.id())) {
        if (a.action().equals("task.action") || (a.action().equals("task.update") && a.target().endsWith(" status")
            && "done".equals(a.after()))) {
          out.add(List.of(time(a.ts()), a.actor(), "case #" + c.id() + " " + describe(scope, c, a.target()),
              a.after() == null ? "" : result(a.after())));
        }
      }
    }
    return out;
  }

  /** What an action did, in a line: its result's fields, lists counted. */
  private static String result(Object after) {
    if (!(after instanceof Map<?, ?> m)) {
      return String.valueOf(after);
    }
    List<String> parts = new ArrayList<>();
    m.forEach((k, v) -> parts.add(k + ": " + (v instanceof List<?> l ? l.size() + (l.size() == 1 ? " item" : " items")
        : v instanceof Map<?, ?> ? "…" : v)));
    return String.join(", ", parts);
  }

  private String describe(Scope scope, CaseStore.Case c, String target) {
    String[] p = target.split(" ");
    if (p.length >= 2 && p[0].equals("task")) {
      try {
        CaseStore.Task t = cases.task(scope, c.id(), Long.parseLong(p[1]));
        return t == null ? target : "task '" + t.title() + "'" + (p.length > 2 ? " (" + p[2] + ")" : "");
      } catch (NumberFormatException e) {
        return target;
      }
    }
    return target;
  }

  private List<List<String>> openTaskRows(Scope scope, List<CaseStore.Case> related) {
    List<List<String>> out = new ArrayList<>();
    for (CaseStore.Case c : related) {
      for (CaseStore.Task t : cases.tasks(scope, c.id())) {
        if (!t.status().equals("done") && !t.status().equals("skipped")) {
          out.add(List.of("#" + c.id(), t.title(), t.assignee() == null ? "" : t.assignee(),
              t.due() == null ? "" : time(t.due())));
        }
      }
    }
    return out;
  }

  private final Map<String, String> names = new java.util.concurrent.ConcurrentHashMap<>();

  /** An institution as "Name (id)". */
  private String name(String id) {
    return names.computeIfAbsent(id, k -> directory.institution(Scope.NATIONAL, k)
        .map(i -> i.name() + " (" + k + ")").orElse(k));
  }

  private static String time(long micros) {
    String t = Timestamps.format(micros);
    return t.length() > 19 ? t.substring(0, 16).replace('T', ' ') : t;
  }
}
