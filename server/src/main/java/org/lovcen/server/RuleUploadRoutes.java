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
import org.lovcen.core.Timestamps;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.Directory;
import org.lovcen.store.Role;
import org.lovcen.store.RuleUploadStore;
import org.lovcen.store.Scope;

/*
 * How and why: a rule file uploaded through the API runs beside the rules of rules.paths without
 * a restart. The file is checked as POST /api/v1/rules/check checks it (every problem with its
 * line; nothing is stored when there is one), its rule ids must not be running already, and it
 * holds detection rules only (correlations and filters belong in rules.paths and the
 * institutions' filters). It is stored in rule_uploads, then the server compiles every upload
 * into the engine snapshot (LovcenServer.reloadUploads, as a rule reload does) and, in Kafka
 * mode, publishes them to the workers; at start the stored uploads are compiled (and published)
 * again. An upload is national (the national CERT's: every institution's events) or one
 * institution's (only its events: RuleUploads.owners, applied through InstitutionRules).
 */
/** The /api/v1/rules/uploads routes. Thread-safe (stateless). */
final class RuleUploadRoutes {
  private final LovcenServer server;
  private final Function<Context, Principal> principal;
  private final RuleUploadStore uploads;
  private final Directory directory;

  private RuleUploadRoutes(LovcenServer server, Function<Context, Principal> principal) {
    this.server = server;
    this.principal = principal;
    this.uploads = new RuleUploadStore(server.database());
    this.directory = new Directory(server.database());
  }

  static void register(Javalin app, LovcenServer server, Function<Context, Principal> principal) {
    RuleUploadRoutes r = new RuleUploadRoutes(server, principal);
    app.get("/api/v1/rules/uploads", r::list);
    app.post("/api/v1/rules/uploads", r::upload);
    app.delete("/api/v1/rules/uploads/{id}", r::delete);
  }

  private Principal member(Context ctx) {
    Principal p = principal.apply(ctx);
    if (p.role() == Role.PARTNER) {
      throw ApiError.forbidden("partners do not run rules");
    }
    return p;
  }

  private void list(Context ctx) {
    Principal p = member(ctx);
    List<Map<String, Object>> items = uploads.list(p.scope()).stream().map(RuleUploadRoutes::json).toList();
    ctx.json(Map.of("items", items, "total", items.size()));
  }

  private void upload(Context ctx) throws IOException {
    Principal p = member(ctx);
    JsonNode b = Api.body(ctx);
    String name = Api.text(b, "name", false);
    name = name == null || name.isBlank() ? "uploaded.yml" : name.strip();
    if (name.length() > 256) {
      throw ApiError.badRequest("field 'name' is longer than 256 characters");
    }
    String yaml = AnalystRoutes.ruleText(b);
    String institution = institution(b, p);
    Map<String, Object> check = AnalystRoutes.check(server, name, yaml);
    @SuppressWarnings("unchecked")
    List<String> problems = (List<String>) check.get("problems");
    if (!problems.isEmpty()) {
      throw new ApiError(422, "invalid-rule", name + " has " + problems.size() + " problem"
          + (problems.size() == 1 ? "" : "s") + ": " + problems.get(0), problems);
    }
    RuleSet.Check c = RuleSet.check(name, yaml, Map.of());
    if (c.others() > 0) {
      throw ApiError.badRequest(name + ": holds " + c.others() + " correlation or filter document(s); an upload "
          + "holds detection rules only (correlations go in rules.paths, filters in the institution's filters)");
    }
    if (c.rules().isEmpty()) {
      throw ApiError.badRequest(name + ": no detection rule in the file");
    }
    Set<String> ids = new HashSet<>();
    for (var rule : c.rules()) {
      if (!ids.add(rule.id())) {
        throw ApiError.badRequest(name + ": rule id " + rule.id() + " is used twice in the file");
      }
    }
    for (var running : server.engine().allRules()) {
      if (ids.contains(running.id())) {
        throw new ApiError(409, "conflict", "rule id " + running.id() + " is already running ('"
            + running.title() + "'); give the uploaded rule its own id");
      }
    }
    RuleUploadStore.Upload u = uploads.add(p.scope(), institution, name, yaml, p.user().name(), Api.now());
    if (u == null) {
      throw ApiError.forbidden(institution == null ? "national rules are the national CERT's"
          : "no access to institution '" + institution + "'");
    }
    server.reloadUploads();
    SecurityLog.event("rule.uploaded", p.user().name(), ctx.ip(), "upload", Long.toString(u.id()), "institution",
        institution == null ? "" : institution, "rules", String.join(",", ids));
    ctx.status(201).json(json(u));
  }

  /** The upload's institution: the body's, else the caller's own (null for the national CERT: national). */
  private String institution(JsonNode b, Principal p) {
    String inst = Api.text(b, "institution", false);
    if (inst != null && inst.isEmpty()) {
      inst = null;
    }
    if (inst == null && p.scope() instanceof Scope.OfInstitution o) {
      return o.institution();
    }
    if (inst != null && !p.scope().sees(inst)) {
      throw ApiError.forbidden("no access to institution '" + inst + "'");
    }
    if (inst != null && directory.institution(Scope.NATIONAL, inst).isEmpty()) {
      throw ApiError.badRequest("unknown institution '" + inst + "'");
    }
    return inst;
  }

  private void delete(Context ctx) {
    Principal p = member(ctx);
    long id = Api.id(ctx, "id");
    RuleUploadStore.Upload u = uploads.get(p.scope(), id);
    if (u == null) {
      throw ApiError.notFound("rule upload");
    }
    if (!uploads.delete(p.scope(), id)) {
      throw ApiError.forbidden("national rules are the national CERT's");
    }
    server.reloadUploads();
    SecurityLog.event("rule.upload.deleted", p.user().name(), ctx.ip(), "upload", Long.toString(id), "institution",
        u.institution() == null ? "" : u.institution());
    ctx.status(204);
  }

  static Map<String, Object> json(RuleUploadStore.Upload u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", u.id());
    m.put("name", u.name());
    m.put("institution", u.institution());
    List<Map<String, Object>> rules = new ArrayList<>();
    for (var r : RuleSet.check(u.name(), u.yaml(), Map.of()).rules()) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("id", r.id());
      x.put("title", r.title());
      x.put("level", r.level() == null ? null : r.level().label());
      rules.add(x);
    }
    m.put("rules", rules);
    m.put("yaml", u.yaml());
    m.put("created", Timestamps.format(u.created()));
    m.put("created_by", u.createdBy());
    return m;
  }
}
