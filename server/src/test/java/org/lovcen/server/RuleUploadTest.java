package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.store.TestDatabases;

/**
 * A rule file uploaded through the API runs at once without a restart, national or for one
 * institution only, is listed, stops when deleted, survives a restart, and a broken one is refused
 * with every problem and its line, storing nothing. Over HTTP on both databases.
 */
class RuleUploadTest {
  static final String RULE = "7c1c6e1a-2f0b-4a57-9d7e-5b0f3f1e9a11";
  static final String YAML = """
      title: Backup agent started from a user's temporary folder
      id: %s
      status: experimental
      logsource:
          category: process_creation
          product: windows
      detection:
          selection:
              Image|endswith: '\\\\Temp\\\\bkagent.exe'
          condition: selection
      level: high
      """.formatted(RULE);
  @TempDir Path dir;

  static String bkagent(String host, int n) {
    return "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        + "\"Computer\":\"" + host + "\",\"EventRecordID\":" + n + ",\"TimeCreated\":{\"#attributes\":"
        + "{\"SystemTime\":\"2022-08-22T10:00:0" + n + "Z\"}}},\"EventData\":{\"Image\":"
        + "\"C:\\\\Users\\\\ana\\\\AppData\\\\Local\\\\Temp\\\\bkagent.exe\",\"CommandLine\":\"bkagent.exe -s\"}}}\n";
  }

  private static int alerts(TestServer s, String token, String institution) {
    s.awaitDetection();
    return s.get("/api/v1/alerts?rule=" + RULE + "&institution=" + institution, token).json().get("total").asInt();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void nationalUpload_runsAtOnce_isListed_andStopsWhenDeleted(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      s.ingest(a, bkagent("A-WS01", 1));
      assertThat(alerts(s, admin, "a")).as("not running before the upload").isZero();
      JsonNode report = s.get("/api/v1/rules", admin).json();
      assertThat(report.get("uploaded_active").asInt()).isZero();

      TestServer.Response up = s.postJson("/api/v1/rules/uploads", admin, Map.of("name", "bkagent.yml", "yaml", YAML));
      assertThat(up.status()).as(up.body()).isEqualTo(201);
      // counted apart from the rule folders' active rules, which stay as they were
      JsonNode counted = s.get("/api/v1/rules", admin).json();
      assertThat(counted.get("uploaded_active").asInt()).isEqualTo(1);
      assertThat(counted.get("active").asInt()).isEqualTo(report.get("active").asInt());
      JsonNode u = up.json();
      assertThat(u.get("institution").isNull()).isTrue();
      assertThat(u.get("rules").get(0).get("id").asText()).isEqualTo(RULE);
      assertThat(u.get("created_by").asText()).isEqualTo("admin");

      s.ingest(a, bkagent("A-WS02", 2));
      s.ingest(b, bkagent("B-WS01", 3));
      assertThat(alerts(s, admin, "a")).isEqualTo(1);
      assertThat(alerts(s, admin, "b")).isEqualTo(1);
      JsonNode alert = s.get("/api/v1/alerts?rule=" + RULE, admin).json().get("items").get(0);
      assertThat(alert.get("rule").get("title").asText()).isEqualTo("Backup agent started from a user's temporary folder");

      String analystA = s.user(admin, "ana", "institution_analyst", "a", null);
      JsonNode listed = s.get("/api/v1/rules/uploads", analystA).json();
      assertThat(listed.get("total").asInt()).isEqualTo(1);
      assertThat(s.delete("/api/v1/rules/uploads/" + u.get("id").asLong(), analystA).status())
          .as("a national rule is the national CERT's").isEqualTo(403);
      // the same id again is refused: it is running
      assertThat(s.postJson("/api/v1/rules/uploads", admin, Map.of("name", "again.yml", "yaml", YAML)).status())
          .isEqualTo(409);

      assertThat(s.delete("/api/v1/rules/uploads/" + u.get("id").asLong(), admin).status()).isEqualTo(204);
      assertThat(s.get("/api/v1/rules/uploads", admin).json().get("total").asInt()).isZero();
      assertThat(s.get("/api/v1/rules", admin).json().get("uploaded_active").asInt()).isZero();
      s.ingest(a, bkagent("A-WS03", 4));
      assertThat(alerts(s, admin, "a")).as("deleted: no new alert").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void institutionUpload_runsForThatInstitutionOnly_andSurvivesARestart(String kind) {
    String[] url = new String[1];
    Runnable drop = TestDatabases.freshUrl(kind, dir, url);
    try {
      long id;
      try (TestServer s = TestServer.startOn(url[0], dir, Map.of(), TestServer::rules, () -> {})) {
        String admin = s.admin();
        String a = s.institution(admin, "a");
        String b = s.institution(admin, "b");
        String analystA = s.user(admin, "ana", "institution_analyst", "a", null);
        String analystB = s.user(admin, "bob", "institution_analyst", "b", null);
        assertThat(s.postJson("/api/v1/rules/uploads", analystA, Map.of("name", "x.yml", "yaml", YAML,
            "institution", "b")).status()).as("another institution's").isEqualTo(403);
        TestServer.Response up = s.postJson("/api/v1/rules/uploads", analystA, Map.of("name", "bkagent.yml", "yaml",
            YAML));
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        assertThat(up.json().get("institution").asText()).isEqualTo("a");
        id = up.json().get("id").asLong();
        assertThat(s.get("/api/v1/rules/uploads", analystB).json().get("total").asInt()).isZero();
        assertThat(s.delete("/api/v1/rules/uploads/" + id, analystB).status()).isEqualTo(404);

        s.ingest(a, bkagent("A-WS01", 1));
        s.ingest(b, bkagent("B-WS01", 2));
        assertThat(alerts(s, admin, "a")).isEqualTo(1);
        assertThat(alerts(s, admin, "b")).as("runs for a only").isZero();
        // the uploaded rules each caller's figure counts: a's for a and the national CERT, not for b
        assertThat(s.get("/api/v1/rules", analystA).json().get("uploaded_active").asInt()).isEqualTo(1);
        assertThat(s.get("/api/v1/rules", admin).json().get("uploaded_active").asInt()).isEqualTo(1);
        assertThat(s.get("/api/v1/rules", analystB).json().get("uploaded_active").asInt()).isZero();
      }
      try (TestServer s = TestServer.startOn(url[0], dir, Map.of(), TestServer::rules, () -> {})) {
        String admin = s.admin();
        JsonNode listed = s.get("/api/v1/rules/uploads", admin).json();
        assertThat(listed.get("items").get(0).get("id").asLong()).isEqualTo(id);
        String a = s.post("/api/v1/institutions/a/ingest-tokens", admin, null, new byte[0]).json().get("token").asText();
        String b = s.post("/api/v1/institutions/b/ingest-tokens", admin, null, new byte[0]).json().get("token").asText();
        s.ingest(a, bkagent("A-WS02", 3));
        s.ingest(b, bkagent("B-WS02", 4));
        assertThat(alerts(s, admin, "a")).as("after the restart").isEqualTo(2);
        assertThat(alerts(s, admin, "b")).isZero();
      }
    } finally {
      drop.run();
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void brokenUpload_isRefusedWithEveryProblemAndItsLine_andNothingIsStored(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      Map<String, Object> body = new HashMap<>(Map.of("name", "broken.yml", "yaml", "title: broken\nlogsource:\n"
          + "  product: windows\ndetection:\n  selection:\n    Image|endswith: x.exe\n  condition: selection and missing\n"));
      TestServer.Response r = s.postJson("/api/v1/rules/uploads", admin, body);
      assertThat(r.status()).isEqualTo(422);
      assertThat(r.header("Content-Type")).startsWith("application/problem+json");
      assertThat(r.json().get("problems")).isNotEmpty();
      assertThat(r.json().get("problems").get(0).asText()).startsWith("line 7").contains("'missing'");
      assertThat(r.json().get("detail").asText()).startsWith("broken.yml has 1 problem: line 7");
      body.put("yaml", "title: [\n");
      TestServer.Response bad = s.postJson("/api/v1/rules/uploads", admin, body);
      assertThat(bad.status()).isEqualTo(422);
      assertThat(bad.json().get("problems").get(0).asText()).containsPattern("line \\d+");
      assertThat(s.get("/api/v1/rules/uploads", admin).json().get("total").asInt()).isZero();
      assertThat(s.postJson("/api/v1/partners", admin, Map.of("id", "anssi", "name", "ANSSI")).status()).isEqualTo(201);
      String partner = s.user(admin, "pat", "partner", null, "anssi");
      assertThat(s.postJson("/api/v1/rules/uploads", partner, Map.of("yaml", YAML)).status()).isEqualTo(403);
    }
  }
}
