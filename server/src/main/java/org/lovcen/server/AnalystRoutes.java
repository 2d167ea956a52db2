package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.lovcen.core.Level;
import org.lovcen.core.Timestamps;
import org.lovcen.server.live.AlertSink;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertStore;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.CaseStore;
import org.lovcen.store.DecisionStore;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Role;
import org.lovcen.store.Scope;

/*
 * How and why: what the analyst's screen needs beyond the resource endpoints, each an ordinary
 * /api/v1 endpoint with the caller's scope (the UI uses only the public API). The overview's
 * figures are aggregated in SQL (GROUP BY over the alerts the caller may see), so the answer's
 * size and time follow the number of institutions, buckets and rules, not of alerts. When the
 * caller gives no time range, the overview ends at the newest alert it can see (an attack wave
 * under investigation is rarely "the last 24 hours of the wall clock") and spans `hours` (one day).
 * What is being done (campaigns, cases, decisions) is the response's state now, not within the range.
 */
/** The overview's figures, moving alerts into an incident, checking a rule. Thread-safe (stateless). */
final class AnalystRoutes {
  /** ATT&CK tactics as Sigma tags name them, in kill-chain order. */
  static final List<String> TACTICS = List.of("reconnaissance", "resource_development", "initial_access", "execution",
      "persistence", "privilege_escalation", "defense_evasion", "credential_access", "discovery", "lateral_movement",
      "collection", "command_and_control", "exfiltration", "impact");
  /** The tags naming a tactic, in both spellings rules use. */
  private static final List<String> TACTIC_TAGS = TACTICS.stream()
      .flatMap(t -> java.util.stream.Stream.of("attack." + t, "attack." + t.replace('_', '-'))).distinct().toList();
  private static final long DAY = 86_400_000_000L;
  private static final int MAX_ATTACH = 1000;
  /** Campaigns and cases the overview lists (the totals are given beside them). */
  static final int MAX_RESPONSE_ITEMS = 6;
  static final int MAX_RULE_CHARS = 1 << 20;

  private final LovcenServer server;
  private final Function<Context, Principal> principal;
  private final AlertStore alerts;
  private final IncidentStore incidents;
  private final CampaignStore campaigns;
  private final CaseStore cases;
  private final DecisionStore decisions;

  private AnalystRoutes(LovcenServer server, Function<Context, Principal> principal) {
    this.server = server;
    this.principal = principal;
    this.alerts = new AlertStore(server.database());
    this.incidents = new IncidentStore(server.database());
    this.campaigns = new CampaignStore(server.database());
    this.cases = new CaseStore(server.database());
    this.decisions = new DecisionStore(server.database());
  }

  static void register(Javalin app, LovcenServer server, Function<Context, Principal> principal) {
    AnalystRoutes r = new AnalystRoutes(server, principal);
    app.get("/api/v1/overview", r::overview);
    app.post("/api/v1/incidents/{id}/alerts", r::attach);
    app.post("/api/v1/rules/check", r::checkRule);
  }

  private Principal writer(Context ctx) {
    Principal p = principal.apply(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("partners have read-only access");
    }
    return p;
  }

  // ---- GET /api/v1/overview ----

  private void overview(Context ctx) {
    Principal p = principal.apply(ctx);
    String inst = Api.institutionParam(ctx, p);
    int buckets = intParam(ctx, "buckets", 48, 1, 500);
    Long from = Api.time(ctx, "from");
    Long to = Api.time(ctx, "to");
    if (to == null) {
      Long newest = alerts.newest(p.scope(), query(from, null, inst));
      to = newest == null ? Api.now() : newest + 1;
    }
    if (from == null) {
      from = to - intParam(ctx, "hours", 24, 1, 8784) * DAY / 24;
    }
    if (from >= to) {
      throw ApiError.badRequest("parameter 'from' must be before 'to'");
    }
    long width = Math.max(1, (to - from + buckets - 1) / buckets);
    AlertQuery q = query(from, to, inst);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", Timestamps.format(from));
    m.put("to", Timestamps.format(to));
    m.put("bucket_seconds", width / 1e6);
    List<String> starts = new ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      starts.add(Timestamps.format(from + i * width));
    }
    m.put("buckets", starts);
    List<Map<String, Object>> series = new ArrayList<>();
    long total = 0;
    for (AlertStore.Series s : alerts.histogram(p.scope(), q, width, buckets)) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("institution", s.institution());
      e.put("total", s.total());
      e.put("first", Timestamps.format(s.first()));
      e.put("last", Timestamps.format(s.last()));
      e.put("counts", s.counts());
      series.add(e);
      total += s.total();
    }
    m.put("alerts", total);
    m.put("institutions", series);
    m.put("levels", counts(alerts.countByLevel(p.scope(), q)));
    Map<String, Long> open = new LinkedHashMap<>();
    Map<String, Long> byLevel = incidents.openByLevel(p.scope(), inst);
    for (int i = Level.values().length - 1; i >= 0; i--) {
      String l = Level.values()[i].label();
      open.put(l, byLevel.getOrDefault(l, 0L));
    }
    m.put("open_incidents", open);
    m.put("top_rules", alerts.topRules(p.scope(), q, 10).stream().map(c -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", c.key());
      e.put("title", c.label());
      e.put("level", Level.values()[Math.max(0, Math.min(Level.values().length - 1, c.levelRank()))].label());
      e.put("count", c.count());
      return e;
    }).toList());
    m.put("top_tactics", tactics(alerts.countTags(p.scope(), q, TACTIC_TAGS)));
    m.put("response", response(p.scope(), inst));
    ctx.json(m);
  }

  /**
   * What is being done, now (wall clock: due times and decisions are the response's own times, not
   * the logs'): the active campaigns, the open cases with their tasks' progress, and the decisions in
   * force per institution. Each list is a few SQL aggregates and bounded (the newest few campaigns,
   * the most urgent few cases, one row per institution), with the totals beside it.
   */
  private Map<String, Object> response(Scope scope, String inst) {
    long now = server.nowMicros();
    Map<String, Object> m = new LinkedHashMap<>();
    var active = campaigns.list(scope, inst, "active", null, null, MAX_RESPONSE_ITEMS, null);
    Map<Long, List<String>> named = campaigns.institutionsOf(scope,
        active.items().stream().map(CampaignStore.Campaign::id).toList());
    List<Map<String, Object>> items = new ArrayList<>();
    for (CampaignStore.Campaign c : active.items()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", c.id());
      e.put("title", c.title());
      e.put("level", c.level());
      e.put("institutions", c.institutions());
      e.put("named", named.getOrDefault(c.id(), List.of()));
      e.put("hosts", c.hosts());
      e.put("first", Timestamps.format(c.firstTs()));
      e.put("last", Timestamps.format(c.lastTs()));
      items.add(e);
    }
    m.put("campaigns", Map.of("active", active.total(), "items", items));
    CaseStore.OpenCount count = cases.openCount(scope, inst, now);
    List<Map<String, Object>> open = new ArrayList<>();
    for (CaseStore.Progress x : cases.openProgress(scope, inst, now, MAX_RESPONSE_ITEMS)) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", x.c().id());
      e.put("title", x.c().title());
      e.put("level", x.c().level());
      e.put("status", x.c().status());
      e.put("institution", x.c().institution());
      e.put("incident", x.c().incident());
      e.put("campaign", x.c().campaign());
      e.put("assignee", x.c().assignee());
      e.put("due", x.c().due() == null ? null : Timestamps.format(x.c().due()));
      e.put("tasks", Map.of("total", x.tasks(), "done", x.done(), "skipped", x.skipped(), "overdue",
          x.overdueTasks()));
      e.put("overdue", x.overdue());
      open.add(e);
    }
    m.put("cases", Map.of("open", count.open(), "overdue", count.overdue(), "items", open));
    List<Map<String, Object>> force = new ArrayList<>();
    for (DecisionStore.InForce d : decisions.inForce(scope, inst, now)) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("institution", d.institution());
      e.put("active", d.active());
      e.put("bans", d.bans());
      e.put("by_analysts", d.byAnalysts());
      e.put("sites", d.sites());
      e.put("last_until", Timestamps.format(d.lastUntil()));
      force.add(e);
    }
    m.put("decisions", force);
    return m;
  }

  /** Counts of both spellings of a tactic ({@code attack.credential_access}, {@code attack.credential-access}) as one. */
  private static List<Map<String, Object>> tactics(List<AlertStore.Count> counts) {
    Map<String, Long> merged = new LinkedHashMap<>();
    counts.forEach(c -> merged.merge(c.key().substring(7).replace('_', '-'), c.count(), Long::sum));
    return merged.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> Map.<String, Object>of("tactic", e.getKey(), "count", e.getValue())).toList();
  }

  private static AlertQuery query(Long from, Long to, String institution) {
    return new AlertQuery(from, to, institution, null, null, null, null, null, null, 1, null);
  }

  private static Map<String, Long> counts(List<AlertStore.Count> list) {
    Map<String, Long> m = new LinkedHashMap<>();
    list.forEach(c -> m.put(c.key(), c.count()));
    return m;
  }

  private static int intParam(Context ctx, String name, int absent, int min, int max) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return absent;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.badRequest("parameter '" + name + "': '" + v + "' is not a number from " + min + " to " + max);
  }

  // ---- POST /api/v1/incidents/{id}/alerts ----

  private void attach(Context ctx) throws IOException {
    Principal p = writer(ctx);
    long id = Api.id(ctx, "id");
    JsonNode list = Api.body(ctx).get("alerts");
    if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_ATTACH) {
      throw ApiError.badRequest("field 'alerts' must be a list of 1 to " + MAX_ATTACH + " alert ids");
    }
    List<Long> ids = new ArrayList<>();
    for (JsonNode n : list) {
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw ApiError.badRequest("field 'alerts' must hold alert ids (whole numbers); got " + n);
      }
      ids.add(n.asLong());
    }
    long now = Api.now();
    IncidentRow r = incidents.attach(p.scope(), id, ids, now, (inc, members) -> AlertSink.aggregate(inc, members, now));
    if (r == null) {
      throw ApiError.notFound("incident");
    }
    ctx.json(Api.incidentJson(r));
  }

  // ---- POST /api/v1/rules/check ----

  private void checkRule(Context ctx) throws IOException {
    writer(ctx);
    JsonNode b = Api.body(ctx);
    String name = Api.text(b, "name", false);
    ctx.json(check(server, name == null || name.isBlank() ? "rule.yml" : name, ruleText(b)));
  }

  /** The 'yaml' field of a rule upload or check, at most MAX_RULE_CHARS long. */
  static String ruleText(JsonNode b) {
    String yaml = Api.text(b, "yaml", true);
    if (yaml.length() > MAX_RULE_CHARS) {
      throw ApiError.badRequest("field 'yaml' is longer than " + MAX_RULE_CHARS + " characters");
    }
    return yaml;
  }

  /**
   * Checks a rule file as the engine would compile it: {@code valid}, its {@code rules} (id, title,
   * level, status, tags, whether a rule of that id already runs), the number of {@code others}
   * (correlations, filters) and every {@code problem} with its line.
   */
  static Map<String, Object> check(LovcenServer server, String path, String yaml) {
    RuleSet.Check c = RuleSet.check(path, yaml, Map.of());
    List<Map<String, Object>> rules = new ArrayList<>();
    List<String> problems = new ArrayList<>(c.errors());
    Set<String> running = new HashSet<>();
    server.engine().allRules().forEach(x -> running.add(x.id()));
    for (var rule : c.rules()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", rule.id());
      e.put("title", rule.title());
      e.put("level", rule.level() == null ? null : rule.level().label());
      e.put("status", rule.status());
      e.put("tags", rule.tags());
      e.put("loaded", rule.id() != null && running.contains(rule.id()));
      rules.add(e);
    }
    if (c.errors().isEmpty() && !c.rules().isEmpty()) {
      try {
        RuleSet compiled = RuleSet.of(c.rules(), RuleSet.Options.defaults().withAllStatuses(true));
        compiled.report().errors().forEach(i -> problems.add(i.reason()));
        compiled.report().unsupported().forEach(i -> problems.add("unsupported: " + i.reason()));
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    c.unsupported().forEach(i -> problems.add("unsupported: " + i.reason()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("valid", problems.isEmpty() && (c.rules().size() + c.others()) > 0);
    m.put("rules", rules);
    m.put("others", c.others());
    m.put("problems", problems);
    return m;
  }
}
