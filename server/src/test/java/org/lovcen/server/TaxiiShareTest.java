package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.server.TaxiiFixture.ROOT;
import static org.lovcen.server.TaxiiFixture.basic;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the CERT shares: an incident's indicators exported as a STIX 2.1 bundle or a MISP event
 * (scoped like the incident, TLP:RED left out), and put into a TAXII collection for partners.
 */
class TaxiiShareTest {
  private static final String BUNDLE = """
      {"type": "bundle", "id": "bundle--0f7b3c1e-52a4-4d35-9d0b-6f4e2f1b8a90", "objects": [
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--7a3c9e51-2d4b-4f6e-8a1c-3b5d7f9e1a2c",
         "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "name": "C2 amber",
         "pattern": "[ipv4-addr:value = '198.51.100.77']", "pattern_type": "stix",
         "valid_from": "2020-01-01T00:00:00Z", "confidence": 80,
         "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--9b1d3f5a-7c9e-4b2d-8f4a-6c8e0a2b4d6f",
         "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z", "name": "C2 red",
         "pattern": "[ipv4-addr:value = '198.51.100.88']", "pattern_type": "stix",
         "valid_from": "2020-01-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]}
      ]}
      """;
  private static final String AMBER_ID = "indicator--7a3c9e51-2d4b-4f6e-8a1c-3b5d7f9e1a2c";
  private static final String RED_ID = "indicator--9b1d3f5a-7c9e-4b2d-8f4a-6c8e0a2b4d6f";
  @TempDir Path dir;

  private record Incident(TestServer s, TaxiiFixture t, long id) {}

  /** Indicators imported, then host A-WS01 of institution "a" contacts both addresses: one incident. */
  private static Incident incident(TestServer s) {
    TaxiiFixture t = new TaxiiFixture(s);
    String a = s.institution(t.admin, "a");
    s.institution(t.admin, "b");
    assertThat(RetroHuntTest.importFile(s, t.admin, BUNDLE, "?source=Partner%20CERT").status()).isEqualTo(200);
    s.ingest(a, RetroHuntTest.connection("A-WS01", "198.51.100.77", 0.01)
        + RetroHuntTest.connection("A-WS01", "198.51.100.88", 0.005));
    s.awaitDetection();
    JsonNode incidents = s.get("/api/v1/incidents", t.admin).json();
    assertThat(incidents.get("total").asInt()).isEqualTo(1);
    return new Incident(s, t, incidents.get("items").get(0).get("id").asLong());
  }

  private static List<JsonNode> ofType(JsonNode bundle, String type) {
    List<JsonNode> out = new ArrayList<>();
    bundle.get("objects").forEach(o -> {
      if (o.get("type").asText().equals(type)) {
        out.add(o);
      }
    });
    return out;
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void exportStix_hasIdentityMarkingsIndicatorsAndSightings_butNoRed(String kind) {
    try (TestServer s = TestServer.start(kind, dir, Map.of("LOVCEN_INTEL_IDENTITY", "CERT Montenegro"))) {
      Incident x = incident(s);
      TestServer.Response r = s.get("/api/v1/incidents/" + x.id() + "/export?format=stix", x.t().admin);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("application/stix+json");
      JsonNode bundle = r.json();
      assertThat(bundle.get("type").asText()).isEqualTo("bundle");
      JsonNode identity = ofType(bundle, "identity").get(0);
      assertThat(identity.get("name").asText()).isEqualTo("CERT Montenegro");
      assertThat(ofType(bundle, "marking-definition")).extracting(m -> m.get("name").asText())
          .containsExactly("TLP:AMBER");
      List<JsonNode> indicators = ofType(bundle, "indicator");
      assertThat(indicators).extracting(i -> i.get("id").asText()).containsExactly(AMBER_ID);
      assertThat(indicators.get(0).get("confidence").asInt()).isEqualTo(80);
      JsonNode sighting = ofType(bundle, "sighting").get(0);
      assertThat(sighting.get("sighting_of_ref").asText()).isEqualTo(AMBER_ID);
      assertThat(sighting.get("count").asInt()).isEqualTo(1);
      assertThat(sighting.get("where_sighted_refs").get(0).asText()).isEqualTo(identity.get("id").asText());
      assertThat(r.body()).doesNotContain(RED_ID).doesNotContain("198.51.100.88");

      TestServer.Response misp = s.get("/api/v1/incidents/" + x.id() + "/export?format=misp", x.t().admin);
      assertThat(misp.status()).isEqualTo(200);
      JsonNode event = misp.json().get("Event");
      assertThat(event.get("Orgc").get("name").asText()).isEqualTo("CERT Montenegro");
      assertThat(event.get("Attribute")).extracting(a -> a.get("value").asText()).containsExactly("198.51.100.77");
      assertThat(misp.body()).doesNotContain("198.51.100.88");
      assertThat(s.get("/api/v1/incidents/" + x.id() + "/export?format=pdf", x.t().admin).status()).isEqualTo(400);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void export_isScopedLikeTheIncident(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      Incident x = incident(s);
      String path = "/api/v1/incidents/" + x.id() + "/export?format=stix";
      String anaA = s.user(x.t().admin, "ana", "institution_analyst", "a", null);
      String bob = s.user(x.t().admin, "bob", "institution_analyst", "b", null);
      x.t().partner("p1");
      String p1 = x.t().partnerUser("p1", "p1");
      assertThat(s.get(path, anaA).status()).isEqualTo(200);
      assertThat(s.get(path, bob).status()).isEqualTo(404);
      assertThat(s.get(path, p1).status()).isEqualTo(404);
      assertThat(s.postJson("/api/v1/incidents/" + x.id() + "/shares", x.t().admin, Map.of("partner", "p1"))
          .status()).isEqualTo(204);
      assertThat(s.get(path, p1).status()).isEqualTo(200);
      assertThat(s.get("/api/v1/incidents/999999/export", x.t().admin).status()).isEqualTo(404);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void analystsShareIncidentIndicatorsAndBundles_partnersReadThem(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      Incident x = incident(s);
      x.t().partner("p1");
      x.t().partnerUser("p1", "p1");
      String c = x.t().collection("Shared", "amber", "green", List.of("p1"), List.of());
      String nat = s.user(x.t().admin, "nat", "national_analyst", null, null);
      String shareUrl = "/api/v1/taxii/collections/" + c + "/objects";

      TestServer.Response st = s.postJson(shareUrl, nat, Map.of("incident", x.id()));
      assertThat(st.status()).as(st.body()).isEqualTo(200);
      assertThat(st.json().get("failure_count").asInt()).isZero();
      JsonNode served = x.t().get(ROOT + "collections/" + c + "/objects/", basic("p1")).json();
      List<String> types = new ArrayList<>();
      served.get("objects").forEach(o -> types.add(o.get("type").asText()));
      assertThat(types).containsExactlyInAnyOrder("identity", "marking-definition", "indicator", "sighting");
      assertThat(served.toString()).contains(AMBER_ID).doesNotContain(RED_ID);

      String bundle = "{\"type\": \"bundle\", \"id\": \"bundle--1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a\", \"objects\": ["
          + TaxiiFixture.indicator("203.0.113.33", TaxiiFixture.GREEN) + "]}";
      TestServer.Response b = s.postJson(shareUrl, nat, bundle);
      assertThat(b.json().get("success_count").asInt()).isEqualTo(1);
      assertThat(x.t().get(ROOT + "collections/" + c + "/objects/", basic("p1")).json().get("objects")).hasSize(5);
      assertThat(s.get("/api/v1/indicators?q=203.0.113.33", nat).json().get("total").asInt())
          .as("what the CERT shares is not taken in again").isZero();

      String ana = s.user(x.t().admin, "ana", "institution_analyst", "a", null);
      assertThat(s.postJson(shareUrl, ana, Map.of("incident", x.id())).status()).isEqualTo(403);
      assertThat(s.postJson(shareUrl, nat, Map.of("foo", 1)).status()).isEqualTo(400);
      assertThat(s.postJson(shareUrl, nat, Map.of("incident", 999999)).status()).isEqualTo(404);
      assertThat(s.postJson("/api/v1/taxii/collections/nope/objects", nat, Map.of("incident", x.id())).status())
          .isEqualTo(404);
    }
  }
}
