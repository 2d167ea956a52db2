package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.lovcen.core.Level;
import org.lovcen.core.Timestamps;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.DecisionQuery;
import org.lovcen.store.DecisionRow;
import org.lovcen.store.DecisionStore;
import org.lovcen.store.Directory;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.Role;
import org.lovcen.store.Scope;
import org.lovcen.store.SiteMinute;
import org.lovcen.store.SiteStats;
import org.lovcen.store.SourceSketch;
import org.lovcen.web.Cidr;
import org.lovcen.web.Decision;
import org.lovcen.web.WebDetector;

/*
 * How and why: the website side of the API. Decisions are read and changed through the caller's
 * scope like incidents (another institution's decision is 404; partners have none); a decision an
 * analyst creates passes the web configuration's allowlist like a detector's. Who created and who
 * revoked a decision, and when, stay on its row, and each change is a security event (SecurityLog). Site statistics are the per-minute rows the
 * detection loop writes; the site list summarises each site's newest minutes and the attacks
 * under way then (relative to the site's own data, not the wall clock), the series sums
 * minutes into steps (distinct sources by merging the minutes' sketches). The CrowdSec bouncer
 * endpoints (/v1/decisions...) are DecisionsApi's handlers over the store, keyed by configured
 * keys (decisions.bouncer_keys) and bouncer tokens issued here.
 */
/** The /api/v1 routes for decisions, site statistics and bouncer keys, and the bouncer endpoints. Thread-safe. */
final class WebRoutes {
  private static final long MINUTE = 60_000_000L;
  private static final int MAX_POINTS = 2000;
  private static final int MAX_DURATION_MINUTES = 525_600;
  /** How far back from the end of a site's newest minute an attack's last evidence counts as under way. */
  static final int CURRENT_MINUTES = 10;
  private static final java.util.Set<String> DETECTORS = java.util.Set.copyOf(WebDetector.DETECTORS);
  /** Detectors whose alerts give the number of their sources rather than name them. */
  private static final java.util.Set<String> COUNTED = java.util.Set.of("distributed_flood", "campaign");

  private final LovcenServer server;
  private final Function<Context, Principal> principal;
  private final Directory directory;
  private final DecisionStore decisions;
  private final SiteStats stats;
  private final AlertStore alerts;
  private final IncidentStore incidents;

  private WebRoutes(LovcenServer server, Function<Context, Principal> principal) {
    this.server = server;
    this.principal = principal;
    this.directory = new Directory(server.database());
    this.decisions = new DecisionStore(server.database());
    this.stats = new SiteStats(server.database());
    this.alerts = new AlertStore(server.database());
    this.incidents = new IncidentStore(server.database());
  }

  /** Registers the routes on the server's app; {@code principal} resolves the caller. */
  static void register(Javalin app, LovcenServer server, Function<Context, Principal> principal) {
    WebRoutes r = new WebRoutes(server, principal);
    app.get("/api/v1/decisions", r::list);
    app.post("/api/v1/decisions", r::create);
    app.get("/api/v1/decisions/{id}", r::get);
    app.post("/api/v1/decisions/{id}/revoke", r::revoke);
    app.delete("/api/v1/decisions/{id}", r::delete);
    app.get("/api/v1/sites", r::sites);
    app.get("/api/v1/sites/{site}/series", r::series);
    app.post("/api/v1/bouncers", r::issueBouncer);
    DecisionsApi.mount(app, r::bouncer, r::served, server.clock());
  }

  private long now() {
    return server.nowMicros();
  }

  private Principal reader(Context ctx) {
    Principal p = principal.apply(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("partners have no access to decisions and site statistics");
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

  // ---- decisions ----

  private void list(Context ctx) {
    Principal p = reader(ctx);
    String active = ctx.queryParam("active");
    if (active != null && !active.equals("true") && !active.equals("false")) {
      throw ApiError.badRequest("parameter 'active': '" + active + "' is not true or false");
    }
    DecisionQuery q = new DecisionQuery(institutionParam(ctx, p), active == null ? null : Boolean.valueOf(active),
        ctx.queryParam("scope"), ctx.queryParam("value"), ctx.queryParam("type"), ctx.queryParam("origin"),
        ctx.queryParam("site"), Api.time(ctx, "from"), Api.time(ctx, "to"), Api.limit(ctx), ctx.queryParam("cursor"));
    long now = now();
    ctx.json(Api.page(decisions.list(p.scope(), q, now), d -> json(d, now)));
  }

  private void get(Context ctx) {
    Principal p = reader(ctx);
    DecisionRow d = decisions.get(p.scope(), Api.id(ctx, "id"));
    if (d == null) {
      throw ApiError.notFound("decision");
    }
    ctx.json(json(d, now()));
  }

  private void create(Context ctx) throws IOException {
    Principal p = reader(ctx);
    JsonNode b = Api.body(ctx);
    String inst = Api.text(b, "institution", false);
    if (inst == null && p.role() == Role.INSTITUTION_ANALYST) {
      inst = p.user().institution();
    }
    if (inst == null) {
      throw ApiError.badRequest("missing field 'institution'");
    }
    if (!p.scope().sees(inst)) {
      throw ApiError.forbidden("no access to institution '" + inst + "'");
    }
    if (directory.institution(Scope.NATIONAL, inst).isEmpty()) {
      throw ApiError.badRequest("unknown institution '" + inst + "'");
    }
    String value = Api.text(b, "value", true).trim();
    Cidr cidr;
    try {
      cidr = Cidr.parse(value);
    } catch (RuntimeException e) {
      throw ApiError.badRequest("field 'value': '" + value + "' is not an IPv4 or IPv6 address or network");
    }
    String scope = value.contains("/") ? "range" : "ip";
    String type = choice(b, "type", "ban", List.of("ban", "captcha"));
    String origin = choice(b, "origin", "analyst", List.of("analyst", "case"));
    int minutes = Api.integer(b, "duration_minutes", (int) (server.webConfig().decisionMicros() / MINUTE), 1,
        MAX_DURATION_MINUTES);
    String reason = Api.text(b, "reason", true);
    if (reason.isBlank() || reason.length() > 1000) {
      throw ApiError.badRequest("field 'reason' has 1 to 1000 characters");
    }
    Long alert = link(b, "alert", inst, p);
    Long incident = link(b, "incident", inst, p);
    if (server.webConfig().allowlisted(cidr)) {
      throw new ApiError(422, "allowlisted", "'" + value + "' overlaps the allowlist of the web configuration "
          + "(decisions.allowlist); no decision is taken on it");
    }
    long now = now();
    DecisionRow d = decisions.create(p.scope(), inst, scope, value, type, reason, origin, p.user().name(),
        now + minutes * MINUTE, alert, incident, now);
    SecurityLog.event("decision.created", p.user().name(), ctx.ip(), "decision", Long.toString(d.id()),
        "institution", inst, "type", type, "value", value, "minutes", Integer.toString(minutes));
    ctx.status(201).json(json(d, now));
  }

  private static String choice(JsonNode b, String field, String absent, List<String> allowed) {
    String v = Api.text(b, field, false);
    if (v == null) {
      return absent;
    }
    if (!allowed.contains(v)) {
      throw ApiError.badRequest("field '" + field + "': '" + v + "' is not one of " + String.join(", ", allowed));
    }
    return v;
  }

  /** An alert or incident id the decision refers to: it must be the institution's and visible. */
  private Long link(JsonNode b, String field, String institution, Principal p) {
    JsonNode v = b.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToLong()) {
      throw ApiError.badRequest("field '" + field + "' must be an id");
    }
    long id = v.asLong();
    String owner = field.equals("alert") ? alertInstitution(p.scope(), id) : incidentInstitution(p.scope(), id);
    if (!institution.equals(owner)) {
      throw ApiError.badRequest("field '" + field + "': no " + field + " " + id + " of institution '" + institution
          + "'");
    }
    return id;
  }

  private String alertInstitution(Scope scope, long id) {
    AlertRow a = alerts.get(scope, id);
    return a == null ? null : a.institution();
  }

  private String incidentInstitution(Scope scope, long id) {
    var i = incidents.get(scope, id);
    return i == null ? null : i.institution();
  }

  private void revoke(Context ctx) {
    ctx.json(json(revoked(ctx), now()));
  }

  private void delete(Context ctx) {
    revoked(ctx);
    ctx.status(204);
  }

  /** Revokes the decision of the path (audited); 404 when not visible. */
  private DecisionRow revoked(Context ctx) {
    Principal p = reader(ctx);
    DecisionRow d = decisions.revoke(p.scope(), Api.id(ctx, "id"), p.user().name(), now());
    if (d == null) {
      throw ApiError.notFound("decision");
    }
    SecurityLog.event("decision.revoked", p.user().name(), ctx.ip(), "decision", Long.toString(d.id()),
        "institution", d.institution(), "value", d.value());
    return d;
  }

  static Map<String, Object> json(DecisionRow d, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("institution", d.institution());
    m.put("scope", d.scope());
    m.put("value", d.value());
    m.put("type", d.type());
    m.put("scenario", d.scenario());
    m.put("reason", d.reason());
    m.put("origin", d.origin());
    m.put("site", d.site());
    m.put("active", d.active(now));
    m.put("created", Timestamps.format(d.created()));
    m.put("created_by", d.createdBy());
    m.put("until", Timestamps.format(d.until()));
    m.put("revoked_at", d.revokedAt() == null ? null : Timestamps.format(d.revokedAt()));
    m.put("revoked_by", d.revokedBy());
    m.put("alert", d.alert());
    m.put("incident", d.incident());
    m.put("detected", d.detected() == null ? null : Timestamps.format(d.detected()));
    return m;
  }

  // ---- bouncers ----

  private void issueBouncer(Context ctx) throws IOException {
    Principal p = principal.apply(ctx);
    if (!p.admin()) {
      throw ApiError.forbidden("administrators only");
    }
    JsonNode b = ctx.contentLength() > 0 ? Api.body(ctx) : Api.JSON.createObjectNode();
    String name = Api.text(b, "name", false);
    String inst = Api.text(b, "institution", false);
    if (inst != null && directory.institution(Scope.NATIONAL, inst).isEmpty()) {
      throw ApiError.badRequest("unknown institution '" + inst + "'");
    }
    String key = directory.issueToken("bouncer", name == null ? "bouncer" : name, null, inst, null);
    SecurityLog.event("token.issued", p.user().name(), ctx.ip(), "kind", "bouncer", "institution",
        inst == null ? "" : inst);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key", key);
    m.put("name", name == null ? "bouncer" : name);
    m.put("institution", inst);
    ctx.status(201).json(m);
  }

  /** A configured key ({@code KEY} or {@code KEY@institution}), else a bouncer token. */
  private DecisionsApi.Bouncer bouncer(String key) {
    for (String k : server.config().decisions().bouncerKeys()) {
      int at = k.lastIndexOf('@');
      String secret = at < 0 ? k : k.substring(0, at);
      if (!secret.isEmpty() && java.security.MessageDigest.isEqual(secret.getBytes(), key.getBytes())) {
        return new DecisionsApi.Bouncer("configured", at < 0 ? null : k.substring(at + 1));
      }
    }
    return directory.resolveBouncer(key, now()).map(g -> new DecisionsApi.Bouncer("bouncer", g.institution()))
        .orElse(null);
  }

  /** The stored decisions a bouncer may see, as served decisions (a revoked one ends when revoked). */
  private List<DecisionsApi.Served> served(DecisionsApi.Bouncer b, Long sinceMillis, long nowMillis) {
    List<DecisionRow> rows = sinceMillis == null ? decisions.active(b.institution(), nowMillis * 1000)
        : decisions.changedSince(b.institution(), sinceMillis * 1000, nowMillis * 1000);
    List<DecisionsApi.Served> out = new ArrayList<>(rows.size());
    for (DecisionRow d : rows) {
      long end = d.revokedAt() == null ? d.until() : Math.min(d.until(), d.revokedAt());
      out.add(new DecisionsApi.Served(d.id(), new Decision(d.type(), d.scope(), d.value(), d.created(), d.until(),
          d.reason(), d.scenario(), d.site()), d.created() / 1000, end / 1000, d.updated() / 1000));
    }
    return out;
  }

  // ---- sites ----

  private void sites(Context ctx) {
    Principal p = reader(ctx);
    long now = now();
    Map<String, Long> active = decisions.activeBySite(p.scope(), now);
    List<Object> items = new ArrayList<>();
    for (SiteStats.Site s : stats.sites(p.scope(), institutionParam(ctx, p))) {
      items.add(site(p.scope(), s, active.getOrDefault(s.institution() + '\0' + s.site(), 0L)));
    }
    ctx.json(Map.of("items", items, "total", items.size()));
  }

  private Map<String, Object> site(Scope scope, SiteStats.Site s, long activeDecisions) {
    long from = s.lastMinute() - 4 * MINUTE;
    List<SiteMinute> recent = stats.minutes(scope, s.institution(), s.site(), from, s.lastMinute() + MINUTE);
    long req = 0;
    long e4 = 0;
    long e5 = 0;
    long first = s.lastMinute();
    SourceSketch sources = new SourceSketch();
    for (SiteMinute m : recent) {
      req += m.requests();
      e4 += m.status4xx();
      e5 += m.status5xx();
      first = Math.min(first, m.minute());
      sources.merge(m.sources());
    }
    long span = (s.lastMinute() - first) / MINUTE + 1;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("institution", s.institution());
    m.put("site", s.site());
    m.put("last_minute", Timestamps.format(s.lastMinute()));
    m.put("requests_per_second", round(req / (span * 60.0)));
    m.put("error_share", round(req == 0 ? 0 : (double) e5 / req));
    m.put("client_error_share", round(req == 0 ? 0 : (double) e4 / req));
    m.put("sources", sources.estimate());
    m.put("active_decisions", activeDecisions);
    attacks(m, scope, s);
    return m;
  }

  /**
   * The site's attacks under way: its web alerts whose last time reaches into the last
   * {@link #CURRENT_MINUTES} minutes of the site's own data (up to the end of its newest minute),
   * not of the wall clock, so that replayed or investigated traffic shows what was going on when it
   * was logged. A web alert's last time moves forward while its attack goes on (WebDetector reports
   * it at most once a minute), so an attack stays under way as long as it lasts, and ends at most
   * {@link #CURRENT_MINUTES} minutes after its last evidence.
   */
  private void attacks(Map<String, Object> m, Scope scope, SiteStats.Site s) {
    long end = s.lastMinute() + MINUTE;
    long from = end - CURRENT_MINUTES * MINUTE;
    List<Object> alertList = new ArrayList<>();
    for (AlertRow a : alerts.webAlerts(scope, s.institution(), s.site(), from, 50)) {
      alertList.add(attackAlert(a));
    }
    List<Object> kinds = new ArrayList<>();
    for (AlertStore.WebAttack k : alerts.webAttacks(scope, s.institution(), s.site(), from, DETECTORS, COUNTED)) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("kind", k.kind());
      x.put("title", k.kind().equals("exploit") ? "Exploit attempts" : k.title());
      x.put("level", Level.values()[Math.max(0, Math.min(Level.values().length - 1, k.levelRank()))].label());
      x.put("since", Timestamps.format(k.first()));
      x.put("last", Timestamps.format(k.last()));
      x.put("alerts", k.alerts());
      x.put("sources", k.sources());
      x.put("rules", k.rules());
      x.put("newest_alert", k.newest());
      kinds.add(x);
    }
    m.put("attacks", alertList);
    m.put("current_attacks", kinds);
    List<AlertRow> newest = alerts.webAlerts(scope, s.institution(), s.site(), null, 1);
    m.put("last_attack", newest.isEmpty() ? null : attackAlert(newest.get(0)));
  }

  private static Map<String, Object> attackAlert(AlertRow a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alert", a.id());
    m.put("detector", a.ruleId());
    m.put("title", a.ruleTitle());
    m.put("level", a.level());
    m.put("first", Timestamps.format(a.ts()));
    m.put("last", Timestamps.format(a.lastTs()));
    m.put("incident", a.incident());
    return m;
  }

  private void series(Context ctx) {
    Principal p = reader(ctx);
    String site = ctx.pathParam("site");
    String inst = institutionParam(ctx, p);
    long step = step(ctx);
    List<SiteStats.Site> known = stats.sites(p.scope(), inst).stream().filter(s -> s.site().equals(site)).toList();
    if (known.isEmpty()) {
      throw ApiError.notFound("site '" + site + "'");
    }
    long last = known.stream().mapToLong(SiteStats.Site::lastMinute).max().getAsLong();
    Long toParam = Api.time(ctx, "to");
    Long fromParam = Api.time(ctx, "from");
    long to = toParam != null ? toParam : last + MINUTE;
    long from = fromParam != null ? fromParam : to - 360 * MINUTE;
    from -= Math.floorMod(from, step);
    if (to <= from) {
      throw ApiError.badRequest("parameter 'to' must be after 'from'");
    }
    if ((to - from + step - 1) / step > MAX_POINTS) {
      throw ApiError.badRequest("more than " + MAX_POINTS + " points: choose a shorter range or a longer 'step'");
    }
    int n = (int) ((to - from + step - 1) / step);
    long[][] sums = new long[n][4];
    SourceSketch[] sketches = new SourceSketch[n];
    for (SiteMinute m : stats.minutes(p.scope(), inst, site, from, to)) {
      int i = (int) ((m.minute() - from) / step);
      sums[i][0] += m.requests();
      sums[i][1] += m.status4xx();
      sums[i][2] += m.status5xx();
      sums[i][3] += m.bytes();
      if (sketches[i] == null) {
        sketches[i] = new SourceSketch();
      }
      sketches[i].merge(m.sources());
    }
    List<Object> points = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, Object> pt = new LinkedHashMap<>();
      pt.put("time", Timestamps.format(from + i * step));
      pt.put("requests", sums[i][0]);
      pt.put("requests_per_second", round(sums[i][0] / (step / 1e6)));
      pt.put("status_4xx", sums[i][1]);
      pt.put("status_5xx", sums[i][2]);
      pt.put("bytes", sums[i][3]);
      pt.put("sources", sketches[i] == null ? 0 : sketches[i].estimate());
      points.add(pt);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("site", site);
    m.put("institution", inst);
    m.put("from", Timestamps.format(from));
    m.put("to", Timestamps.format(to));
    m.put("step", step / 1_000_000L);
    m.put("points", points);
    ctx.json(m);
  }

  /** {@code step} in seconds: a whole number of minutes from 60 to 86400; micros. */
  private static long step(Context ctx) {
    String v = ctx.queryParam("step");
    if (v == null) {
      return MINUTE;
    }
    try {
      long s = Long.parseLong(v);
      if (s < 60 || s > 86_400 || s % 60 != 0) {
        throw new NumberFormatException();
      }
      return s * 1_000_000L;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("parameter 'step': '" + v + "' is not a whole number of minutes in seconds "
          + "(60 to 86400)");
    }
  }

  private static double round(double d) {
    return Math.round(d * 1000) / 1000.0;
  }
}
