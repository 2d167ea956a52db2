package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.server.TaxiiFixture.ROOT;
import static org.lovcen.server.TaxiiFixture.basic;
import static org.lovcen.server.TaxiiFixture.bearer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who may read and write which collection, and which objects ever leave: one test per rule.
 * Partners "p1" and "p2" with users of the same names; the national analyst "nat".
 */
class TaxiiAccessTest {
  @TempDir Path dir;

  private record World(TestServer s, TaxiiFixture t) {
    String objects(String c) {
      return ROOT + "collections/" + c + "/objects/";
    }

    String collection(String maxTlp, String defaultTlp, List<String> read, List<String> write) {
      return t.collection("c-" + maxTlp + "-" + read + write, maxTlp, defaultTlp, read, write);
    }

    /** Adds as the national analyst; asserts every object was stored. */
    void seed(String c, List<String> objects) {
      TestServer.Response r = t.add(c, basic("nat"), objects);
      assertThat(r.json().get("failure_count").asInt()).as(r.body()).isZero();
    }

    List<String> ids(String path, String auth) {
      TestServer.Response r = t.get(path, auth);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      return TaxiiFixture.ids(r.json());
    }
  }

  private static World world(TestServer s) {
    TaxiiFixture t = new TaxiiFixture(s);
    t.partner("p1");
    t.partner("p2");
    t.partnerUser("p1", "p1");
    t.partnerUser("p2", "p2");
    s.user(t.admin, "nat", "national_analyst", null, null);
    return new World(s, t);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void partner_readsOnlyItsCollections(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      String mine = w.collection("green", "green", List.of("p1"), List.of());
      String theirs = w.collection("green", "green", List.of("p2"), List.of());
      w.seed(mine, TaxiiFixture.indicators(1, 2, null));
      w.seed(theirs, TaxiiFixture.indicators(10, 2, null));

      JsonNode list = w.t().get(ROOT + "collections/", basic("p1")).json().get("collections");
      assertThat(list).hasSize(1);
      assertThat(list.get(0).get("id").asText()).isEqualTo(mine);
      assertThat(list.get(0).get("can_read").asBoolean()).isTrue();
      assertThat(list.get(0).get("can_write").asBoolean()).isFalse();
      assertThat(w.ids(w.objects(mine), basic("p1"))).hasSize(2);

      assertThat(w.t().get(ROOT + "collections/" + theirs + "/", basic("p1")).status()).isEqualTo(404);
      assertThat(w.t().get(w.objects(theirs), basic("p1")).status()).isEqualTo(404);
      assertThat(w.t().get(ROOT + "collections/" + theirs + "/manifest/", basic("p1")).status()).isEqualTo(404);
      String other = TaxiiFixture.id(TaxiiFixture.indicator("203.0.113.10", null));
      assertThat(w.t().get(w.objects(theirs) + other + "/", basic("p1")).status()).isEqualTo(404);
      assertThat(w.t().get(w.objects(theirs) + other + "/versions/", basic("p1")).status()).isEqualTo(404);

      // the same with a bearer token of the partner user
      String token = s.login("p1", "p1-long-password");
      assertThat(w.ids(w.objects(mine), bearer(token))).hasSize(2);
      assertThat(w.t().get(w.objects(theirs), bearer(token)).status()).isEqualTo(404);
      // the national CERT reads every collection
      assertThat(w.t().get(ROOT + "collections/", basic("nat")).json().get("collections")).hasSize(2);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void partner_cannotWriteWhereNotAllowed(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      String readOnly = w.collection("green", "green", List.of("p1"), List.of());
      String writeOnly = w.collection("green", "green", List.of(), List.of("p1"));
      List<String> one = TaxiiFixture.indicators(1, 1, null);

      TestServer.Response denied = w.t().add(readOnly, basic("p1"), one);
      assertThat(denied.status()).isEqualTo(403);
      assertThat(denied.json().get("http_status").asText()).isEqualTo("403");
      assertThat(w.ids(w.objects(readOnly), basic("nat"))).isEmpty();

      TestServer.Response added = w.t().add(writeOnly, basic("p1"), one);
      assertThat(added.status()).isEqualTo(202);
      assertThat(w.t().get(w.objects(writeOnly), basic("p1")).status()).as("write-only cannot read").isEqualTo(403);
      assertThat(w.t().add(writeOnly, basic("p2"), one).status()).as("not listed at all").isEqualTo(404);

      // the status is the writer's own
      String status = ROOT + "status/" + added.json().get("id").asText() + "/";
      assertThat(w.t().get(status, basic("p1")).status()).isEqualTo(200);
      assertThat(w.t().get(status, basic("p2")).status()).isEqualTo(404);
      assertThat(w.t().get(status, basic("nat")).status()).isEqualTo(200);

      // what a partner pushes becomes a server indicator under the partner's name
      JsonNode rows = s.get("/api/v1/indicators", w.t().admin).json();
      assertThat(rows.get("items").get(0).get("source").asText()).isEqualTo("Partner p1");
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void institutionAnalyst_hasNoTaxiiAccess(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      s.institution(w.t().admin, "a");
      s.user(w.t().admin, "ana", "institution_analyst", "a", null);
      assertThat(w.t().get("/taxii2/", basic("ana")).status()).isEqualTo(403);
      assertThat(w.t().get(ROOT + "collections/", basic("ana")).status()).isEqualTo(403);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void red_isNeverServed_notInObjectsManifestByIdOrVersions(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      String c = w.collection("red", "green", List.of("p1"), List.of("p1"));
      String red = TaxiiFixture.indicator("198.51.100.66", TaxiiFixture.RED);
      String redId = TaxiiFixture.id(red);
      // an object whose newer version is RED: the older GREEN version is not served as "last" either
      String uuid = "3c0d9d1e-6a2b-4f7c-8e1d-2b3a4c5d6e7f";
      String greenV1 = TaxiiFixture.indicator(uuid, "198.51.100.67", TaxiiFixture.GREEN, "2026-01-01T00:00:00.000Z");
      String redV2 = TaxiiFixture.indicator(uuid, "198.51.100.67", TaxiiFixture.RED, "2026-02-01T00:00:00.000Z");
      w.seed(c, List.of(red, greenV1, redV2, TaxiiFixture.indicator("198.51.100.68", TaxiiFixture.GREEN)));
      assertThat(s.server.indicators().current().find(redId)).as("RED is matched at home").isNotNull();

      for (String auth : List.of(basic("p1"), basic("nat"))) {
        List<String> served = new ArrayList<>();
        served.addAll(w.ids(w.objects(c), auth));
        served.addAll(w.ids(w.objects(c) + "?match[version]=all", auth));
        served.addAll(w.ids(w.objects(c) + "?match[id]=" + redId, auth));
        assertThat(served).doesNotContain(redId);
        assertThat(w.ids(w.objects(c), auth)).containsExactly(TaxiiFixture.id(
            TaxiiFixture.indicator("198.51.100.68", null)));
        JsonNode manifest = w.t().get(ROOT + "collections/" + c + "/manifest/?match[version]=all", auth).json();
        assertThat(manifest.toString()).doesNotContain(redId).doesNotContain("2026-02-01");
        assertThat(w.t().get(w.objects(c) + redId + "/", auth).status()).isEqualTo(404);
        assertThat(w.t().get(w.objects(c) + redId + "/versions/", auth).status()).isEqualTo(404);
        assertThat(w.t().get(w.objects(c) + "indicator--" + uuid + "/", auth).status()).isEqualTo(404);
        JsonNode versions = w.t().get(w.objects(c) + "indicator--" + uuid + "/versions/", auth).json();
        assertThat(versions.get("versions")).extracting(JsonNode::asText).containsExactly("2026-01-01T00:00:00.000Z");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void amber_onlyFromCollectionsAllowedToCarryIt(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      String green = w.collection("green", "green", List.of("p1"), List.of("p1"));
      String amber = w.collection("amber", "green", List.of("p1"), List.of("p1"));
      String amberObject = TaxiiFixture.indicator("198.51.100.80", TaxiiFixture.AMBER);
      String strict = TaxiiFixture.indicator("198.51.100.81", TaxiiFixture.AMBER_STRICT);

      TestServer.Response refused = w.t().add(green, basic("nat"), List.of(amberObject, strict));
      assertThat(refused.json().get("failure_count").asInt()).isEqualTo(2);
      assertThat(refused.json().get("failures").get(0).get("message").asText())
          .contains("TLP:AMBER").contains("(TLP:GREEN)");
      assertThat(w.ids(w.objects(green), basic("p1"))).isEmpty();

      TestServer.Response ok = w.t().add(amber, basic("p1"), List.of(amberObject, strict));
      assertThat(ok.json().get("success_count").asInt()).isEqualTo(1);
      assertThat(ok.json().get("failures").get(0).get("message").asText()).contains("TLP:AMBER+STRICT");
      assertThat(w.ids(w.objects(amber), basic("p1"))).containsExactly(TaxiiFixture.id(amberObject));
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void unmarkedObjects_countAsTheCollectionDefault_andLoweringTheCeilingHidesWhatIsAbove(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      String c = w.collection("amber", "amber", List.of("p1"), List.of());
      String unmarked = TaxiiFixture.indicator("198.51.100.90", null);
      String clear = TaxiiFixture.indicator("198.51.100.91", TaxiiFixture.CLEAR);
      String amber = TaxiiFixture.indicator("198.51.100.92", TaxiiFixture.AMBER);
      w.seed(c, List.of(unmarked, clear, amber));
      assertThat(w.ids(w.objects(c), basic("p1"))).hasSize(3);
      JsonNode row = s.get("/api/v1/indicators?q=198.51.100.90", w.t().admin).json().get("items").get(0);
      assertThat(row.get("marking").asText()).isEqualTo("TLP:AMBER");

      TestServer.Response bad = s.patchJson("/api/v1/taxii/collections/" + c, w.t().admin, Map.of("max_tlp", "green"));
      assertThat(bad.status()).as("default above the ceiling").isEqualTo(400);
      TestServer.Response lowered = s.patchJson("/api/v1/taxii/collections/" + c, w.t().admin,
          Map.of("max_tlp", "clear", "default_tlp", "amber"));
      assertThat(lowered.status()).isEqualTo(400);
      lowered = s.patchJson("/api/v1/taxii/collections/" + c, w.t().admin, Map.of("max_tlp", "green"));
      assertThat(lowered.status()).isEqualTo(400);
      lowered = s.patchJson("/api/v1/taxii/collections/" + c, w.t().admin,
          Map.of("max_tlp", "green", "default_tlp", "green"));
      assertThat(lowered.status()).as(lowered.body()).isEqualTo(200);
      assertThat(lowered.json().get("read")).as("access list kept").hasSize(1);
      assertThat(w.ids(w.objects(c), basic("p1"))).as("the AMBER object is hidden")
          .containsExactly(TaxiiFixture.id(unmarked), TaxiiFixture.id(clear));

      s.patchJson("/api/v1/taxii/collections/" + c, w.t().admin, Map.of("max_tlp", "clear", "default_tlp", "clear"));
      assertThat(w.ids(w.objects(c), basic("p1"))).hasSize(2);
      s.patchJson("/api/v1/taxii/collections/" + c, w.t().admin, Map.of("max_tlp", "red", "default_tlp", "red"));
      assertThat(w.ids(w.objects(c), basic("p1"))).as("unmarked now counts as RED")
          .containsExactly(TaxiiFixture.id(clear), TaxiiFixture.id(amber));
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void collectionsApi_isForTheNationalCert(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      World w = world(s);
      String nat = s.login("nat", "nat-long-password");
      String p1 = s.login("p1", "p1-long-password");
      Map<String, Object> body = Map.of("title", "x", "read", List.of("p1"));
      assertThat(s.postJson("/api/v1/taxii/collections", nat, body).status()).as("admins create").isEqualTo(403);
      assertThat(s.postJson("/api/v1/taxii/collections", w.t().admin, Map.of("title", "x", "read", List.of("nope")))
          .status()).isEqualTo(400);
      assertThat(s.postJson("/api/v1/taxii/collections", w.t().admin, Map.of("title", "x", "max_tlp", "purple"))
          .status()).isEqualTo(400);
      assertThat(s.postJson("/api/v1/taxii/collections", w.t().admin, body).status()).isEqualTo(201);
      assertThat(s.get("/api/v1/taxii/collections", nat).json().get("total").asInt()).isEqualTo(1);
      assertThat(s.get("/api/v1/taxii/collections", p1).status()).isEqualTo(403);
      assertThat(s.get("/api/v1/taxii/feeds", nat).json().get("total").asInt()).isZero();
    }
  }
}
