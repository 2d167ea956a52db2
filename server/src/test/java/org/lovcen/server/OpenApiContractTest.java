package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * openapi.json against the running server: the same routes, and every response of a seeded
 * server (institution, events that raise single-event and correlation alerts, incidents, a note,
 * a share, users, tokens, a filter) valid against the documented schema of its status.
 *
 * <p>The routes are the same whatever the database, so that test runs on SQLite only. Response
 * shapes are checked on both databases: the JSON comes from rows the two dialects map
 * separately (nullable columns, booleans stored as integers, JSON text columns), so a shape can
 * differ by database.
 */
class OpenApiContractTest {
  private static final OpenApiDocument DOC = OpenApiDocument.load();
  private static final String LSASS_RULE = "00dbfa93-f331-47bc-bdd0-72c795281976";
  private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

  @TempDir Path dir;

  @Test
  void routes_sameInServerAndDocument() {
    try (TestServer s = TestServer.start("sqlite", dir)) {
      Set<String> served = new TreeSet<>(s.server.routes());
      // TAXII 2.1 (under /taxii2/) is specified by OASIS, not by this document; its own contract
      // and access tests (TaxiiContractTest, TaxiiAccessTest) cover it
      served.removeIf(r -> r.contains(" /taxii2"));
      // the bouncer endpoints (/v1/decisions...) speak CrowdSec's local API, not this document's
      // conventions; BouncerContractTest and ServeWebDifferentialTest (cli) cover them
      served.removeIf(r -> r.contains(" /v1/"));
      Set<String> documented = DOC.operations();
      assertThat(served).as("routes of the server missing from openapi.json").isSubsetOf(documented);
      assertThat(documented).as("operations of openapi.json the server does not have").isSubsetOf(served);
    }
  }

  @Test
  void document_refsResolve_pathParametersDeclared_errorsAreProblems() {
    List<String> problems = new ArrayList<>();
    refs(DOC.doc, "#", problems);
    Set<String> ids = new TreeSet<>();
    DOC.doc.path("paths").properties().forEach(p -> {
      Set<String> inTemplate = new TreeSet<>();
      Matcher m = PARAM.matcher(p.getKey());
      while (m.find()) {
        inTemplate.add(m.group(1));
      }
      for (String method : OpenApiDocument.METHODS) {
        JsonNode op = p.getValue().get(method);
        if (op != null) {
          String where = method.toUpperCase(Locale.ROOT) + " " + p.getKey();
          if (!ids.add(op.path("operationId").asText())) {
            problems.add(where + ": operationId missing or repeated");
          }
          Set<String> declared = new TreeSet<>();
          op.path("parameters").forEach(x -> {
            JsonNode param = x.has("$ref") ? DOC.target(x.get("$ref").asText()) : x;
            if (param != null && param.path("in").asText().equals("path")) {
              declared.add(param.path("name").asText());
            }
          });
          if (!declared.equals(inTemplate)) {
            problems.add(where + ": path parameters " + declared + ", template has " + inTemplate);
          }
          errorResponses(where, op, problems);
        }
      }
    });
    assertThat(problems).isEmpty();
  }

  private static void refs(JsonNode node, String at, List<String> problems) {
    if (node.isObject()) {
      JsonNode ref = node.get("$ref");
      if (ref != null && DOC.target(ref.asText()) == null) {
        problems.add(at + ": $ref " + ref.asText() + " does not resolve");
      }
      node.properties().forEach(e -> refs(e.getValue(), at + "/" + e.getKey(), problems));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        refs(node.get(i), at + "/" + i, problems);
      }
    }
  }

  /** Every 4xx/5xx is a problem document; every operation that needs a token documents 401. */
  private static void errorResponses(String where, JsonNode op, List<String> problems) {
    boolean needsToken = !op.has("security") || !op.get("security").isEmpty();
    if (needsToken && !op.path("responses").has("401")) {
      problems.add(where + ": needs a token but documents no 401");
    }
    op.path("responses").properties().forEach(r -> {
      if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
        JsonNode resp = r.getValue().has("$ref") ? DOC.target(r.getValue().get("$ref").asText()) : r.getValue();
        JsonNode schema = resp == null ? null : resp.path("content").path("application/problem+json").get("schema");
        boolean problem = schema != null && schema.path("$ref").asText().equals("#/components/schemas/Problem");
        boolean readiness = where.equals("GET /readyz");
        if (!problem && !readiness) {
          problems.add(where + " " + r.getKey() + ": not an application/problem+json Problem");
        }
      }
    });
  }

  @Test
  void checker_reportsMissingExtraWronglyTypedAndBadlyFormattedFields() {
    String good = "{\"id\":1,\"institution\":\"mf\",\"time\":\"2022-08-22T10:00:00.000000Z\",\"host\":null,"
        + "\"channel\":null,\"provider\":null,\"event_id\":4625,\"source\":\"http:mf\",\"record\":1,\"fields\":{}}";
    String event = OpenApiDocument.component("Event");
    assertThat(DOC.validate("good", event, good)).isEmpty();
    assertThat(DOC.validate("missing", event, good.replace("\"id\":1,", ""))).singleElement().asString()
        .contains("id");
    assertThat(DOC.validate("extra", event, good.replace("{\"id\":1,", "{\"id\":1,\"secret\":2,")))
        .singleElement().asString().contains("secret");
    assertThat(DOC.validate("type", event, good.replace("\"record\":1", "\"record\":\"1\""))).singleElement()
        .asString().contains("record");
    assertThat(DOC.validate("format", event, good.replace("2022-08-22T10:00:00.000000Z", "yesterday")))
        .singleElement().asString().contains("time");
    assertThat(DOC.validate("enum", OpenApiDocument.component("Level"), "\"severe\"")).hasSize(1);
    assertThat(DOC.check("GET", "/api/v1/events/{id}", 200, "application/json", "{}")).isNotEmpty();
    assertThat(DOC.check("GET", "/api/v1/events/{id}", 404, "application/problem+json", "{}")).isNotEmpty();
    assertThat(DOC.check("GET", "/api/v1/events", 418, "application/json", "{}")).singleElement().asString()
        .contains("not documented");
    assertThat(DOC.check("GET", "/api/v1/events", 200, "text/html", "<p>")).singleElement().asString()
        .contains("text/html");
  }

  // ---- responses of a seeded server ----

  /** Calls the server and checks every answer against the document; remembers what was covered. */
  private static final class Contract {
    final TestServer s;
    final List<String> problems = new ArrayList<>();
    final Set<String> covered = new TreeSet<>();

    Contract(TestServer s) {
      this.s = s;
    }

    /** Checks {@code r}, the answer to {@code METHOD path} whose route is {@code template}. */
    TestServer.Response check(String method, String template, TestServer.Response r, int expected) {
      if (r.status() != expected) {
        problems.add(method + " " + template + ": expected " + expected + ", got " + r.status() + " " + r.body());
      }
      problems.addAll(DOC.check(method, template, r.status(), r.header("Content-Type"), r.body()));
      if (r.status() < 400) { // a success or, for GET /, the documented redirect
        covered.add(method + " " + template);
      }
      return r;
    }

    /** GET of a concrete path; the template is the path with its ids put back as {params}. */
    JsonNode get(String path, String template, String token) {
      return check("GET", template, s.get(path, token), 200).json();
    }

    JsonNode get(String path, String token) {
      return get(path, path.split("\\?")[0], token);
    }

    TestServer.Response send(String method, String path, String template, String token, Object body, int expected) {
      TestServer.Response r = switch (method) {
        case "POST" -> body == null ? s.post(path, token, null, new byte[0]) : s.postJson(path, token, body);
        case "PUT" -> s.putJson(path, token, body);
        case "PATCH" -> s.patchJson(path, token, body);
        case "DELETE" -> s.delete(path, token);
        default -> throw new IllegalArgumentException(method);
      };
      return check(method, template, r, expected);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void responses_validateAgainstDocumentedSchemas(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      Contract c = new Contract(s);
      Seed seed = seed(c);
      reads(c, seed);
      casesAndCampaigns(c, seed);
      errors(c, seed);
      web(c, seed);
      removals(c, seed);
      assertThat(c.problems).isEmpty();
      TreeSet<String> gets = new TreeSet<>(DOC.operations().stream().filter(o -> o.startsWith("GET ")).toList());
      gets.removeAll(c.covered);
      assertThat(gets).as("documented GET operations this test never answered with 2xx").isEmpty();
    }
  }

  /** What the seed made, for the reads. */
  private record Seed(String admin, String analyst, String partner, String ingest, String apiToken, long incident,
      long sigmaAlert, long correlationAlert, long event, long filter, long tokenId) {}

  private static Seed seed(Contract c) {
    TestServer s = c.s;
    JsonNode session = c.check("POST", "/api/v1/auth/login", s.postJson("/api/v1/auth/login", null,
        Map.of("name", "admin", "password", TestServer.ADMIN_PASSWORD)), 200).json();
    String admin = session.get("token").asText();
    c.send("POST", "/api/v1/institutions", "/api/v1/institutions", admin, Map.of("id", "mf", "name",
        "Ministry of Finance", "retention_days", 30, "syslog_sources", "192.0.2.0/24"), 201);
    String ingest = c.send("POST", "/api/v1/institutions/mf/ingest-tokens", "/api/v1/institutions/{id}/ingest-tokens",
        admin, Map.of("name", "mf-collector"), 201).json().get("token").asText();
    c.send("PATCH", "/api/v1/institutions/mf", "/api/v1/institutions/{id}", admin, Map.of("retention_days", 60,
        "syslog_sources", "192.0.2.0/24, 198.51.100.7"), 200);
    c.send("POST", "/api/v1/partners", "/api/v1/partners", admin, Map.of("id", "cert-ee", "name", "CERT-EE"), 201);
    c.send("POST", "/api/v1/users", "/api/v1/users", admin, user("ana", "institution_analyst", "mf", null), 201);
    c.send("POST", "/api/v1/users", "/api/v1/users", admin, user("pat", "partner", null, "cert-ee"), 201);
    String analyst = s.login("ana", "ana-long-password");
    String partner = s.login("pat", "pat-long-password");
    String apiToken = c.send("POST", "/api/v1/tokens", "/api/v1/tokens", admin, Map.of("name", "script", "days", 30),
        201).json().get("token").asText();

    JsonNode receipt = c.check("POST", "/api/v1/ingest/events", s.ingest(ingest, Events.first() + "not json\n",
        "Idempotency-Key", "batch-1"), 200).json();
    assertThat(receipt.get("accepted").asInt()).isEqualTo(Events.FIRST_COUNT);
    c.check("POST", "/api/v1/ingest/events", s.ingest(ingest, Events.later()), 200);
    c.check("POST", "/api/v1/ingest/files", s.post("/api/v1/ingest/files?name=late.jsonl&institution=mf", admin,
        "application/octet-stream", Events.sysmon("MF-WS02", "2022-08-22T15:00:00Z", "notepad.exe")
            .getBytes(StandardCharsets.UTF_8)), 200);
    s.awaitDetection();

    JsonNode correlation = c.get("/api/v1/alerts?kind=correlation", "/api/v1/alerts", admin).get("items");
    assertThat(correlation).as("the service burst correlation fired").isNotEmpty();
    long incident = correlation.get(0).get("incident").asLong();
    JsonNode lsass = c.get("/api/v1/alerts?rule=" + LSASS_RULE, "/api/v1/alerts", admin).get("items");
    assertThat(lsass).isNotEmpty();
    String inc = "/api/v1/incidents/" + incident;
    c.send("PATCH", inc, "/api/v1/incidents/{id}", admin, Map.of("status", "investigating", "assignee", "ana"), 200);
    c.send("POST", inc + "/notes", "/api/v1/incidents/{id}/notes", analyst, Map.of("text", "Services from Temp: "
        + "PsExec-like; isolating MF-DC01."), 201);
    c.send("POST", inc + "/shares", "/api/v1/incidents/{id}/shares", admin, Map.of("partner", "cert-ee"), 204);
    long filter = c.send("POST", "/api/v1/institutions/mf/filters", "/api/v1/institutions/{id}/filters", analyst,
        Map.of("name", "backup agent", "yaml", Events.FILTER), 201).json().get("id").asLong();
    c.send("PUT", "/api/v1/institutions/mf/rules/" + LSASS_RULE, "/api/v1/institutions/{id}/rules/{rule}", admin,
        Map.of("enabled", true), 200);
    c.send("POST", "/api/v1/rules/reload", "/api/v1/rules/reload", admin, null, 200);
    long tokenId = 0;
    for (JsonNode t : c.get("/api/v1/tokens", admin).get("items")) {
      if (t.get("name").asText().equals("script")) {
        tokenId = t.get("id").asLong();
      }
    }
    return new Seed(admin, analyst, partner, ingest, apiToken, incident, lsass.get(0).get("id").asLong(),
        correlation.get(0).get("id").asLong(), lsass.get(0).get("event_id").asLong(), filter, tokenId);
  }

  private static Map<String, Object> user(String name, String role, String institution, String partner) {
    Map<String, Object> m = new HashMap<>();
    m.put("name", name);
    m.put("password", name + "-long-password");
    m.put("role", role);
    if (institution != null) {
      m.put("institution", institution);
    }
    if (partner != null) {
      m.put("partner", partner);
    }
    return m;
  }

  /** An access log of site www uploaded for mf; its statistics, a decision on it, a bouncer key. */
  private static void web(Contract c, Seed x) {
    String log = "www:443 198.51.100.20 - - [16/Oct/2016:08:00:01 +0000] \"GET /vijesti/ HTTP/1.1\" 200 5120 \"-\" "
        + "\"Mozilla/5.0\" 0.050 0.040 MISS\n"
        + "www:443 198.51.100.21 - - [16/Oct/2016:08:00:02 +0000] \"GET /missing HTTP/1.1\" 404 120 \"-\" "
        + "\"Mozilla/5.0\" 0.010 0.010 MISS\n"
        + "www:443 198.51.100.20 - - [16/Oct/2016:08:01:05 +0000] \"POST /prijava HTTP/1.1\" 503 90 \"-\" "
        + "\"Mozilla/5.0\" 2.000 2.000 MISS\n";
    c.check("POST", "/api/v1/ingest/files", c.s.post("/api/v1/ingest/files?name=www.access.log&institution=mf",
        x.admin(), "application/octet-stream", log.getBytes(StandardCharsets.UTF_8)), 200);
    c.s.awaitDetection();
    long id = c.send("POST", "/api/v1/decisions", "/api/v1/decisions", x.analyst(), Map.of("value", "203.0.113.9",
        "reason", "scanner seen by the ministry", "type", "captcha", "duration_minutes", 60), 201).json()
        .get("id").asLong();
    c.send("POST", "/api/v1/decisions", "/api/v1/decisions", x.admin(), Map.of("institution", "mf", "value",
        "10.0.0.0/8", "reason", "the ministry's own network"), 422);
    c.send("POST", "/api/v1/decisions", "/api/v1/decisions", x.admin(), Map.of("institution", "mf", "value",
        "not-an-address", "reason", "x"), 400);
    JsonNode list = c.get("/api/v1/decisions?institution=mf&active=true&limit=5", "/api/v1/decisions", x.admin());
    assertThat(list.get("total").asInt()).isEqualTo(1);
    c.get("/api/v1/decisions/" + id, "/api/v1/decisions/{id}", x.analyst());
    JsonNode sites = c.get("/api/v1/sites", x.analyst());
    assertThat(sites.get("items").get(0).get("site").asText()).isEqualTo("www");
    JsonNode series = c.get("/api/v1/sites/www/series?institution=mf", "/api/v1/sites/{site}/series", x.admin());
    long requests = 0;
    for (JsonNode p : series.get("points")) {
      requests += p.get("requests").asLong();
    }
    assertThat(requests).isEqualTo(3);
    c.check("GET", "/api/v1/sites/{site}/series", c.s.get("/api/v1/sites/nowhere/series", x.admin()), 404);
    c.check("GET", "/api/v1/sites/{site}/series", c.s.get("/api/v1/sites/www/series?step=59", x.admin()), 400);
    c.check("GET", "/api/v1/decisions", c.s.get("/api/v1/decisions", x.partner()), 403);
    JsonNode revoked = c.send("POST", "/api/v1/decisions/" + id + "/revoke", "/api/v1/decisions/{id}/revoke",
        x.analyst(), null, 200).json();
    assertThat(revoked.get("active").asBoolean()).isFalse();
    c.send("DELETE", "/api/v1/decisions/" + id, "/api/v1/decisions/{id}", x.admin(), null, 204);
    c.send("POST", "/api/v1/bouncers", "/api/v1/bouncers", x.admin(), Map.of("name", "nginx-www", "institution",
        "mf"), 201);
  }

  private static void reads(Contract c, Seed x) {
    for (String path : List.of("/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/api/docs")) {
      c.check("GET", path, c.s.get(path, null), 200);
    }
    // /metrics through a proxy (a forwarding header) takes a metrics token or a national user's
    c.check("GET", "/metrics", c.s.send("GET", "/metrics", null, null, null, "X-Forwarded-For", "203.0.113.9"), 401);
    c.check("GET", "/metrics", c.s.send("GET", "/metrics", x.analyst(), null, null, "X-Forwarded-For",
        "203.0.113.9"), 403);
    String metrics = c.send("POST", "/api/v1/metrics-tokens", "/api/v1/metrics-tokens", x.admin(),
        Map.of("name", "prometheus"), 201).json().get("token").asText();
    c.check("GET", "/metrics", c.s.send("GET", "/metrics", metrics, null, null, "X-Forwarded-For", "203.0.113.9"),
        200);
    c.check("GET", "/api/docs/{file}", c.s.get("/api/docs/swagger-ui.css", null), 200);
    c.check("GET", "/", c.s.get("/", null), 302);
    c.check("GET", "/ui", c.s.get("/ui", null), 200);
    for (String file : List.of("app.js", "app.css", "favicon.svg", "uPlot.iife.min.js", "uPlot.min.css",
        "echarts.min.js")) {
      c.check("GET", "/ui/{file}", c.s.get("/ui/" + file, null), 200);
    }
    c.check("POST", "/api/v1/auth/login", c.s.postJson("/api/v1/auth/login", null,
        Map.of("name", "ana", "password", "ana-long-password", "cookie", true)), 200);
    for (String token : List.of(x.admin(), x.analyst(), x.partner())) {
      c.get("/api/v1/overview", token);
    }
    c.get("/api/v1/overview?from=2022-08-22T00:00:00Z&to=2022-08-23T00:00:00Z&institution=mf&buckets=24",
        "/api/v1/overview", x.analyst());
    c.send("POST", "/api/v1/incidents/" + x.incident() + "/alerts", "/api/v1/incidents/{id}/alerts", x.admin(),
        Map.of("alerts", List.of(x.correlationAlert())), 200);
    c.send("POST", "/api/v1/rules/check", "/api/v1/rules/check", x.analyst(), Map.of("name", "ok.yml", "yaml",
        "title: t\nid: 0e2a3c4d-1b2c-4d5e-8f90-123456789abc\nlogsource:\n  product: windows\n  service: security\n"
        + "detection:\n  selection:\n    EventID: 4624\n  condition: selection\nlevel: low\n"), 200);
    c.send("POST", "/api/v1/rules/check", "/api/v1/rules/check", x.analyst(), Map.of("yaml", "title: [\n"), 200);
    long upload = c.send("POST", "/api/v1/rules/uploads", "/api/v1/rules/uploads", x.analyst(), Map.of("name",
        "bkagent.yml", "yaml", RuleUploadTest.YAML), 201).json().get("id").asLong();
    c.send("POST", "/api/v1/rules/uploads", "/api/v1/rules/uploads", x.analyst(), Map.of("yaml", "title: [\n"), 422);
    c.send("POST", "/api/v1/rules/uploads", "/api/v1/rules/uploads", x.admin(), Map.of("yaml", RuleUploadTest.YAML),
        409);
    c.get("/api/v1/rules/uploads", x.analyst());
    c.send("DELETE", "/api/v1/rules/uploads/" + upload, "/api/v1/rules/uploads/{id}", x.analyst(), null, 204);
    for (String token : List.of(x.admin(), x.analyst(), x.partner(), x.apiToken())) {
      c.get("/api/v1/me", token);
      c.get("/api/v1/alerts", token);
      c.get("/api/v1/incidents", token);
      c.get("/api/v1/institutions", token);
      c.get("/api/v1/rules", token);
    }
    assertThat(c.get("/api/v1/cluster", x.admin()).get("mode").asText()).isEqualTo("embedded");
    JsonNode page = c.get("/api/v1/events?institution=mf&host=MF-DC01&limit=2", "/api/v1/events", x.admin());
    assertThat(page.get("next").isNull()).as("a first page of two has a next page").isFalse();
    c.get("/api/v1/events?limit=2&cursor=" + page.get("next").asText(), "/api/v1/events", x.admin());
    c.get("/api/v1/events?from=2022-08-22T00:00:00Z&to=2022-08-23T00:00:00Z&q=sekurlsa"
        + "&field.Image=*mimikatz.exe", "/api/v1/events", x.analyst());
    c.get("/api/v1/events/" + x.event(), "/api/v1/events/{id}", x.admin());
    c.get("/api/v1/alerts?level=high&limit=1&institution=mf&tag=attack.t1543.003", "/api/v1/alerts", x.admin());
    c.get("/api/v1/alerts?incident=" + x.incident(), "/api/v1/alerts", x.partner());
    JsonNode withEvent = c.get("/api/v1/alerts/" + x.sigmaAlert(), "/api/v1/alerts/{id}", x.admin());
    assertThat(withEvent.get("event").get("id").asLong()).isEqualTo(x.event());
    c.get("/api/v1/alerts/" + x.correlationAlert(), "/api/v1/alerts/{id}", x.admin());
    JsonNode shared = c.get("/api/v1/alerts/" + x.correlationAlert(), "/api/v1/alerts/{id}", x.partner());
    assertThat(shared.has("event")).isFalse();
    c.get("/api/v1/incidents?open=true&level=medium&status=investigating&assignee=ana", "/api/v1/incidents",
        x.admin());
    String inc = "/api/v1/incidents/" + x.incident();
    for (String token : List.of(x.admin(), x.partner())) {
      c.get(inc, "/api/v1/incidents/{id}", token);
      c.get(inc + "/alerts?limit=2", "/api/v1/incidents/{id}/alerts", token);
    }
    c.get(inc + "/notes", "/api/v1/incidents/{id}/notes", x.admin());
    c.get("/api/v1/institutions/mf", "/api/v1/institutions/{id}", x.analyst());
    c.get("/api/v1/institutions/mf/rules", "/api/v1/institutions/{id}/rules", x.analyst());
    c.get("/api/v1/institutions/mf/filters", "/api/v1/institutions/{id}/filters", x.analyst());
    c.get("/api/v1/users", x.admin());
    c.get("/api/v1/users", x.analyst());
    c.get("/api/v1/partners", x.admin());
    c.get("/api/v1/tokens", x.admin());
    // indicators, TAXII collections and feeds, incident exports (docs/INTEL.md, docs/TAXII.md)
    c.check("POST", "/api/v1/indicators/import", c.s.post("/api/v1/indicators/import?name=c2.txt&tlp=amber",
        x.admin(), "text/plain", "198.51.100.250\n".getBytes(StandardCharsets.UTF_8)), 200);
    String indicator = c.get("/api/v1/indicators?q=198.51.100.250", "/api/v1/indicators", x.admin()).get("items")
        .get(0).get("id").asText();
    c.get("/api/v1/indicators/" + indicator, "/api/v1/indicators/{id}", x.admin());
    c.send("POST", "/api/v1/taxii/collections", "/api/v1/taxii/collections", x.admin(),
        Map.of("title", "Shared", "read", List.of("cert-ee")), 201);
    c.get("/api/v1/taxii/collections", x.admin());
    c.get("/api/v1/taxii/feeds", x.admin());
    c.get(inc + "/export", "/api/v1/incidents/{id}/export", x.partner());
    c.get(inc + "/export?format=misp", "/api/v1/incidents/{id}/export", x.admin());
  }

  /**
   * Campaigns, cases and reports: a second institution sends the same two tools (hashes, command
   * lines) as the first, the linker makes a campaign of them, and a case on the seed's incident is
   * worked through its routes.
   */
  private static void casesAndCampaigns(Contract c, Seed x) {
    TestServer s = c.s;
    c.send("POST", "/api/v1/institutions", "/api/v1/institutions", x.admin(), Map.of("id", "upc", "name",
        "Tax and Customs Administration"), 201);
    String upc = s.post("/api/v1/institutions/upc/ingest-tokens", x.admin(), null, new byte[0]).json().get("token")
        .asText();
    c.check("POST", "/api/v1/ingest/events", s.ingest(x.ingest(), Events.tools("MF-WS07")), 200);
    c.check("POST", "/api/v1/ingest/events", s.ingest(upc, Events.tools("UPC-WS01")), 200);
    s.awaitDetection();
    c.send("POST", "/api/v1/campaigns/link", "/api/v1/campaigns/link", x.admin(), null, 200);
    JsonNode campaigns = c.get("/api/v1/campaigns?status=active&limit=5", "/api/v1/campaigns", x.admin());
    assertThat(campaigns.get("items")).as("the two institutions' shared tools make a campaign").isNotEmpty();
    String camp = "/api/v1/campaigns/" + campaigns.get("items").get(0).get("id").asLong();
    c.get("/api/v1/campaigns?institution=mf", "/api/v1/campaigns", x.analyst());
    c.get(camp, "/api/v1/campaigns/{id}", x.admin());
    c.get(camp, "/api/v1/campaigns/{id}", x.analyst());
    c.get(camp + "/timeline?level=low&limit=50", "/api/v1/campaigns/{id}/timeline", x.analyst());
    c.check("GET", "/api/v1/campaigns/{id}/report", s.get(camp + "/report", x.admin()), 200);
    c.check("GET", "/api/v1/campaigns/{id}/report", s.get(camp + "/report?format=pdf", x.analyst()), 200);
    c.send("PATCH", camp, "/api/v1/campaigns/{id}", x.admin(), Map.of("status", "active"), 200);
    c.check("GET", "/api/v1/incidents/{id}/report", s.get("/api/v1/incidents/" + x.incident() + "/report", x.admin()),
        200);
    c.get("/api/v1/playbooks", x.analyst());

    JsonNode opened = c.send("POST", "/api/v1/cases", "/api/v1/cases", x.analyst(), Map.of("incident", x.incident(),
        "due", "2022-08-23T08:00:00Z"), 201).json();
    String cs = "/api/v1/cases/" + opened.get("id").asLong();
    c.send("POST", "/api/v1/cases", "/api/v1/cases", x.admin(), Map.of("title", "Phishing wave, by hand",
        "institution", "mf", "techniques", List.of("T1566.001")), 201);
    c.get("/api/v1/cases?institution=mf&status=open&limit=10", "/api/v1/cases", x.analyst());
    c.get(cs, "/api/v1/cases/{id}", x.admin());
    c.send("PATCH", cs, "/api/v1/cases/{id}", x.analyst(), Map.of("status", "in_progress", "assignee", "ana"), 200);
    JsonNode tasks = c.get(cs + "/tasks", "/api/v1/cases/{id}/tasks", x.analyst());
    long added = c.send("POST", cs + "/tasks", "/api/v1/cases/{id}/tasks", x.analyst(), Map.of("title",
        "Isolate MF-DC01", "action", "contain_host"), 201).json().get("id").asLong();
    c.send("POST", cs + "/tasks/" + added + "/run", "/api/v1/cases/{id}/tasks/{task}/run", x.analyst(), null, 200);
    c.send("PATCH", cs + "/tasks/" + tasks.get("items").get(0).get("id").asLong(), "/api/v1/cases/{id}/tasks/{task}",
        x.analyst(), Map.of("status", "in_progress", "assignee", "ana"), 200);
    c.send("POST", cs + "/comments", "/api/v1/cases/{id}/comments", x.analyst(), Map.of("text", "Host isolated."), 201);
    c.get(cs + "/comments", "/api/v1/cases/{id}/comments", x.analyst());
    long file = c.send("POST", cs + "/evidence", "/api/v1/cases/{id}/evidence", x.analyst(), Map.of("kind", "file",
        "name", "triage.txt", "media_type", "text/plain", "content_base64", "dHJpYWdlCg=="), 201).json().get("id")
        .asLong();
    c.send("POST", cs + "/evidence", "/api/v1/cases/{id}/evidence", x.analyst(), Map.of("kind", "alert", "ref",
        Long.toString(x.sigmaAlert()), "note", "the dump"), 201);
    c.get(cs + "/evidence", "/api/v1/cases/{id}/evidence", x.analyst());
    c.check("GET", "/api/v1/cases/{id}/evidence/{evidence}", s.get(cs + "/evidence/" + file, x.analyst()), 200);
    c.get(cs + "/audit", "/api/v1/cases/{id}/audit", x.analyst());
    c.check("GET", "/api/v1/cases/{id}/report", s.get(cs + "/report?format=html", x.analyst()), 200);
    // refusals are problem documents too
    c.check("GET", "/api/v1/cases", s.get("/api/v1/cases", x.partner()), 403);
    c.check("GET", "/api/v1/campaigns/{id}", s.get("/api/v1/campaigns/999999", x.admin()), 404);
    c.send("PATCH", cs, "/api/v1/cases/{id}", x.analyst(), Map.of("status", "done"), 400);
    c.send("PATCH", camp, "/api/v1/campaigns/{id}", x.analyst(), Map.of("status", "closed"), 403);
    for (JsonNode t : tasks.get("items")) {
      if ("retro_hunt".equals(t.get("action").asText(null))) { // the national CERT's
        c.send("POST", cs + "/tasks/" + t.get("id").asLong() + "/run", "/api/v1/cases/{id}/tasks/{task}/run",
            x.analyst(), null, 403);
        break;
      }
    }
  }

  /** Errors are problem documents with a documented status. */
  private static void errors(Contract c, Seed x) {
    TestServer s = c.s;
    c.check("GET", "/api/v1/events", s.get("/api/v1/events", null), 401);
    c.check("GET", "/api/v1/events", s.get("/api/v1/events", x.partner()), 403);
    c.check("GET", "/api/v1/events", s.get("/api/v1/events", x.ingest()), 403);
    c.check("GET", "/api/v1/events", s.get("/api/v1/events?limit=many", x.admin()), 400);
    c.check("GET", "/api/v1/incidents", s.get("/api/v1/incidents?level=severe", x.admin()), 400);
    c.check("GET", "/api/v1/alerts", s.get("/api/v1/alerts?limit=0", x.admin()), 400);
    c.check("GET", "/api/v1/alerts", s.get("/api/v1/alerts?cursor=nonsense", x.admin()), 400);
    c.check("GET", "/api/v1/incidents/{id}", s.get("/api/v1/incidents/999999", x.admin()), 404);
    c.check("GET", "/api/v1/events/{id}", s.get("/api/v1/events/" + x.event(), x.partner()), 404);
    c.check("GET", "/api/v1/institutions", s.get("/api/v1/institutions?x=1", "lvs_unknown"), 401);
    c.check("POST", "/api/v1/auth/login", s.postJson("/api/v1/auth/login", null,
        Map.of("name", "admin", "password", "wrong password!")), 401);
    c.check("POST", "/api/v1/ingest/events", s.post("/api/v1/ingest/events", x.ingest(), "text/csv",
        "a,b\n".getBytes(StandardCharsets.UTF_8)), 415);
    c.check("POST", "/api/v1/ingest/events", s.ingest(x.admin(), Events.first()), 403);
    c.send("POST", "/api/v1/institutions", "/api/v1/institutions", x.admin(), Map.of("id", "mf", "name", "Again"), 409);
    c.send("POST", "/api/v1/institutions", "/api/v1/institutions", x.analyst(), Map.of("id", "x", "name", "X"), 403);
    c.send("PATCH", "/api/v1/institutions/mf", "/api/v1/institutions/{id}", x.admin(), Map.of("retention_days", 0),
        400);
    c.send("PATCH", "/api/v1/institutions/none", "/api/v1/institutions/{id}", x.admin(), Map.of("name", "N"), 404);
    c.send("POST", "/api/v1/institutions/mf/filters", "/api/v1/institutions/{id}/filters", x.admin(),
        Map.of("name", "broken", "yaml", "title: broken\nfilter: [\n"), 422);
    c.send("PATCH", "/api/v1/incidents/" + x.incident(), "/api/v1/incidents/{id}", x.admin(),
        Map.of("status", "closed"), 400);
    c.send("PATCH", "/api/v1/incidents/" + x.incident(), "/api/v1/incidents/{id}", x.partner(),
        Map.of("status", "resolved"), 403);
    c.check("GET", "/api/docs/{file}", s.get("/api/docs/index.html", null), 404);
    c.check("GET", "/ui/{file}", s.get("/ui/pom.properties", null), 404);
    c.check("GET", "/api/v1/overview", s.get("/api/v1/overview?buckets=0", x.admin()), 400);
    c.send("POST", "/api/v1/incidents/" + x.incident() + "/alerts", "/api/v1/incidents/{id}/alerts", x.admin(),
        Map.of("alerts", List.of(999999)), 400);
    c.send("POST", "/api/v1/incidents/" + x.incident() + "/alerts", "/api/v1/incidents/{id}/alerts", x.partner(),
        Map.of("alerts", List.of(x.sigmaAlert())), 403);
    TestServer.Response unknown = s.get("/api/v1/nothing-here", x.admin());
    assertThat(unknown.status()).isEqualTo(404);
    c.problems.addAll(DOC.validate("GET /api/v1/nothing-here", OpenApiDocument.component("Problem"), unknown.body()));
  }

  private static void removals(Contract c, Seed x) {
    c.send("DELETE", "/api/v1/institutions/mf/filters/" + x.filter(), "/api/v1/institutions/{id}/filters/{filter}",
        x.analyst(), null, 204);
    c.send("DELETE", "/api/v1/tokens/" + x.tokenId(), "/api/v1/tokens/{id}", x.admin(), null, 204);
    c.check("GET", "/api/v1/me", c.s.get("/api/v1/me", x.apiToken()), 401);
    c.send("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", x.analyst(), null, 204);
    c.check("GET", "/api/v1/me", c.s.get("/api/v1/me", x.analyst()), 401);
  }

  /** Seed events: evtx_dump JSON lines of one institution. */
  static final class Events {
    /** The first request: 1 LSASS dump + 5 service installs from Temp on one host. */
    static final int FIRST_COUNT = 6;
    static final String FILTER = """
        title: backup agent
        logsource:
            product: windows
        filter:
            rules: any
            selection:
                User: svc_backup
            condition: not selection
        """;

    static String first() {
      StringBuilder b = new StringBuilder(sysmon("MF-WS01", "2022-08-22T10:00:00Z",
          "mimikatz.exe sekurlsa::logonpasswords"));
      for (int i = 0; i < 5; i++) {
        b.append(service("MF-DC01", "2022-08-22T11:0" + i + ":00Z", "svc" + i));
      }
      return b.toString();
    }

    /**
     * Later service installs on other hosts: a correlation episode is emitted once a later hit
     * has passed the watermark (event time minus detection.lateness_seconds) beyond its window.
     */
    static String later() {
      return service("MF-DC02", "2022-08-22T13:00:00Z", "late1") + service("MF-DC03", "2022-08-22T14:00:00Z", "late2");
    }

    static String sysmon(String host, String time, String commandLine) {
      return TestServer.JSON.valueToTree(Map.of("Event", Map.of(
          "System", system(1, "Microsoft-Windows-Sysmon/Operational", host, time, null),
          "EventData", Map.of("Image", "C:\\Windows\\Temp\\mimikatz.exe", "CommandLine", commandLine)))) + "\n";
    }

    /** Two tools run from a user-writable folder, with their hashes: what two institutions share in a campaign. */
    static String tools(String host) {
      StringBuilder b = new StringBuilder();
      String[][] tools = {{"C:\\Users\\Public\\Libraries\\mk64.exe", "privilege::debug sekurlsa::logonpasswords exit",
          "SHA256=5F0C3A7E9B1D2C4E6A8B0D2F4A6C8E0B2D4F6A8C0E2B4D6F8A0C2E4B6D8F0A2C"},
          {"C:\\Users\\Public\\Libraries\\dmp.exe", "sekurlsa::minidump lsass.dmp",
          "SHA256=0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9"}};
      for (int i = 0; i < tools.length; i++) {
        b.append(TestServer.JSON.<JsonNode>valueToTree(Map.of("Event", Map.of(
            "System", system(1, "Microsoft-Windows-Sysmon/Operational", host, "2022-08-22T12:0" + i + ":00Z", null),
            "EventData", Map.of("Image", tools[i][0], "CommandLine", tools[i][0] + " " + tools[i][1], "Hashes",
                tools[i][2])))).toString()).append('\n');
      }
      return b.toString();
    }

    static String service(String host, String time, String name) {
      return TestServer.JSON.valueToTree(Map.of("Event", Map.of(
          "System", system(7045, "System", host, time, "Service Control Manager"),
          "EventData", Map.of("ServiceName", name, "ImagePath", "C:\\Windows\\Temp\\" + name + ".exe")))) + "\n";
    }

    private static Map<String, Object> system(int eventId, String channel, String host, String time, String provider) {
      Map<String, Object> m = new LinkedHashMap<>();
      if (provider != null) {
        m.put("Provider", Map.of("#attributes", Map.of("Name", provider)));
      }
      m.put("EventID", eventId);
      m.put("Channel", channel);
      m.put("Computer", host);
      m.put("TimeCreated", Map.of("#attributes", Map.of("SystemTime", time)));
      return m;
    }
  }
}
