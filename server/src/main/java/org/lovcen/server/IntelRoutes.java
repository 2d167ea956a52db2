package org.lovcen.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.lovcen.core.Problem;
import org.lovcen.core.Timestamps;
import org.lovcen.intel.ImportReport;
import org.lovcen.intel.Intel;
import org.lovcen.intel.Marking;
import org.lovcen.server.intel.IncidentExport;
import org.lovcen.server.intel.LiveIndicators;
import org.lovcen.server.taxii.FeedPoller;
import org.lovcen.server.taxii.TaxiiCollections;
import org.lovcen.server.taxii.TaxiiRoutes;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.Directory;
import org.lovcen.store.IncidentRow;
import org.lovcen.store.IncidentStore;
import org.lovcen.store.IntelStore;
import org.lovcen.store.Page;
import org.lovcen.store.TaxiiStore;

/*
 * How and why: the national CERT's side of indicator sharing, under /api/v1 with the API's
 * bearer tokens and problem documents: importing indicator files into the server (each import
 * republishes the live set and starts a retro-hunt), listing and revoking them, managing the
 * TAXII collections (administrators) and putting objects into them (analysts: an incident's
 * indicators, or a STIX bundle), the feeds' last polls, and an incident's indicators as a STIX
 * bundle or MISP event (scoped like the incident). The TAXII endpoints themselves are registered
 * from here too, so that the API needs one line for all of it.
 */
/** The /api/v1 routes for indicators, TAXII collections and incident exports. Thread-safe. */
final class IntelRoutes {
  private static final int MAX_EXPORT_ALERTS = 100_000;

  private final LovcenServer server;
  private final Directory directory;
  private final IntelStore intel;
  private final TaxiiStore taxii;
  private final TaxiiCollections collections;
  private final IncidentStore incidents;
  private final AlertStore alerts;

  private IntelRoutes(LovcenServer server) {
    this.server = server;
    this.directory = new Directory(server.database());
    this.intel = new IntelStore(server.database());
    this.taxii = new TaxiiStore(server.database());
    this.collections = new TaxiiCollections(server.database(), server.indicators());
    this.incidents = new IncidentStore(server.database());
    this.alerts = new AlertStore(server.database());
  }

  /** Registers the indicator, sharing and export routes, and the TAXII server. */
  static void register(Javalin app, LovcenServer server) {
    IntelRoutes r = new IntelRoutes(server);
    app.post("/api/v1/indicators/import", r::importIndicators);
    app.get("/api/v1/indicators", r::list);
    app.get("/api/v1/indicators/{id}", r::get);
    app.post("/api/v1/indicators/{id}/revoke", r::revoke);
    app.get("/api/v1/taxii/collections", r::listCollections);
    app.post("/api/v1/taxii/collections", r::createCollection);
    app.patch("/api/v1/taxii/collections/{id}", r::updateCollection);
    app.post("/api/v1/taxii/collections/{id}/objects", r::share);
    app.get("/api/v1/taxii/feeds", r::feeds);
    app.get("/api/v1/incidents/{id}/export", r::export);
    TaxiiRoutes.register(app, server, r.collections);
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

  private Principal national(Context ctx) {
    Principal p = principal(ctx);
    if (!p.national()) {
      throw ApiError.forbidden("the national CERT only");
    }
    return p;
  }

  private Principal admin(Context ctx) {
    Principal p = principal(ctx);
    if (!p.admin()) {
      throw ApiError.forbidden("administrators only");
    }
    return p;
  }

  // ---- indicators ----

  /** Imports one file (STIX bundle, MISP event, CSV or list; detected from the content). */
  private void importIndicators(Context ctx) {
    national(ctx);
    byte[] body = ctx.bodyAsBytes();
    if (body.length == 0) {
      throw ApiError.badRequest("send the indicator file as the request body");
    }
    String name = ctx.queryParamAsClass("name", String.class).getOrDefault("upload");
    String source = ctx.queryParam("source");
    Marking tlp = marking(ctx.queryParam("tlp"));
    Intel.Loaded loaded = Intel.read(body, name);
    LiveIndicators.Added added = server.indicators().add(loaded.indicators(), "import",
        source == null || source.isBlank() ? null : source, tlp);
    ImportReport report = loaded.reports().get(0);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", report.format());
    m.put("loaded", report.loaded());
    m.put("skipped", report.skipped());
    m.put("changed", added.changed());
    m.put("live", added.live());
    m.put("unsupported", report.unsupported().stream().map(IntelRoutes::problemJson).toList());
    m.put("errors", report.errors().stream().map(IntelRoutes::problemJson).toList());
    ctx.json(m);
  }

  private static Marking marking(String tlp) {
    if (tlp == null || tlp.isBlank()) {
      return Marking.NONE;
    }
    Marking m = Marking.ofLabel(tlp);
    if (m == null) {
      throw ApiError.badRequest("tlp '" + tlp + "' is no TLP level (clear, green, amber, amber+strict, red)");
    }
    return m;
  }

  private void list(Context ctx) {
    Principal p = national(ctx);
    String revoked = ctx.queryParam("revoked");
    IntelStore.Query q = new IntelStore.Query(ctx.queryParam("q"), ctx.queryParam("source"),
        revoked == null ? null : Boolean.parseBoolean(revoked), Api.limit(ctx), ctx.queryParam("cursor"));
    Page<IntelStore.Row> page = intel.list(p.scope(), q);
    ctx.json(Api.page(page, IntelRoutes::rowJson));
  }

  private void get(Context ctx) {
    Principal p = national(ctx);
    List<IntelStore.Row> rows = intel.byIndicator(p.scope(), ctx.pathParam("id"));
    if (rows.isEmpty()) {
      throw ApiError.notFound("indicator");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", ctx.pathParam("id"));
    m.put("live", server.indicators().current().find(ctx.pathParam("id")) != null);
    m.put("sources", rows.stream().map(IntelRoutes::rowJson).toList());
    ctx.json(m);
  }

  private void revoke(Context ctx) {
    Principal p = national(ctx);
    String id = ctx.pathParam("id");
    if (intel.byIndicator(p.scope(), id).isEmpty()) {
      throw ApiError.notFound("indicator");
    }
    int n = server.indicators().revoke(id);
    ctx.json(Map.of("id", id, "revoked", n));
  }

  static Map<String, Object> rowJson(IntelStore.Row r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.indicatorId());
    m.put("source", r.source());
    m.put("origin", r.origin());
    m.put("name", r.name());
    m.put("pattern", r.pattern());
    m.put("confidence", r.confidence() < 0 ? null : r.confidence());
    m.put("marking", Marking.values()[r.marking()].label());
    m.put("valid_from", r.validFrom() == null ? null : Timestamps.format(r.validFrom()));
    m.put("valid_until", r.validUntil() == null ? null : Timestamps.format(r.validUntil()));
    m.put("revoked", r.revoked());
    m.put("modified", r.modified().isEmpty() ? null : r.modified());
    m.put("added", Timestamps.format(r.added()));
    m.put("updated", Timestamps.format(r.updated()));
    return m;
  }

  private static Map<String, Object> problemJson(Problem p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("position", p.position());
    m.put("reason", p.reason());
    return m;
  }

  // ---- TAXII collections ----

  private void listCollections(Context ctx) {
    Principal p = national(ctx);
    List<Map<String, Object>> out = new ArrayList<>();
    for (TaxiiStore.Collection c : taxii.collections(p.scope())) {
      out.add(collectionJson(c, taxii.access(p.scope(), c.id())));
    }
    ctx.json(Map.of("items", out, "total", out.size()));
  }

  private void createCollection(Context ctx) throws IOException {
    admin(ctx);
    JsonNode b = Api.body(ctx);
    String title = Api.text(b, "title", true);
    TaxiiStore.Collection c = collection(UUID.randomUUID().toString(), title, b, null);
    List<TaxiiStore.Access> access = access(b);
    taxii.createCollection(c, access);
    ctx.status(201).json(collectionJson(c, access));
  }

  private void updateCollection(Context ctx) throws IOException {
    Principal p = admin(ctx);
    TaxiiStore.Collection old = taxii.collection(p.scope(), ctx.pathParam("id"))
        .orElseThrow(() -> ApiError.notFound("collection"));
    JsonNode b = Api.body(ctx);
    String title = Api.text(b, "title", false);
    TaxiiStore.Collection c = collection(old.id(), title == null ? old.title() : title, b, old);
    List<TaxiiStore.Access> access = b.has("read") || b.has("write") ? access(b) : null;
    taxii.updateCollection(c, access);
    ctx.json(collectionJson(c, access == null ? taxii.access(p.scope(), c.id()) : access));
  }

  /** A collection from the body's fields, falling back to {@code old}'s (or the defaults: max amber, default green). */
  private static TaxiiStore.Collection collection(String id, String title, JsonNode b, TaxiiStore.Collection old) {
    String description = Api.text(b, "description", false);
    String alias = Api.text(b, "alias", false);
    String max = Api.text(b, "max_tlp", false);
    String def = Api.text(b, "default_tlp", false);
    int maxRank = max != null ? TaxiiCollections.rank(max) : old != null ? old.maxMarking() : Marking.AMBER.ordinal();
    int defRank = def != null ? TaxiiCollections.rank(def) : old != null ? old.defaultMarking()
        : Marking.GREEN.ordinal();
    if (defRank > maxRank) {
      throw ApiError.badRequest("default_tlp " + TaxiiCollections.label(defRank) + " is above max_tlp "
          + TaxiiCollections.label(maxRank));
    }
    if (title.isBlank() || title.length() > 256) {
      throw ApiError.badRequest("a title has 1 to 256 characters");
    }
    return new TaxiiStore.Collection(id, title, description != null ? description : old != null ? old.description()
        : "", alias != null ? (alias.isBlank() ? null : alias) : old != null ? old.alias() : null, maxRank, defRank,
        true, true, old != null ? old.created() : Api.now());
  }

  /** The read and write lists of partner ids. */
  private List<TaxiiStore.Access> access(JsonNode b) {
    List<String> read = partners(b, "read");
    List<String> write = partners(b, "write");
    List<TaxiiStore.Access> out = new ArrayList<>();
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(read);
    all.addAll(write);
    for (String p : all) {
      out.add(new TaxiiStore.Access(p, read.contains(p), write.contains(p)));
    }
    return out;
  }

  private List<String> partners(JsonNode b, String field) {
    List<String> out = new ArrayList<>();
    JsonNode a = b.get(field);
    if (a == null || a.isNull()) {
      return out;
    }
    if (!a.isArray()) {
      throw ApiError.badRequest("field '" + field + "' must be a list of partner ids");
    }
    List<String> known = directory.partners().stream().map(Directory.Partner::id).toList();
    for (JsonNode v : a) {
      if (!v.isTextual() || !known.contains(v.asText())) {
        throw ApiError.badRequest("field '" + field + "': unknown partner " + v);
      }
      out.add(v.asText());
    }
    return out;
  }

  private static Map<String, Object> collectionJson(TaxiiStore.Collection c, List<TaxiiStore.Access> access) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("title", c.title());
    m.put("description", c.description());
    m.put("alias", c.alias());
    m.put("max_tlp", TaxiiCollections.label(c.maxMarking()));
    m.put("default_tlp", TaxiiCollections.label(c.defaultMarking()));
    m.put("read", access.stream().filter(TaxiiStore.Access::read).map(TaxiiStore.Access::partner).toList());
    m.put("write", access.stream().filter(TaxiiStore.Access::write).map(TaxiiStore.Access::partner).toList());
    return m;
  }

  /** Puts an incident's indicators ({"incident": id}) or a STIX bundle into a collection; answers the status. */
  private void share(Context ctx) throws IOException {
    Principal p = national(ctx);
    TaxiiStore.Collection c = taxii.collection(p.scope(), ctx.pathParam("id"))
        .orElseThrow(() -> ApiError.notFound("collection"));
    JsonNode b = Api.body(ctx);
    JsonNode objects;
    if (b.has("incident")) {
      if (!b.get("incident").canConvertToLong()) {
        throw ApiError.badRequest("field 'incident' must be an incident id");
      }
      IncidentRow r = incidents.get(p.scope(), b.get("incident").asLong());
      if (r == null) {
        throw ApiError.notFound("incident");
      }
      String bundle = IncidentExport.write(sighted(p, r), "stix", server.config().intel().identity());
      objects = Api.JSON.readTree(bundle).path("objects");
    } else if ("bundle".equals(b.path("type").asText()) && b.path("objects").isArray()) {
      objects = b.get("objects");
    } else {
      throw ApiError.badRequest("send {\"incident\": <id>} or a STIX 2.1 bundle");
    }
    if (objects.isEmpty()) {
      throw new ApiError(422, "nothing-to-share", "no objects to add (TLP:RED indicators are never shared)");
    }
    ctx.json(collections.add(c, objects, p.user().name(), null));
  }

  private void feeds(Context ctx) {
    national(ctx);
    List<Map<String, Object>> out = new ArrayList<>();
    for (FeedPoller.FeedStatus s : server.feeds().status()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", s.name());
      m.put("url", s.url());
      m.put("last_poll", s.lastPollMillis() == 0 ? null : Timestamps.format(s.lastPollMillis() * 1000));
      m.put("error", s.lastError());
      m.put("added_after", s.position() <= 0 ? null : Timestamps.format(s.position()));
      m.put("fetched", s.fetched());
      m.put("indicators", s.indicators());
      m.put("rejected", s.rejected());
      out.add(m);
    }
    ctx.json(Map.of("items", out, "total", out.size()));
  }

  // ---- export ----

  private void export(Context ctx) throws IOException {
    Principal p = principal(ctx);
    IncidentRow r = incidents.get(p.scope(), Api.id(ctx, "id"));
    if (r == null) {
      throw ApiError.notFound("incident");
    }
    String format = ctx.queryParamAsClass("format", String.class).getOrDefault("stix");
    if (!format.equals("stix") && !format.equals("misp")) {
      throw ApiError.badRequest("format '" + format + "' is neither stix nor misp");
    }
    String text = IncidentExport.write(sighted(p, r), format, server.config().intel().identity());
    ctx.header("Content-Disposition", "attachment; filename=\"incident-" + r.id() + "-" + format + ".json\"");
    ctx.contentType(format.equals("stix") ? "application/stix+json;version=2.1" : "application/json").result(text);
  }

  private IncidentExport.Sighted sighted(Principal p, IncidentRow r) {
    List<AlertRow> all = new ArrayList<>();
    String cursor = null;
    do {
      Page<AlertRow> page = alerts.list(p.scope(), new AlertQuery(null, null, null, null, null, null, null, r.id(),
          "indicator", 1000, cursor));
      all.addAll(page.items());
      cursor = page.next();
    } while (cursor != null && all.size() < MAX_EXPORT_ALERTS);
    return IncidentExport.of(all, server.indicators(), server.database());
  }
}
