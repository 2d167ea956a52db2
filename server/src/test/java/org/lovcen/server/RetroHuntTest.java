package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Timestamps;

/** Indicators that arrive find the stored events that already contained them, once. */
class RetroHuntTest {
  static final String C2 = "198.51.100.77";
  @TempDir Path dir;

  /** An ECS event of a host's connection to {@code ip}, {@code daysAgo} days ago. */
  static String connection(String host, String ip, double daysAgo) {
    long ts = System.currentTimeMillis() * 1000 - (long) (daysAgo * 86_400_000_000L);
    return "{\"@timestamp\":\"" + Timestamps.format(ts) + "\",\"host\":{\"name\":\"" + host + "\"},"
        + "\"destination\":{\"ip\":\"" + ip + "\",\"port\":443},\"event\":{\"category\":\"network\"}}\n";
  }

  static final String BUNDLE = """
      {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
        {"type": "identity", "spec_version": "2.1", "id": "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "Partner CERT",
         "identity_class": "organization"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade",
         "created_by_ref": "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
         "name": "Command server", "pattern": "[ipv4-addr:value = '198.51.100.77']", "pattern_type": "stix",
         "valid_from": "2020-01-01T00:00:00Z", "confidence": 85,
         "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]}
      ]}
      """;

  static TestServer.Response importFile(TestServer s, String token, String content, String query) {
    return s.post("/api/v1/indicators/import" + query, token, "application/octet-stream",
        content.getBytes(StandardCharsets.UTF_8));
  }

  static void awaitRetroHunt(TestServer s) throws InterruptedException {
    assertThat(s.server.indicators().retroHunt().awaitIdle(30_000)).as("retro-hunt finished").isTrue();
  }

  static List<JsonNode> indicatorAlerts(TestServer s, String token) {
    List<JsonNode> out = new ArrayList<>();
    s.get("/api/v1/alerts?kind=indicator&limit=1000", token).json().get("items").forEach(out::add);
    return out;
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void importedIndicator_findsStoredEventOnce_inItsInstitution(String kind) throws Exception {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      s.ingest(a, connection("A-WS01", "192.0.2.10", 2) + connection("A-WS02", C2, 3));
      s.ingest(b, connection("B-WS01", "192.0.2.20", 1) + connection("B-WS02", C2, 45)); // outside 30 days
      s.awaitDetection();
      assertThat(indicatorAlerts(s, admin)).isEmpty();

      TestServer.Response r = importFile(s, admin, BUNDLE, "?name=partner.json");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("format").asText()).isEqualTo("stix");
      assertThat(r.json().get("changed").asInt()).isEqualTo(1);
      awaitRetroHunt(s);

      List<JsonNode> alerts = indicatorAlerts(s, admin);
      assertThat(alerts).hasSize(1);
      JsonNode alert = alerts.get(0);
      assertThat(alert.get("institution").asText()).isEqualTo("a");
      assertThat(alert.get("host").asText()).isEqualTo("A-WS02");
      assertThat(alert.get("retrospective").asBoolean()).isTrue();
      assertThat(alert.get("fingerprint").asText())
          .isEqualTo("i:indicator--a932fcc6-e032-476c-826f-cb970a5a1ade:" + alert.get("event_id").asLong());
      assertThat(alert.get("incident").isNull()).as("joined an incident").isFalse();
      assertThat(alert.get("group").get("sources").asText()).startsWith("Partner CERT|85|tlp:amber");

      TestServer.Response again = importFile(s, admin, BUNDLE, "?name=partner.json");
      assertThat(again.json().get("changed").asInt()).isZero();
      awaitRetroHunt(s);
      assertThat(indicatorAlerts(s, admin)).hasSize(1);

      String analystB = s.user(admin, "bob", "institution_analyst", "b", null);
      assertThat(indicatorAlerts(s, analystB)).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void liveAndRetrospective_shareFingerprints(String kind) throws Exception {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      s.ingest(a, connection("A-WS01", "evil.example.net", 1).replace("\"ip\"", "\"domain\""));
      s.awaitDetection();
      TestServer.Response r = importFile(s, admin, "# partner list\nevil.example.net\n", "?name=list.txt&tlp=green");
      assertThat(r.json().get("format").asText()).isEqualTo("list");
      awaitRetroHunt(s);
      assertThat(indicatorAlerts(s, admin)).hasSize(1);

      s.ingest(a, connection("A-WS03", "www.evil.example.net", 0).replace("\"ip\"", "\"domain\""));
      s.awaitDetection();
      List<JsonNode> alerts = indicatorAlerts(s, admin);
      assertThat(alerts).hasSize(2);
      assertThat(alerts.stream().filter(x -> x.get("retrospective").asBoolean()).count()).isEqualTo(1);
      assertThat(alerts.get(0).get("group").get("marking").asText()).isEqualTo("TLP:GREEN");

      // a second source of the same value: one more row, no new alert (the same sightings)
      TestServer.Response other = importFile(s, admin, "evil.example.net\n", "?name=other.txt&source=Other%20CERT");
      assertThat(other.json().get("changed").asInt()).isEqualTo(1);
      awaitRetroHunt(s);
      assertThat(indicatorAlerts(s, admin)).hasSize(2);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void revokedIndicator_stopsMatching_andListShowsIt(String kind) throws Exception {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      importFile(s, admin, BUNDLE, "?name=partner.json");
      String id = "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade";
      JsonNode list = s.get("/api/v1/indicators?q=198.51.100", admin).json();
      assertThat(list.get("total").asInt()).isEqualTo(1);
      assertThat(list.get("items").get(0).get("marking").asText()).isEqualTo("TLP:AMBER");
      assertThat(list.get("items").get(0).get("source").asText()).isEqualTo("Partner CERT");

      String analyst = s.user(admin, "ana", "institution_analyst", "a", null);
      assertThat(s.get("/api/v1/indicators", analyst).status()).isEqualTo(403);
      assertThat(s.post("/api/v1/indicators/" + id + "/revoke", analyst, null, new byte[0]).status()).isEqualTo(403);

      TestServer.Response rv = s.post("/api/v1/indicators/" + id + "/revoke", admin, null, new byte[0]);
      assertThat(rv.status()).isEqualTo(200);
      assertThat(rv.json().get("revoked").asInt()).isEqualTo(1);
      assertThat(s.server.indicators().current().find(id)).isNull();
      s.ingest(a, connection("A-WS01", C2, 0));
      s.awaitDetection();
      assertThat(indicatorAlerts(s, admin)).isEmpty();
      assertThat(s.get("/api/v1/indicators?revoked=true", admin).json().get("total").asInt()).isEqualTo(1);
      assertThat(s.post("/api/v1/indicators/indicator--00000000-0000-4000-8000-000000000000/revoke", admin, null,
          new byte[0]).status()).isEqualTo(404);
    }
  }
}
