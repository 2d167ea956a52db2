package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.server.TaxiiFixture.ROOT;
import static org.lovcen.server.TaxiiFixture.TAXII;
import static org.lovcen.server.TaxiiFixture.basic;
import static org.lovcen.server.TaxiiFixture.bearer;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Timestamps;

/**
 * The TAXII 2.1 endpoints against the specification (OASIS TAXII Version 2.1, sections 3 to 5):
 * every endpoint's resource, the media types, the date-added headers, filtering, paging, and the
 * error statuses with error messages. Against the real server, on both databases.
 */
class TaxiiContractTest {
  @TempDir Path dir;

  private static TestServer start(String kind, Path dir) {
    return TestServer.start(kind, dir, Map.of("LOVCEN_TAXII_PAGE_SIZE", "50", "LOVCEN_TAXII_MAX_CONTENT_MB", "1"));
  }

  /** A server with the national user "nat" (HTTP Basic) and one collection holding {@code n} indicators. */
  private record Setup(TestServer s, TaxiiFixture t, String nat, String collection) {}

  private static Setup setup(TestServer s, int n) {
    TaxiiFixture t = new TaxiiFixture(s);
    s.user(t.admin, "nat", "national_analyst", null, null);
    String c = t.collection("Indicators", "amber", "green", List.of(), List.of());
    if (n > 0) {
      TestServer.Response r = t.add(c, basic("nat"), TaxiiFixture.indicators(1, n, null));
      assertThat(r.status()).as(r.body()).isEqualTo(202);
    }
    return new Setup(s, t, basic("nat"), c);
  }

  private static void assertTaxii(TestServer.Response r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("Content-Type")).isEqualTo(TAXII);
  }

  /** 3.6.1: an error message has a title and the HTTP status as a string. */
  private static void assertError(TestServer.Response r, int status) {
    assertTaxii(r, status);
    JsonNode e = r.json();
    assertThat(e.get("title").asText()).isNotEmpty();
    assertThat(e.get("http_status").asText()).isEqualTo(Integer.toString(status));
    assertThat(e.has("description")).isTrue();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void discoveryAndApiRoot(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 0);
      TestServer.Response d = x.t().get("/taxii2/", x.nat());
      assertTaxii(d, 200);
      assertThat(d.json().get("title").asText()).isNotEmpty();
      assertThat(d.json().get("default").asText()).endsWith(ROOT);
      assertThat(d.json().get("api_roots")).hasSize(1);
      assertThat(d.json().get("api_roots").get(0).asText()).isEqualTo(s.url + ROOT);

      TestServer.Response root = x.t().get(ROOT, x.nat());
      assertTaxii(root, 200);
      assertThat(root.json().get("title").asText()).isNotEmpty();
      assertThat(root.json().get("versions").get(0).asText()).isEqualTo(TAXII);
      assertThat(root.json().get("max_content_length").asLong()).isEqualTo(1 << 20);

      assertError(x.t().get("/taxii2/other/", x.nat()), 404);
      assertError(x.t().get("/taxii2/other/collections/", x.nat()), 404);
      assertError(x.t().get(ROOT + "no-such-endpoint/", x.nat()), 404);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void collections(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 0);
      TestServer.Response list = x.t().get(ROOT + "collections/", x.nat());
      assertTaxii(list, 200);
      JsonNode c = list.json().get("collections").get(0);
      assertThat(c.get("id").asText()).isEqualTo(x.collection());
      assertThat(c.get("title").asText()).isEqualTo("Indicators");
      assertThat(c.get("can_read").asBoolean()).isTrue();
      assertThat(c.get("can_write").asBoolean()).isTrue();
      assertThat(c.get("media_types").get(0).asText()).isEqualTo("application/stix+json;version=2.1");

      TestServer.Response one = x.t().get(ROOT + "collections/" + x.collection() + "/", x.nat());
      assertTaxii(one, 200);
      assertThat(one.json()).isEqualTo(c);
      assertError(x.t().get(ROOT + "collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/", x.nat()), 404);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void addObjects_answersStatus_andStatusEndpointRepeatsIt(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 0);
      TestServer.Response r = x.t().add(x.collection(), x.nat(), TaxiiFixture.indicators(1, 3, null));
      assertTaxii(r, 202);
      JsonNode st = r.json();
      assertThat(st.get("status").asText()).isEqualTo("complete");
      assertThat(st.get("total_count").asInt()).isEqualTo(3);
      assertThat(st.get("success_count").asInt()).isEqualTo(3);
      assertThat(st.get("failure_count").asInt()).isZero();
      assertThat(st.get("pending_count").asInt()).isZero();
      assertThat(st.has("failures")).as("empty lists are left out").isFalse();
      assertThat(st.get("successes").get(0).get("version").asText()).isEqualTo("2026-01-01T00:00:00.000Z");
      assertThat(Timestamps.parse(st.get("request_timestamp").asText())).isPositive();

      TestServer.Response again = x.t().get(ROOT + "status/" + st.get("id").asText() + "/", x.nat());
      assertTaxii(again, 200);
      assertThat(again.json()).isEqualTo(st);
      assertError(x.t().get(ROOT + "status/2d086da7-4bdc-4f91-900e-d77486753710/", x.nat()), 404);

      TestServer.Response dup = x.t().add(x.collection(), x.nat(), TaxiiFixture.indicators(1, 1, null));
      assertThat(dup.json().get("success_count").asInt()).isEqualTo(1);
      assertThat(dup.json().get("successes").get(0).get("message").asText()).contains("already");
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void getObjects_envelopeHeadersAndOrder(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 5);
      TestServer.Response r = x.t().get(ROOT + "collections/" + x.collection() + "/objects/", x.nat());
      assertTaxii(r, 200);
      assertThat(r.json().get("more").asBoolean()).isFalse();
      assertThat(r.json().has("next")).isFalse();
      List<String> ids = TaxiiFixture.ids(r.json());
      assertThat(ids).hasSize(5).doesNotHaveDuplicates();
      assertThat(ids.get(0)).isEqualTo(TaxiiFixture.id(TaxiiFixture.indicator("203.0.113.1", null)));
      long first = Timestamps.parse(r.header("X-TAXII-Date-Added-First"));
      long last = Timestamps.parse(r.header("X-TAXII-Date-Added-Last"));
      assertThat(first).isLessThan(last);
      assertThat(r.header("X-TAXII-Date-Added-Last")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

      TestServer.Response empty = x.t().get(ROOT + "collections/" + x.collection() + "/objects/?added_after="
          + enc(r.header("X-TAXII-Date-Added-Last")), x.nat());
      assertTaxii(empty, 200);
      assertThat(empty.json().get("more").asBoolean()).isFalse();
      assertThat(empty.json().has("objects")).isFalse();
      assertThat(empty.header("X-TAXII-Date-Added-First")).isNull();
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void paging_withNext_andWithAddedAfter_givesEveryObjectOnce(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 7);
      String objects = ROOT + "collections/" + x.collection() + "/objects/";
      List<String> seen = new ArrayList<>();
      String next = null;
      int pages = 0;
      do {
        TestServer.Response r = x.t().get(objects + "?limit=3" + (next == null ? "" : "&next=" + enc(next)), x.nat());
        assertTaxii(r, 200);
        pages++;
        seen.addAll(TaxiiFixture.ids(r.json()));
        boolean more = r.json().get("more").asBoolean();
        next = more ? r.json().get("next").asText() : null;
        assertThat(more).isEqualTo(seen.size() < 7);
      } while (next != null);
      assertThat(pages).isEqualTo(3);
      assertThat(seen).hasSize(7).doesNotHaveDuplicates();

      List<String> byDate = new ArrayList<>();
      String after = null;
      for (int i = 0; i < 10; i++) {
        TestServer.Response r = x.t().get(objects + "?limit=2" + (after == null ? "" : "&added_after=" + enc(after)),
            x.nat());
        byDate.addAll(TaxiiFixture.ids(r.json()));
        if (!r.json().get("more").asBoolean()) {
          break;
        }
        after = r.header("X-TAXII-Date-Added-Last");
      }
      assertThat(byDate).isEqualTo(seen);

      TestServer.Response big = x.t().get(objects + "?limit=1000", x.nat());
      assertThat(TaxiiFixture.ids(big.json())).hasSize(7);
      assertError(x.t().get(objects + "?limit=0", x.nat()), 400);
      assertError(x.t().get(objects + "?limit=many", x.nat()), 400);
      assertError(x.t().get(objects + "?next=garbage", x.nat()), 400);
      assertError(x.t().get(objects + "?added_after=yesterday", x.nat()), 400);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void filters_matchIdTypeVersionSpecVersion(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 3);
      String objects = ROOT + "collections/" + x.collection() + "/objects/";
      String uuid = "1b1a8e87-4b4f-4ab4-9a26-bd5fb1c6b8f2";
      String v1 = TaxiiFixture.indicator(uuid, "198.51.100.1", null, "2026-02-01T00:00:00.000Z");
      String v2 = TaxiiFixture.indicator(uuid, "198.51.100.2", null, "2026-03-01T00:00:00.000Z");
      String identity = "{\"type\": \"identity\", \"spec_version\": \"2.1\", \"id\": "
          + "\"identity--e9b2a2d9-11d5-44a5-a7d6-9ae7f0d1e3b4\", \"created\": \"2026-01-01T00:00:00Z\", "
          + "\"modified\": \"2026-01-01T00:00:00Z\", \"name\": \"Partner\", \"identity_class\": \"organization\"}";
      assertThat(x.t().add(x.collection(), x.nat(), List.of(v1, identity)).status()).isEqualTo(202);
      assertThat(x.t().add(x.collection(), x.nat(), List.of(v2)).status()).isEqualTo(202);
      String id = "indicator--" + uuid;

      assertThat(TaxiiFixture.ids(x.t().get(objects, x.nat()).json())).hasSize(5).containsOnlyOnce(id);
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[id]=" + id, x.nat()).json())).containsExactly(id);
      JsonNode last = x.t().get(objects + "?match[id]=" + id, x.nat()).json().get("objects").get(0);
      assertThat(last.get("modified").asText()).isEqualTo("2026-03-01T00:00:00.000Z");
      assertThat(x.t().get(objects + "?match[id]=" + id + "&match[version]=first", x.nat()).json().get("objects")
          .get(0).get("modified").asText()).isEqualTo("2026-02-01T00:00:00.000Z");
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[id]=" + id + "&match[version]=all", x.nat()).json()))
          .containsExactly(id, id);
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[version]=" + enc("2026-02-01T00:00:00.000Z"),
          x.nat()).json())).containsExactly(id);
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[version]=first,last", x.nat()).json())).hasSize(6);
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[type]=identity", x.nat()).json()))
          .containsExactly("identity--e9b2a2d9-11d5-44a5-a7d6-9ae7f0d1e3b4");
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[type]=identity,indicator", x.nat()).json())).hasSize(5);
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[type]=malware", x.nat()).json())).isEmpty();
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[spec_version]=2.1", x.nat()).json())).hasSize(5);
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[spec_version]=2.0", x.nat()).json())).isEmpty();
      String two = TaxiiFixture.id(TaxiiFixture.indicator("203.0.113.2", null));
      assertThat(TaxiiFixture.ids(x.t().get(objects + "?match[id]=" + id + "," + two, x.nat()).json()))
          .containsExactlyInAnyOrder(id, two);
      assertError(x.t().get(objects + "?match[version]=latest", x.nat()), 400);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void objectById_versions_manifest(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 2);
      String uuid = "6f4d8b52-6a73-4b8e-9b0e-0a3b1b6c7f21";
      String id = "indicator--" + uuid;
      x.t().add(x.collection(), x.nat(), List.of(TaxiiFixture.indicator(uuid, "198.51.100.9", null,
          "2026-02-01T00:00:00.000Z")));
      x.t().add(x.collection(), x.nat(), List.of(TaxiiFixture.indicator(uuid, "198.51.100.9", null,
          "2026-04-01T00:00:00.000Z")));
      String base = ROOT + "collections/" + x.collection() + "/";

      TestServer.Response obj = x.t().get(base + "objects/" + id + "/", x.nat());
      assertTaxii(obj, 200);
      assertThat(obj.json().get("objects")).hasSize(1);
      assertThat(obj.json().get("objects").get(0).get("modified").asText()).isEqualTo("2026-04-01T00:00:00.000Z");
      assertThat(obj.header("X-TAXII-Date-Added-First")).isNotNull();
      assertThat(x.t().get(base + "objects/" + id + "/?match[version]=all", x.nat()).json().get("objects")).hasSize(2);
      assertError(x.t().get(base + "objects/indicator--00000000-0000-4000-8000-000000000000/", x.nat()), 404);

      TestServer.Response v = x.t().get(base + "objects/" + id + "/versions/", x.nat());
      assertTaxii(v, 200);
      assertThat(v.json().get("more").asBoolean()).isFalse();
      assertThat(v.json().get("versions")).extracting(JsonNode::asText)
          .containsExactly("2026-02-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z");
      assertThat(v.header("X-TAXII-Date-Added-Last")).isNotNull();
      TestServer.Response v1 = x.t().get(base + "objects/" + id + "/versions/?limit=1", x.nat());
      assertThat(v1.json().get("more").asBoolean()).isTrue();
      assertThat(v1.json().get("versions")).hasSize(1);
      assertError(x.t().get(base + "objects/indicator--00000000-0000-4000-8000-000000000000/versions/", x.nat()),
          404);

      TestServer.Response m = x.t().get(base + "manifest/", x.nat());
      assertTaxii(m, 200);
      assertThat(m.json().get("more").asBoolean()).isFalse();
      JsonNode records = m.json().get("objects");
      assertThat(records).hasSize(3);
      JsonNode rec = records.get(2);
      assertThat(rec.get("id").asText()).isEqualTo(id);
      assertThat(rec.get("version").asText()).isEqualTo("2026-04-01T00:00:00.000Z");
      assertThat(rec.get("media_type").asText()).isEqualTo("application/stix+json;version=2.1");
      assertThat(rec.get("date_added").asText()).isEqualTo(m.header("X-TAXII-Date-Added-Last"));
      TestServer.Response mp = x.t().get(base + "manifest/?limit=2", x.nat());
      assertThat(mp.json().get("more").asBoolean()).isTrue();
      assertThat(mp.json().get("objects")).hasSize(2);
      assertThat(x.t().get(base + "manifest/?match[version]=all", x.nat()).json().get("objects")).hasSize(4);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void observableWithoutModified_hasItsDateAddedAsVersion(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 0);
      String id = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd";
      String sco = "{\"type\": \"ipv4-addr\", \"spec_version\": \"2.1\", \"id\": \"" + id
          + "\", \"value\": \"198.51.100.3\"}";
      TestServer.Response added = x.t().add(x.collection(), x.nat(), List.of(sco));
      String version = added.json().get("successes").get(0).get("version").asText();
      String base = ROOT + "collections/" + x.collection() + "/";
      JsonNode record = x.t().get(base + "manifest/", x.nat()).json().get("objects").get(0);
      assertThat(record.get("version").asText()).isEqualTo(version).isEqualTo(record.get("date_added").asText());
      assertThat(x.t().get(base + "objects/" + id + "/versions/", x.nat()).json().get("versions").get(0).asText())
          .isEqualTo(version);
      assertThat(TaxiiFixture.ids(x.t().get(base + "objects/?match[version]=" + enc(version), x.nat()).json()))
          .containsExactly(id);
      TestServer.Response again = x.t().add(x.collection(), x.nat(), List.of(sco));
      assertThat(again.json().get("successes").get(0).get("message").asText()).contains("already");
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void mediaTypes_406And415(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 1);
      String objects = ROOT + "collections/" + x.collection() + "/objects/";
      assertError(x.t().get(objects, x.nat(), null), 406);
      assertError(x.t().get(objects, x.nat(), "application/json"), 406);
      assertError(x.t().get(objects, x.nat(), "application/taxii+json;version=2.0"), 406);
      assertError(x.t().get("/taxii2/", x.nat(), "application/stix+json;version=2.1"), 406);
      assertTaxii(x.t().get(objects, x.nat(), "application/taxii+json"), 200);
      assertTaxii(x.t().get(objects, x.nat(), "application/json, application/taxii+json; version=2.1"), 200);

      String envelope = "{\"objects\": [" + TaxiiFixture.indicator("203.0.113.50", null) + "]}";
      assertError(x.t().post(objects, x.nat(), "application/json", envelope), 415);
      assertError(x.t().post(objects, x.nat(), null, envelope), 415);
      assertError(x.t().post(objects, x.nat(), "application/taxii+json;version=2.0", envelope), 415);
      assertTaxii(x.t().post(objects, x.nat(), "application/taxii+json", envelope), 202);
    }
  }

  /** Regression: a media type of only ';' made the media-type check throw, answered 500. */
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void mediaTypes_onlySemicolons_406And415NotInternalError(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 1);
      String objects = ROOT + "collections/" + x.collection() + "/objects/";
      assertError(x.t().get(objects, x.nat(), ";"), 406);
      assertError(x.t().get(objects, x.nat(), ";;, ;"), 406);
      String envelope = "{\"objects\": [" + TaxiiFixture.indicator("203.0.113.51", null) + "]}";
      assertError(x.t().post(objects, x.nat(), ";", envelope), 415);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void authentication_basicAndBearer_401(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 1);
      String objects = ROOT + "collections/" + x.collection() + "/objects/";
      TestServer.Response none = x.t().get(objects, null);
      assertError(none, 401);
      assertThat(none.header("WWW-Authenticate")).startsWith("Basic");
      assertError(x.t().get(objects, "Basic " + java.util.Base64.getEncoder().encodeToString(
          "nat:wrong-password".getBytes(StandardCharsets.UTF_8))), 401);
      assertError(x.t().get(objects, "Basic !!!"), 401);
      assertError(x.t().get(objects, bearer("lov_not-a-token")), 401);
      assertError(x.t().get("/taxii2/", null), 401);

      assertTaxii(x.t().get(objects, bearer(x.t().admin)), 200);
      assertTaxii(x.t().get(objects, x.nat()), 200);
      assertTaxii(x.t().get(objects, x.nat()), 200); // remembered credentials
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void malformedRequests_400_413_422(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 0);
      String objects = ROOT + "collections/" + x.collection() + "/objects/";
      assertError(x.t().post(objects, x.nat(), TAXII, "{\"objects\": [ {"), 400);
      assertError(x.t().post(objects, x.nat(), TAXII, "[]"), 422);
      assertError(x.t().post(objects, x.nat(), TAXII, "{\"type\": \"bundle\"}"), 422);
      assertError(x.t().post(objects, x.nat(), TAXII, "{\"objects\": []}"), 422);
      assertError(x.t().post(objects, x.nat(), TAXII, "{\"objects\": {}}"), 422);

      StringBuilder big = new StringBuilder("{\"objects\": [");
      String one = TaxiiFixture.indicator("203.0.113.99", null);
      for (int i = 0; big.length() < (1 << 20) + 10; i++) {
        big.append(i == 0 ? "" : ",").append(one);
      }
      assertError(x.t().post(objects, x.nat(), TAXII, big.append("]}").toString()), 413);
      assertThat(TaxiiFixture.ids(x.t().get(objects, x.nat()).json())).isEmpty();
      TestServer.Response wrongMethod = x.t().post(ROOT + "collections/", x.nat(), TAXII, "{}");
      assertThat(wrongMethod.status()).isIn(404, 405);
      assertError(wrongMethod, wrongMethod.status());
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void malformedObjects_failAlone_withReasons(String kind) {
    try (TestServer s = start(kind, dir)) {
      Setup x = setup(s, 0);
      String good = TaxiiFixture.indicator("203.0.113.7", null);
      List<String> objects = List.of(good,
          "42",
          "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"created\": \"2026-01-01T00:00:00Z\"}",
          "{\"type\": \"indicator\", \"id\": \"malware--6b616fc1-1505-48e3-8b2c-0d19337bff38\", \"spec_version\": \"2.1\"}",
          "{\"type\": \"identity\", \"id\": \"identity--6b616fc1-1505-48e3-8b2c-0d19337bff38\", "
              + "\"spec_version\": \"2.0\", \"created\": \"2026-01-01T00:00:00Z\", \"name\": \"x\"}",
          TaxiiFixture.indicator("0b6f3d0f-9d1a-4a4c-9d4e-1f0b2a3c4d5e", "203.0.113.8", null, "last tuesday"),
          good.replace("203.0.113.7']", "203.0.113.7'").replace("C2 203.0.113.7", "broken")
              .replace(TaxiiFixture.id(good).substring(11), "77c2b3a9-1f1c-4a55-8a43-7e3f5b2a9c10"),
          TaxiiFixture.indicator("203.0.113.9", TaxiiFixture.RED),
          "{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": \"indicator--2f6a1b9c-3d4e-4f50-8a61-7b8c9d0e1f23\","
              + " \"created\": \"2026-01-01T00:00:00Z\", \"modified\": \"2026-01-01T00:00:00Z\", \"pattern\": "
              + "\"detection: selection\", \"pattern_type\": \"sigma\", \"valid_from\": \"2026-01-01T00:00:00Z\"}");
      TestServer.Response r = x.t().add(x.collection(), x.nat(), objects);
      assertTaxii(r, 202);
      JsonNode st = r.json();
      assertThat(st.get("total_count").asInt()).isEqualTo(9);
      assertThat(st.get("success_count").asInt()).isEqualTo(2);
      assertThat(st.get("failure_count").asInt()).isEqualTo(7);
      List<String> reasons = new ArrayList<>();
      st.get("failures").forEach(f -> reasons.add(f.get("id").asText() + ": " + f.get("message").asText()));
      assertThat(reasons).anySatisfy(m -> assertThat(m).startsWith("objects[1]: not a JSON object"))
          .anySatisfy(m -> assertThat(m).startsWith("objects[2]: missing or invalid id"))
          .anySatisfy(m -> assertThat(m).contains("malware--").contains("invalid id"))
          .anySatisfy(m -> assertThat(m).contains("spec_version '2.0'"))
          .anySatisfy(m -> assertThat(m).contains("'last tuesday' is not an RFC 3339"))
          .anySatisfy(m -> assertThat(m).contains("malformed indicator"))
          .anySatisfy(m -> assertThat(m).contains("TLP:RED is above what collection"));
      assertThat(st.get("successes").get(1).get("message").asText()).contains("not matched");

      JsonNode stored = x.t().get(ROOT + "collections/" + x.collection() + "/objects/", x.nat()).json();
      assertThat(TaxiiFixture.ids(stored)).containsExactly(TaxiiFixture.id(good),
          "indicator--2f6a1b9c-3d4e-4f50-8a61-7b8c9d0e1f23");
      assertThat(s.server.indicators().current().find(TaxiiFixture.id(good))).isNotNull();
      JsonNode rows = s.get("/api/v1/indicators?q=203.0.113.7", x.t().admin).json();
      assertThat(rows.get("total").asInt()).isEqualTo(1);
      assertThat(rows.get("items").get(0).get("origin").asText()).isEqualTo("taxii:" + x.collection());
      assertThat(rows.get("items").get(0).get("marking").asText()).as("the collection's default").isEqualTo("TLP:GREEN");
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
