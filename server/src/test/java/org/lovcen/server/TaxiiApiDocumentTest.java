package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The answers of the indicator, collection, feed and export routes validate against openapi.json. */
class TaxiiApiDocumentTest {
  private static final OpenApiDocument DOC = OpenApiDocument.load();
  @TempDir Path dir;

  private final List<String> problems = new ArrayList<>();

  private TestServer.Response check(String method, String template, TestServer.Response r) {
    problems.addAll(DOC.check(method, template, r.status(), r.header("Content-Type"), r.body()));
    return r;
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void everyAnswer_isDocumented(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      TaxiiFixture t = new TaxiiFixture(s);
      String admin = t.admin;
      String a = s.institution(admin, "a");
      t.partner("p1");
      String p1 = t.partnerUser("p1", "p1");

      check("POST", "/api/v1/indicators/import", s.post("/api/v1/indicators/import?name=x.json&tlp=amber", admin,
          "application/json", RetroHuntTest.BUNDLE.getBytes(StandardCharsets.UTF_8)));
      check("POST", "/api/v1/indicators/import", s.post("/api/v1/indicators/import?name=l.txt", admin, "text/plain",
          "evil.example.net\nnot a value at all\n".getBytes(StandardCharsets.UTF_8)));
      check("POST", "/api/v1/indicators/import", s.post("/api/v1/indicators/import?tlp=purple", admin, "text/plain",
          "x".getBytes(StandardCharsets.UTF_8)));
      check("GET", "/api/v1/indicators", s.get("/api/v1/indicators?limit=1", admin));
      check("GET", "/api/v1/indicators", s.get("/api/v1/indicators", p1));
      String id = "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade";
      check("GET", "/api/v1/indicators/{id}", s.get("/api/v1/indicators/" + id, admin));
      check("GET", "/api/v1/indicators/{id}", s.get("/api/v1/indicators/indicator--none", admin));
      check("POST", "/api/v1/indicators/{id}/revoke", s.post("/api/v1/indicators/" + id + "/revoke", admin, null,
          new byte[0]));
      check("GET", "/api/v1/indicators", s.get("/api/v1/indicators?revoked=true", admin));

      TestServer.Response created = check("POST", "/api/v1/taxii/collections", s.postJson("/api/v1/taxii/collections",
          admin, Map.of("title", "Shared", "alias", "shared", "read", List.of("p1"))));
      String c = created.json().get("id").asText();
      check("POST", "/api/v1/taxii/collections", s.postJson("/api/v1/taxii/collections", admin, Map.of("x", 1)));
      check("PATCH", "/api/v1/taxii/collections/{id}", s.patchJson("/api/v1/taxii/collections/" + c, admin,
          Map.of("max_tlp", "green", "default_tlp", "clear", "write", List.of("p1"))));
      check("GET", "/api/v1/taxii/collections", s.get("/api/v1/taxii/collections", admin));
      check("GET", "/api/v1/taxii/feeds", s.get("/api/v1/taxii/feeds", admin));

      importFile(s, admin);
      s.ingest(a, RetroHuntTest.connection("A-WS01", "198.51.100.99", 0.01));
      s.awaitDetection();
      long incident = s.get("/api/v1/incidents", admin).json().get("items").get(0).get("id").asLong();
      check("POST", "/api/v1/taxii/collections/{id}/objects", s.postJson("/api/v1/taxii/collections/" + c
          + "/objects", admin, Map.of("incident", incident)));
      check("POST", "/api/v1/taxii/collections/{id}/objects", s.postJson("/api/v1/taxii/collections/shared/objects",
          admin, "{\"type\": \"bundle\", \"objects\": [" + TaxiiFixture.indicator("203.0.113.1", null) + ", 7]}"));
      check("GET", "/api/v1/incidents/{id}/export", s.get("/api/v1/incidents/" + incident + "/export", admin));
      check("GET", "/api/v1/incidents/{id}/export", s.get("/api/v1/incidents/" + incident + "/export?format=misp",
          admin));
      check("GET", "/api/v1/incidents/{id}/export", s.get("/api/v1/incidents/" + incident + "/export?format=x",
          admin));
      check("GET", "/api/v1/incidents/{id}/export", s.get("/api/v1/incidents/" + incident + "/export", p1));
      check("GET", "/api/v1/incidents/{id}/export", s.get("/api/v1/incidents/" + incident + "/export", null));
      assertThat(problems).isEmpty();
    }
  }

  private static void importFile(TestServer s, String admin) {
    TestServer.Response r = s.post("/api/v1/indicators/import?name=c2.txt&tlp=green", admin, "text/plain",
        "198.51.100.99\n".getBytes(StandardCharsets.UTF_8));
    assertThat(r.status()).isEqualTo(200);
  }
}
