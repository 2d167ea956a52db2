package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Per-institution rule switches and Sigma filters act on detection at once, for that institution only. */
class RuleSettingsTest {
  private static final String RULE = "55e63517-97e4-4ee5-be58-548803e1c6c0"; // shadow copies deleted
  @TempDir Path dir;

  static String vssadmin(String host, int n) {
    return "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        + "\"Computer\":\"" + host + "\",\"EventRecordID\":" + n + ",\"TimeCreated\":{\"#attributes\":"
        + "{\"SystemTime\":\"2022-08-22T10:00:0" + n + "Z\"}}},\"EventData\":{\"Image\":"
        + "\"C:\\\\Windows\\\\System32\\\\vssadmin.exe\",\"CommandLine\":\"vssadmin delete shadows /all /quiet\"}}}\n";
  }

  private static int alerts(TestServer s, String token, String institution) {
    s.awaitDetection();
    return s.get("/api/v1/alerts?rule=" + RULE + "&institution=" + institution, token).json().get("total").asInt();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void disabledRule_raisesNoAlertForThatInstitutionOnly(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      s.ingest(a, vssadmin("A-WS01", 1));
      s.ingest(b, vssadmin("B-WS01", 1));
      assertThat(alerts(s, admin, "a")).isEqualTo(1);
      assertThat(alerts(s, admin, "b")).isEqualTo(1);

      String analystA = s.user(admin, "ana", "institution_analyst", "a", null);
      TestServer.Response off = s.putJson("/api/v1/institutions/a/rules/" + RULE, analystA, Map.of("enabled", false));
      assertThat(off.status()).isEqualTo(200);
      assertThat(s.putJson("/api/v1/institutions/b/rules/" + RULE, analystA, Map.of("enabled", false)).status())
          .isIn(403, 404);
      var listed = s.get("/api/v1/institutions/a/rules", analystA).json().get("items");
      assertThat(listed.findValues("id").stream().map(x -> x.asText()).toList()).contains(RULE);
      for (var r : listed) {
        if (r.get("id").asText().equals(RULE)) {
          assertThat(r.get("enabled").asBoolean()).isFalse();
        }
      }

      s.ingest(a, vssadmin("A-WS02", 2));
      s.ingest(b, vssadmin("B-WS02", 2));
      assertThat(alerts(s, admin, "a")).isEqualTo(1);
      assertThat(alerts(s, admin, "b")).isEqualTo(2);

      s.putJson("/api/v1/institutions/a/rules/" + RULE, analystA, Map.of("enabled", true));
      s.ingest(a, vssadmin("A-WS03", 3));
      assertThat(alerts(s, admin, "a")).isEqualTo(2);
    }
  }

  /** The hosts of the rule's alerts of one institution, sorted. */
  private static List<String> hosts(TestServer s, String token, String institution) {
    s.awaitDetection();
    List<String> out = new ArrayList<>();
    s.get("/api/v1/alerts?rule=" + RULE + "&institution=" + institution, token).json().get("items")
        .forEach(a -> out.add(a.get("host").asText()));
    out.sort(null);
    return out;
  }

  /*
   * A filter's condition is AND-ed onto the rule's (docs/SIGMA.md, as pySigma): a suppression is
   * written "not selection"; "selection" would keep only the backup server's matches.
   */
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void filter_dropsMatchingEventsOfItsInstitution(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      String yaml = """
          title: The backup server deletes shadow copies by design
          logsource:
              category: process_creation
              product: windows
          filter:
              rules:
                  - %s
              selection:
                  Computer: BACKUP01
              condition: not selection
          """.formatted(RULE);
      TestServer.Response added = s.postJson("/api/v1/institutions/b/filters", admin,
          Map.of("name", "backup server", "yaml", yaml));
      assertThat(added.status()).as(added.body()).isEqualTo(201);

      s.ingest(b, vssadmin("BACKUP01", 1));
      s.ingest(b, vssadmin("B-WS01", 2));
      s.ingest(a, vssadmin("BACKUP01", 3));
      assertThat(hosts(s, admin, "b")).as("b's backup server filtered out, its other hosts not")
          .containsExactly("B-WS01");
      assertThat(hosts(s, admin, "a")).as("another institution's backup server is not b's").containsExactly("BACKUP01");

      long id = added.json().get("id").asLong();
      assertThat(s.delete("/api/v1/institutions/b/filters/" + id, admin).status()).isEqualTo(204);
      s.ingest(b, vssadmin("BACKUP01", 4));
      assertThat(hosts(s, admin, "b")).containsExactly("B-WS01", "BACKUP01");
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void invalidFilter_isRejectedWithTheReason(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      s.institution(admin, "a");
      TestServer.Response r = s.postJson("/api/v1/institutions/a/filters", admin,
          Map.of("name", "broken", "yaml", "title: x\nfilter:\n  selection:\n    Computer: X\n"));
      assertThat(r.status()).isEqualTo(422);
      assertThat(r.header("Content-Type")).startsWith("application/problem+json");
      assertThat(r.json().get("detail").asText()).isNotBlank();
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void reload_isForAdministratorsAndKeepsDetecting(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String national = s.user(admin, "nat", "national_analyst", null, null);
      assertThat(s.post("/api/v1/rules/reload", national, null, new byte[0]).status()).isEqualTo(403);
      TestServer.Response r = s.post("/api/v1/rules/reload", admin, null, new byte[0]);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("active").asInt()).isEqualTo(TestServer.rules().report().active());
      s.ingest(a, vssadmin("A-WS01", 1));
      assertThat(alerts(s, admin, "a")).isEqualTo(1);
      assertThat(s.get("/api/v1/rules", national).json().get("active").asInt()).isPositive();
    }
  }
}
