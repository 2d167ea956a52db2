package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lovcen.core.Timestamps;
import org.lovcen.server.response.CampaignTracker;
import org.lovcen.server.response.CaseActions;
import org.lovcen.server.response.Playbooks;
import org.lovcen.server.response.Report;
import org.lovcen.server.response.ReportHtml;
import org.lovcen.server.response.ReportPdf;
import org.lovcen.server.response.Reports;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.CaseStore;
import org.lovcen.store.Directory;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Role;
import org.lovcen.store.Scope;

/*
 * How and why: the response side of the API (docs/CASES.md, docs/CAMPAIGNS.md): campaigns, cases
 * with their tasks, comments, evidence and audit log, playbooks, and incident and campaign
 * reports. Tenancy is the repositories' (CampaignStore and CaseStore scope in SQL); this class
 * adds the role rules: partners see neither campaigns nor cases (403), only the national CERT
 * changes campaigns, opens cases from a campaign, re-links, retro-hunts and shares. A campaign
 * read by an institution's analyst shows its own hosts only, and of a link that touches another
 * institution the other end is hidden (null), its evidence kept: that is what links them.
 */
/** The /api/v1 routes for campaigns, cases, playbooks and reports. Thread-safe. */
final class CaseRoutes {
  private static final int MAX_FILE_BYTES = 10 << 20;
  private static final Set<String> EVIDENCE_KINDS = Set.of("event", "alert", "indicator", "host", "file", "note");

  private final LovcenServer server;
  private final Directory directory;
  private final CampaignStore campaigns;
  private final CaseStore cases;
  private final IncidentStore incidents;
  private final AlertStore alerts;
  private final CaseActions actions;

  private CaseRoutes(LovcenServer server) {
    this.server = server;
    this.directory = new Directory(server.database());
    this.campaigns = new CampaignStore(server.database());
    this.cases = new CaseStore(server.database());
    this.incidents = new IncidentStore(server.database());
    this.alerts = new AlertStore(server.database());
    this.actions = new CaseActions(server.database(), server.indicators(), server.config().intel().identity(),
        server.webConfig().decisionMicros());
  }

  /** Registers the routes. */
  static void register(Javalin app, LovcenServer server) {
    CaseRoutes r = new CaseRoutes(server);
    app.get("/api/v1/campaigns", r::listCampaigns);
    app.post("/api/v1/campaigns/link", r::link);
    app.get("/api/v1/campaigns/{id}", r::getCampaign);
    app.patch("/api/v1/campaigns/{id}", r::updateCampaign);
    app.get("/api/v1/campaigns/{id}/timeline", r::timeline);
    app.get("/api/v1/campaigns/{id}/report", r::campaignReport);
    app.get("/api/v1/incidents/{id}/report", r::incidentReport);
    app.get("/api/v1/playbooks", r::playbooks);
    app.get("/api/v1/cases", r::listCases);
    app.post("/api/v1/cases", r::createCase);
    app.get("/api/v1/cases/{id}", r::getCase);
    app.patch("/api/v1/cases/{id}", r::updateCase);
    app.get("/api/v1/cases/{id}/tasks", r::tasks);
    app.post("/api/v1/cases/{id}/tasks", r::addTask);
    app.patch("/api/v1/cases/{id}/tasks/{task}", r::updateTask);
    app.post("/api/v1/cases/{id}/tasks/{task}/run", r::runTask);
    app.get("/api/v1/cases/{id}/comments", r::comments);
    app.post("/api/v1/cases/{id}/comments", r::addComment);
    app.get("/api/v1/cases/{id}/evidence", r::evidence);
    app.post("/api/v1/cases/{id}/evidence", r::addEvidence);
    app.get("/api/v1/cases/{id}/evidence/{evidence}", r::evidenceContent);
    app.get("/api/v1/cases/{id}/audit", r::audit);
    app.get("/api/v1/cases/{id}/report", r::caseReport);
  }

  // ---- caller ----

  private Principal principal(Context ctx) {
    Directory.TokenGrant g = directory.resolveToken(Api.bearer(ctx), Api.now())
        .orElseThrow(() -> ApiError.unauthorized("unknown, expired or revoked token"));
    if (g.user() == null) {
      throw ApiError.forbidden("an ingest token can only send events");
    }
    return new Principal(g.user(), g.id(), g.kind());
  }

  /** A caller that may see campaigns and cases: anyone but partners. */
  private Principal member(Context ctx) {
    Principal p = principal(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("campaigns and cases are the CERT's and the institutions'; partners see shared "
          + "incidents");
    }
    return p;
  }

  private Principal national(Context ctx) {
    Principal p = principal(ctx);
    if (!p.national()) {
      throw ApiError.forbidden("the national CERT only");
    }
    return p;
  }

  private static String institutionParam(Context ctx, Principal p) {
    String inst = ctx.queryParam("institution");
    if (inst != null && !p.scope().sees(inst)) {
      throw ApiError.forbidden("no access to institution '" + inst + "'");
    }
    return inst;
  }

  private static Long longParam(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) {
      return null;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("parameter '" + name + "': '" + v + "' is not a number");
    }
  }

  // ---- campaigns ----

  private void listCampaigns(Context ctx) {
    Principal p = member(ctx);
    String status = ctx.queryParam("status");
    if (status != null && !CampaignStore.STATUSES.contains(status)) {
      throw ApiError.badRequest("parameter 'status': '" + status + "' is not one of "
          + String.join(", ", CampaignStore.STATUSES));
    }
    var page = campaigns.list(p.scope(), institutionParam(ctx, p), status, Api.time(ctx, "from"), Api.time(ctx, "to"),
        Api.limit(ctx), ctx.queryParam("cursor"));
    ctx.json(Api.page(page, c -> campaignJson(c, p.scope())));
  }

  private void link(Context ctx) {
    national(ctx);
    List<Long> created = server.linkCampaigns();
    ctx.json(Map.of("created", created, "active", campaigns.list(Scope.NATIONAL, null, "active", null, null, 1, null)
        .total()));
  }

  private CampaignStore.Campaign campaign(Context ctx, Principal p) {
    CampaignStore.Campaign c = campaigns.get(p.scope(), Api.id(ctx, "id"));
    if (c == null) {
      throw ApiError.notFound("campaign");
    }
    return c;
  }

  private void getCampaign(Context ctx) {
    Principal p = member(ctx);
    CampaignStore.Campaign c = campaign(ctx, p);
    Map<String, Object> m = campaignJson(c, p.scope());
    List<Map<String, Object>> hosts = new ArrayList<>();
    Map<String, Long> incidentOf = campaigns.incidentsOfHosts(p.scope(), c.id());
    for (CampaignStore.Host h : campaigns.hosts(p.scope(), c.id())) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("institution", h.institution());
      x.put("host", h.host());
      x.put("first", Timestamps.format(h.firstTs()));
      x.put("last", Timestamps.format(h.lastTs()));
      x.put("alerts", h.alerts());
      x.put("techniques", h.techniques());
      x.put("rules", h.rules());
      x.put("patient_zero", h.institution().equals(c.zeroInstitution()) && h.host().equals(c.zeroHost()));
      x.put("incident", incidentOf.get(h.institution() + '\0' + h.host()));
      hosts.add(x);
    }
    m.put("members", hosts);
    List<Map<String, Object>> links = new ArrayList<>();
    for (CampaignStore.Link l : campaigns.links(p.scope(), c.id())) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("a", end(p.scope(), l.institutionA(), l.hostA()));
      x.put("b", end(p.scope(), l.institutionB(), l.hostB()));
      x.put("score", l.score());
      x.put("evidence", l.evidence());
      x.put("because", because(l.evidence()));
      links.add(x);
    }
    m.put("links", links);
    ctx.json(m);
  }

  /** One end of a link: hidden (nulls) when the institution is not the caller's. */
  private static Map<String, Object> end(Scope scope, String institution, String host) {
    Map<String, Object> m = new LinkedHashMap<>();
    boolean visible = scope.sees(institution);
    m.put("institution", visible ? institution : null);
    m.put("host", visible ? host : null);
    return m;
  }

  /** "linked because …": the strongest shared values in words. */
  @SuppressWarnings("unchecked")
  static String because(Object evidence) {
    List<String> parts = new ArrayList<>();
    if (evidence instanceof List<?> l) {
      for (Object o : l.subList(0, Math.min(4, l.size()))) {
        Map<String, Object> e = (Map<String, Object>) o;
        String v = String.valueOf(e.get("value"));
        parts.add("the same " + e.get("kind") + " " + (v.length() > 60 ? v.substring(0, 57) + "..." : v) + " (seen on "
            + e.get("hosts") + " hosts of " + e.get("institutions") + " institutions, weight " + e.get("weight") + ")");
      }
      if (l.size() > 4) {
        parts.add((l.size() - 4) + " more");
      }
    }
    return "linked because of " + String.join("; ", parts);
  }

  private void updateCampaign(Context ctx) throws IOException {
    Principal p = member(ctx);
    String status = Api.text(Api.body(ctx), "status", true);
    if (!p.national()) {
      campaign(ctx, p);
      throw ApiError.forbidden("only the national CERT changes campaigns");
    }
    if (!campaigns.setStatus(p.scope(), Api.id(ctx, "id"), status, Api.now())) {
      throw ApiError.notFound("campaign");
    }
    ctx.json(campaignJson(campaign(ctx, p), p.scope()));
  }

  private void timeline(Context ctx) {
    Principal p = member(ctx);
    CampaignStore.Campaign c = campaign(ctx, p);
    List<AlertRow> all = new ArrayList<>();
    for (CampaignStore.Host h : campaigns.hosts(p.scope(), c.id())) {
      all.addAll(alerts.list(p.scope(), new AlertQuery(h.firstTs(), h.lastTs() + 1, h.institution(), h.host(),
          Api.level(ctx), null, null, null, null, 400, null)).items());
    }
    all.sort(Comparator.comparingLong(AlertRow::ts).thenComparingLong(AlertRow::id));
    int limit = Api.limit(ctx);
    List<Map<String, Object>> items = new ArrayList<>();
    for (AlertRow a : all.subList(0, Math.min(limit, all.size()))) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", Timestamps.format(a.ts()));
      m.put("institution", a.institution());
      m.put("host", a.host());
      m.put("level", a.level());
      m.put("kind", a.kind());
      m.put("rule", Map.of("id", a.ruleId(), "title", a.ruleTitle()));
      m.put("techniques", CampaignTracker.techniques(a.tags()));
      m.put("alert", a.id());
      m.put("incident", a.incident());
      items.add(m);
    }
    ctx.json(Map.of("items", items, "total", all.size()));
  }

  static Map<String, Object> campaignJson(CampaignStore.Campaign c, Scope scope) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("title", c.title());
    m.put("status", c.status());
    m.put("level", c.level());
    m.put("first", Timestamps.format(c.firstTs()));
    m.put("last", Timestamps.format(c.lastTs()));
    boolean zero = scope.sees(c.zeroInstitution());
    m.put("patient_zero", zero ? Map.of("institution", c.zeroInstitution(), "host", c.zeroHost(), "time",
        Timestamps.format(c.zeroTs())) : null);
    m.put("institutions", c.institutions());
    m.put("hosts", c.hosts());
    m.put("score", Math.round(c.score() * 1000) / 1000.0);
    m.put("techniques", c.techniques());
    m.put("created", Timestamps.format(c.created()));
    m.put("updated", Timestamps.format(c.updated()));
    return m;
  }

  // ---- reports ----

  private void campaignReport(Context ctx) {
    Principal p = member(ctx);
    Report r = new Reports(server.database()).campaign(p.scope(), Api.id(ctx, "id"));
    if (r == null) {
      throw ApiError.notFound("campaign");
    }
    report(ctx, r, "campaign-" + ctx.pathParam("id"));
  }

  private void incidentReport(Context ctx) {
    Principal p = member(ctx);
    Report r = new Reports(server.database()).incident(p.scope(), Api.id(ctx, "id"));
    if (r == null) {
      throw ApiError.notFound("incident");
    }
    report(ctx, r, "incident-" + ctx.pathParam("id"));
  }

  private void caseReport(Context ctx) {
    Principal p = member(ctx);
    CaseStore.Case c = caseOf(ctx, p);
    Reports reports = new Reports(server.database());
    Report r = c.campaign() != null ? reports.campaign(p.scope(), c.campaign())
        : c.incident() != null ? reports.incident(p.scope(), c.incident()) : null;
    if (r == null) {
      throw new ApiError(409, "conflict", "the case is about no incident or campaign visible to you: nothing to report");
    }
    report(ctx, r, "case-" + c.id());
  }

  private static void report(Context ctx, Report r, String name) {
    String format = ctx.queryParamAsClass("format", String.class).getOrDefault("html");
    switch (format) {
      case "html" -> ctx.contentType("text/html; charset=utf-8").result(ReportHtml.render(r));
      case "pdf" -> {
        ctx.header("Content-Disposition", "attachment; filename=\"" + name + ".pdf\"");
        ctx.contentType("application/pdf").result(ReportPdf.render(r));
      }
      default -> throw ApiError.badRequest("parameter 'format': '" + format + "' is not html or pdf");
    }
  }

  // ---- playbooks ----

  private void playbooks(Context ctx) {
    member(ctx);
    Playbooks pb = server.playbooks();
    List<Map<String, Object>> items = new ArrayList<>();
    for (Playbooks.Playbook p : pb.all()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", p.id());
      m.put("title", p.title());
      m.put("description", p.description());
      m.put("techniques", p.techniques());
      m.put("tags", p.tags());
      m.put("rules", p.rules());
      List<Map<String, Object>> tasks = new ArrayList<>();
      for (Playbooks.Step s : p.tasks()) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("title", s.title());
        t.put("description", s.description());
        t.put("action", s.action());
        tasks.add(t);
      }
      m.put("tasks", tasks);
      m.put("file", p.file());
      items.add(m);
    }
    ctx.json(Map.of("items", items, "total", items.size(), "problems", pb.problems()));
  }

  // ---- cases ----

  private CaseStore.Case caseOf(Context ctx, Principal p) {
    CaseStore.Case c = cases.get(p.scope(), Api.id(ctx, "id"));
    if (c == null) {
      throw ApiError.notFound("case");
    }
    return c;
  }

  private void listCases(Context ctx) {
    Principal p = member(ctx);
    String status = ctx.queryParam("status");
    if (status != null && !CaseStore.STATUSES.contains(status)) {
      throw ApiError.badRequest("parameter 'status': '" + status + "' is not one of "
          + String.join(", ", CaseStore.STATUSES));
    }
    var page = cases.list(p.scope(), institutionParam(ctx, p), status, longParam(ctx, "campaign"),
        longParam(ctx, "incident"), ctx.queryParam("assignee"), Api.limit(ctx), ctx.queryParam("cursor"));
    ctx.json(Api.page(page, CaseRoutes::caseJson));
  }

  private void createCase(Context ctx) throws IOException {
    Principal p = member(ctx);
    JsonNode b = Api.body(ctx);
    Long incidentId = optionalId(b, "incident");
    Long campaignId = optionalId(b, "campaign");
    if (incidentId != null && campaignId != null) {
      throw ApiError.badRequest("give 'incident' or 'campaign', not both");
    }
    String institution = Api.text(b, "institution", false);
    Set<String> techniques = new LinkedHashSet<>(strings(b, "techniques"));
    Set<String> tags = new LinkedHashSet<>();
    Set<String> rules = new LinkedHashSet<>();
    String title = Api.text(b, "title", false);
    String level = "medium";
    if (incidentId != null) {
      IncidentRow r = incidents.get(p.scope(), incidentId);
      if (r == null) {
        throw ApiError.badRequest("no incident " + incidentId);
      }
      institution = r.institution();
      techniques.addAll(r.techniques());
      r.tactics().forEach(t -> tags.add("attack." + t));
      rules.addAll(r.rules());
      title = title == null ? "Incident #" + r.id() + ": " + r.title() : title;
      level = r.level();
    } else if (campaignId != null) {
      if (!p.national()) {
        throw ApiError.forbidden("only the national CERT opens cases on a campaign");
      }
      CampaignStore.Campaign c = campaigns.get(p.scope(), campaignId);
      if (c == null) {
        throw ApiError.badRequest("no campaign " + campaignId);
      }
      institution = null;
      techniques.addAll(c.techniques());
      title = title == null ? "Campaign #" + c.id() + ": " + c.title() : title;
      level = c.level();
    } else {
      if (title == null || title.isBlank()) {
        throw ApiError.badRequest("missing field 'title' (or give 'incident' or 'campaign')");
      }
      if (institution == null && p.scope() instanceof Scope.OfInstitution o) {
        institution = o.institution();
      }
      if (institution != null && directory.institution(Scope.NATIONAL, institution).isEmpty()) {
        throw ApiError.badRequest("unknown institution '" + institution + "'");
      }
    }
    if (!CaseStore.mayOwn(p.scope(), institution)) {
      throw ApiError.forbidden(institution == null ? "cases of the national CERT are its own"
          : "no access to institution '" + institution + "'");
    }
    List<Playbooks.Playbook> chosen = playbooksFor(b, techniques, tags, rules);
    List<CaseStore.NewTask> tasks = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (Playbooks.Playbook pb : chosen) {
      for (Playbooks.Step s : pb.tasks()) {
        if (seen.add(s.title() + '\0' + s.action())) {
          tasks.add(new CaseStore.NewTask(s.title(), s.description(), pb.id(), s.action(), Map.of(), null, null));
        }
      }
    }
    String description = Api.text(b, "description", false);
    String assignee = Api.text(b, "assignee", false);
    CaseStore.Case draft = new CaseStore.Case(0, cut(title, 1000), description == null ? "" : description, "open",
        level, institution, incidentId, campaignId, assignee == null || assignee.isEmpty() ? null : assignee,
        dueParam(b), new ArrayList<>(techniques), chosen.stream().map(Playbooks.Playbook::id).toList(), p.user().name(),
        0, 0);
    CaseStore.Case c = cases.create(p.scope(), draft, tasks, p.user().name(), Api.now());
    if (c == null) {
      throw ApiError.forbidden("no access to institution '" + institution + "'");
    }
    ctx.status(201).json(caseJson(c));
  }

  private List<Playbooks.Playbook> playbooksFor(JsonNode b, Set<String> techniques, Set<String> tags,
      Set<String> rules) {
    Playbooks pb = server.playbooks();
    if (b.has("playbooks")) {
      List<Playbooks.Playbook> out = new ArrayList<>();
      for (String id : strings(b, "playbooks")) {
        Playbooks.Playbook x = pb.get(id);
        if (x == null) {
          throw ApiError.badRequest("unknown playbook '" + id + "'");
        }
        out.add(x);
      }
      return out;
    }
    return pb.matching(techniques, tags, rules);
  }

  private static Long optionalId(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToLong() || !v.isIntegralNumber()) {
      throw ApiError.badRequest("field '" + field + "' must be an id (a whole number)");
    }
    return v.asLong();
  }

  private static List<String> strings(JsonNode b, String field) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw ApiError.badRequest("field '" + field + "' must be a list of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode x : v) {
      if (!x.isTextual()) {
        throw ApiError.badRequest("field '" + field + "' must be a list of strings");
      }
      out.add(x.asText());
    }
    return out;
  }

  /** An optional RFC 3339 'due' field as micros; null when absent, 0 when empty (clears it). */
  private static Long dueParam(JsonNode b) {
    String v = Api.text(b, "due", false);
    if (v == null) {
      return null;
    }
    if (v.isEmpty()) {
      return 0L;
    }
    long t;
    try {
      t = Timestamps.parse(v);
    } catch (RuntimeException e) {
      t = org.lovcen.core.Event.NO_TIME;
    }
    if (t == org.lovcen.core.Event.NO_TIME) {
      throw ApiError.badRequest("field 'due': '" + v + "' is not an RFC 3339 time");
    }
    return t;
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  private void getCase(Context ctx) {
    Principal p = member(ctx);
    CaseStore.Case c = caseOf(ctx, p);
    Map<String, Object> m = caseJson(c);
    List<CaseStore.Task> tasks = cases.tasks(p.scope(), c.id());
    m.put("tasks", tasks.stream().map(CaseRoutes::taskJson).toList());
    ctx.json(m);
  }

  private void updateCase(Context ctx) throws IOException {
    Principal p = member(ctx);
    JsonNode b = Api.body(ctx);
    String title = Api.text(b, "title", false);
    String status = Api.text(b, "status", false);
    String assignee = Api.text(b, "assignee", false);
    Long due = dueParam(b);
    if (title == null && status == null && assignee == null && due == null) {
      throw ApiError.badRequest("give 'title', 'status', 'assignee' and/or 'due'");
    }
    if (title != null && title.isBlank()) {
      throw ApiError.badRequest("field 'title' must not be empty");
    }
    CaseStore.Case c = cases.update(p.scope(), Api.id(ctx, "id"), title, status, assignee, due, p.user().name(),
        Api.now());
    if (c == null) {
      throw ApiError.notFound("case");
    }
    ctx.json(caseJson(c));
  }

  private void tasks(Context ctx) {
    Principal p = member(ctx);
    List<CaseStore.Task> t = cases.tasks(p.scope(), Api.id(ctx, "id"));
    if (t == null) {
      throw ApiError.notFound("case");
    }
    ctx.json(Map.of("items", t.stream().map(CaseRoutes::taskJson).toList(), "total", t.size()));
  }

  private void addTask(Context ctx) throws IOException {
    Principal p = member(ctx);
    JsonNode b = Api.body(ctx);
    String title = Api.text(b, "title", true);
    if (title.isBlank()) {
      throw ApiError.badRequest("field 'title' must not be empty");
    }
    String action = Api.text(b, "action", false);
    if (action != null && !Playbooks.ACTIONS.contains(action)) {
      throw ApiError.badRequest("unknown action '" + action + "' (" + String.join(", ", Playbooks.ACTIONS) + ")");
    }
    Map<String, Object> params = b.has("params") && b.get("params").isObject()
        ? Api.JSON.convertValue(b.get("params"), Api.JSON.getTypeFactory().constructMapType(Map.class, String.class,
            Object.class)) : Map.of();
    Long due = dueParam(b);
    String description = Api.text(b, "description", false);
    CaseStore.Task t = cases.addTask(p.scope(), Api.id(ctx, "id"), new CaseStore.NewTask(cut(title, 1000),
        description == null ? "" : description, null, action, params, Api.text(b, "assignee", false),
        due == null || due == 0 ? null : due), p.user().name(), Api.now());
    if (t == null) {
      throw ApiError.notFound("case");
    }
    ctx.status(201).json(taskJson(t));
  }

  private void updateTask(Context ctx) throws IOException {
    Principal p = member(ctx);
    JsonNode b = Api.body(ctx);
    String status = Api.text(b, "status", false);
    String assignee = Api.text(b, "assignee", false);
    Long due = dueParam(b);
    if (status == null && assignee == null && due == null) {
      throw ApiError.badRequest("give 'status', 'assignee' and/or 'due'");
    }
    caseOf(ctx, p);
    CaseStore.Task t = cases.updateTask(p.scope(), Api.id(ctx, "id"), Api.id(ctx, "task"), status, assignee, due,
        p.user().name(), Api.now());
    if (t == null) {
      throw ApiError.notFound("task");
    }
    ctx.json(taskJson(t));
  }

  private void runTask(Context ctx) throws IOException {
    Principal p = member(ctx);
    CaseStore.Case c = caseOf(ctx, p);
    CaseStore.Task t = cases.task(p.scope(), c.id(), Api.id(ctx, "task"));
    if (t == null) {
      throw ApiError.notFound("task");
    }
    if (t.action() == null) {
      throw ApiError.badRequest("task " + t.id() + " has no action to run; set its status instead");
    }
    Map<String, Object> params = new LinkedHashMap<>(t.params());
    if (ctx.contentLength() > 0) {
      JsonNode b = Api.body(ctx);
      b.properties().forEach(e -> params.put(e.getKey(), Api.JSON.convertValue(e.getValue(), Object.class)));
    }
    IncidentRow incident = c.incident() == null ? null : incidents.get(p.scope(), c.incident());
    Map<String, Object> result;
    try {
      result = actions.run(t.action(), p.scope(), p.national(), p.user().name(), c, incident, params);
    } catch (CaseActions.Refused e) {
      cases.audit(p.scope(), c.id(), p.user().name(), Api.now(), "task.action.refused", "task " + t.id() + " "
          + t.action(), null, e.getMessage());
      throw new ApiError(e.status, slug(e.status), e.getMessage());
    }
    if (result.get("decisions") instanceof List<?> made) {
      for (Object o : made) {
        Map<?, ?> d = (Map<?, ?>) o;
        SecurityLog.event("decision.created", p.user().name(), ctx.ip(), "decision", String.valueOf(d.get("id")),
            "institution", String.valueOf(d.get("institution")), "type", "ban", "value", String.valueOf(d.get("value")),
            "minutes", String.valueOf(d.get("minutes")), "case", Long.toString(c.id()));
      }
    }
    ctx.json(taskJson(cases.recordAction(p.scope(), c.id(), t.id(), result, p.user().name(), Api.now())));
  }

  private static String slug(int status) {
    return switch (status) {
      case 400 -> "bad-request";
      case 403 -> "forbidden";
      case 404 -> "not-found";
      case 409 -> "conflict";
      default -> "internal";
    };
  }

  private void comments(Context ctx) {
    Principal p = member(ctx);
    List<CaseStore.Comment> list = cases.comments(p.scope(), Api.id(ctx, "id"));
    if (list == null) {
      throw ApiError.notFound("case");
    }
    ctx.json(Map.of("items", list.stream().map(CaseRoutes::commentJson).toList(), "total", list.size()));
  }

  private void addComment(Context ctx) throws IOException {
    Principal p = member(ctx);
    String text = Api.text(Api.body(ctx), "text", true);
    if (text.isBlank() || text.length() > 20_000) {
      throw ApiError.badRequest("a comment has 1 to 20000 characters");
    }
    CaseStore.Comment c = cases.addComment(p.scope(), Api.id(ctx, "id"), p.user().name(), text, Api.now());
    if (c == null) {
      throw ApiError.notFound("case");
    }
    ctx.status(201).json(commentJson(c));
  }

  private void evidence(Context ctx) {
    Principal p = member(ctx);
    List<CaseStore.Evidence> list = cases.evidence(p.scope(), Api.id(ctx, "id"));
    if (list == null) {
      throw ApiError.notFound("case");
    }
    ctx.json(Map.of("items", list.stream().map(CaseRoutes::evidenceJson).toList(), "total", list.size()));
  }

  private void addEvidence(Context ctx) throws IOException {
    Principal p = member(ctx);
    CaseStore.Case c = caseOf(ctx, p);
    JsonNode b = Api.body(ctx);
    String kind = Api.text(b, "kind", true);
    if (!EVIDENCE_KINDS.contains(kind)) {
      throw ApiError.badRequest("field 'kind': '" + kind + "' is not one of " + String.join(", ",
          new java.util.TreeSet<>(EVIDENCE_KINDS)));
    }
    String ref = Api.text(b, "ref", !kind.equals("file"));
    String note = Api.text(b, "note", false);
    String media = null;
    String sha = null;
    String content = null;
    if (kind.equals("file")) {
      String name = Api.text(b, "name", true);
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(Api.text(b, "content_base64", true));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("field 'content_base64' is not base64");
      }
      if (bytes.length > MAX_FILE_BYTES) {
        throw new ApiError(413, "too-large", "an attached file has at most " + (MAX_FILE_BYTES >> 20) + " MiB");
      }
      ref = name;
      media = Api.text(b, "media_type", false);
      media = media == null ? "application/octet-stream" : media;
      sha = sha256(bytes);
      content = Base64.getEncoder().encodeToString(bytes);
    } else if (kind.equals("event") || kind.equals("alert")) {
      long id;
      try {
        id = Long.parseLong(ref);
      } catch (NumberFormatException e) {
        throw ApiError.badRequest("field 'ref' of an " + kind + " is its id");
      }
      boolean visible = kind.equals("alert") ? alerts.get(p.scope(), id) != null
          : new org.lovcen.store.EventStore(server.database()).get(p.scope(), id) != null;
      if (!visible) {
        throw ApiError.badRequest("no " + kind + " " + id);
      }
    }
    CaseStore.Evidence e = cases.addEvidence(p.scope(), c.id(), kind, ref, note, media, sha, content, p.user().name(),
        Api.now());
    if (e == null) {
      throw ApiError.notFound("case");
    }
    ctx.status(201).json(evidenceJson(e));
  }

  private void evidenceContent(Context ctx) {
    Principal p = member(ctx);
    CaseStore.Case c = caseOf(ctx, p);
    long id = Api.id(ctx, "evidence");
    CaseStore.Evidence e = cases.evidence(p.scope(), c.id()).stream().filter(x -> x.id() == id).findFirst()
        .orElseThrow(() -> ApiError.notFound("evidence"));
    String content = cases.evidenceContent(p.scope(), c.id(), id);
    if (content == null) {
      ctx.json(evidenceJson(e));
      return;
    }
    ctx.header("Content-Disposition", "attachment; filename=\"" + e.ref().replaceAll("[\"\\\\\r\n]", "_") + "\"");
    ctx.contentType(e.mediaType() == null ? "application/octet-stream" : e.mediaType())
        .result(Base64.getDecoder().decode(content));
  }

  private void audit(Context ctx) {
    Principal p = member(ctx);
    List<CaseStore.Audit> list = cases.audit(p.scope(), Api.id(ctx, "id"));
    if (list == null) {
      throw ApiError.notFound("case");
    }
    List<Map<String, Object>> items = new ArrayList<>();
    for (CaseStore.Audit a : list) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", a.id());
      m.put("time", Timestamps.format(a.ts()));
      m.put("actor", a.actor());
      m.put("action", a.action());
      m.put("target", a.target());
      m.put("before", a.before());
      m.put("after", a.after());
      items.add(m);
    }
    ctx.json(Map.of("items", items, "total", items.size()));
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- JSON shapes ----

  static Map<String, Object> caseJson(CaseStore.Case c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("title", c.title());
    m.put("description", c.description());
    m.put("status", c.status());
    m.put("level", c.level());
    m.put("institution", c.institution());
    m.put("incident", c.incident());
    m.put("campaign", c.campaign());
    m.put("assignee", c.assignee());
    m.put("due", c.due() == null ? null : Timestamps.format(c.due()));
    m.put("techniques", c.techniques());
    m.put("playbooks", c.playbooks());
    m.put("created_by", c.createdBy());
    m.put("created", Timestamps.format(c.created()));
    m.put("updated", Timestamps.format(c.updated()));
    return m;
  }

  static Map<String, Object> taskJson(CaseStore.Task t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", t.id());
    m.put("case", t.caseId());
    m.put("position", t.position());
    m.put("title", t.title());
    m.put("description", t.description());
    m.put("status", t.status());
    m.put("assignee", t.assignee());
    m.put("due", t.due() == null ? null : Timestamps.format(t.due()));
    m.put("playbook", t.playbook());
    m.put("action", t.action());
    m.put("params", t.params());
    m.put("result", t.result());
    m.put("created", Timestamps.format(t.created()));
    m.put("updated", Timestamps.format(t.updated()));
    return m;
  }

  static Map<String, Object> commentJson(CaseStore.Comment c) {
    return Map.of("id", c.id(), "case", c.caseId(), "author", c.author(), "text", c.text(), "created",
        Timestamps.format(c.created()));
  }

  static Map<String, Object> evidenceJson(CaseStore.Evidence e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("case", e.caseId());
    m.put("kind", e.kind());
    m.put("ref", e.ref());
    m.put("note", e.note());
    m.put("media_type", e.mediaType());
    m.put("sha256", e.sha256());
    m.put("added_by", e.addedBy());
    m.put("created", Timestamps.format(e.created()));
    return m;
  }
}
