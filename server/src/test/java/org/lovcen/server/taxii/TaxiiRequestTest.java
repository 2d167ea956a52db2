package org.lovcen.server.taxii;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lovcen.store.TaxiiStore;

class TaxiiRequestTest {
  private static TaxiiStore.ObjectQuery query(String queryString) {
    Map<String, List<String>> p = TaxiiQueryFuzzTest.params(queryString);
    return TaxiiRequest.query(n -> p.getOrDefault(n, List.of()), null, true, "last", 100);
  }

  private static int status(Runnable r) {
    try {
      r.run();
    } catch (TaxiiError e) {
      return e.status;
    }
    return 200;
  }

  @Test
  void isTaxii_onlySemicolons_isNotTaxii() {
    assertThat(TaxiiRequest.isTaxii(";")).isFalse();
    assertThat(TaxiiRequest.isTaxii(";;")).isFalse();
    assertThat(TaxiiRequest.isTaxii("")).isFalse();
    assertThat(TaxiiRequest.isTaxii("application/taxii+json; version=2.1")).isTrue();
    assertThat(TaxiiRequest.isTaxii("APPLICATION/TAXII+JSON")).isTrue();
    assertThat(TaxiiRequest.isTaxii("application/taxii+json;version=2.0")).isFalse();
  }

  @Test
  void query_filtersAndPaging() {
    TaxiiStore.ObjectQuery q = query("added_after=2026-03-01T10:00:00Z&next=1772359200000001&limit=7"
        + "&match[type]=indicator,%20malware&match[type]=note&match[version]=first,2026-03-02T00:00:00.5Z"
        + "&match[spec_version]=2.1");
    assertThat(q.addedAfter()).isEqualTo(1_772_359_200_000_001L);
    assertThat(q.limit()).isEqualTo(7);
    assertThat(q.types()).containsExactly("indicator", "malware", "note");
    assertThat(q.versions()).containsExactly("first", "1772409600500000");
    assertThat(q.specVersions()).containsExactly("2.1");
    assertThat(q.ids()).isEmpty();
    assertThat(query("").limit()).isEqualTo(100);
    assertThat(query("limit=5000").limit()).isEqualTo(100);
    assertThat(query("").versions()).containsExactly("last");
  }

  @Test
  void query_malformedParameters_400() {
    for (String bad : List.of("limit=0", "limit=-3", "limit=ten", "limit=99999999999", "next=abc",
        "added_after=2026-03-01T10:00:00", "added_after=yesterday", "match[version]=2026-03-01T10:00:00+01:00")) {
      assertThat(status(() -> query(bad))).as(bad).isEqualTo(400);
    }
  }

  @Test
  void envelope_malformedOrEmpty_400Or422() {
    assertThat(status(() -> TaxiiRequest.envelope(bytes("{\"objects\": [")))).isEqualTo(400);
    assertThat(status(() -> TaxiiRequest.envelope(bytes("")))).isEqualTo(422);
    assertThat(status(() -> TaxiiRequest.envelope(bytes("[]")))).isEqualTo(422);
    assertThat(status(() -> TaxiiRequest.envelope(bytes("{\"objects\": {}}")))).isEqualTo(422);
    assertThat(status(() -> TaxiiRequest.envelope(bytes("{\"objects\": []}")))).isEqualTo(422);
    assertThat(TaxiiRequest.envelope(bytes("{\"objects\": [{}]}")).get("objects").size()).isEqualTo(1);
  }

  @Test
  void check_versionNotAString_refusedWithReason() {
    TaxiiStore.Collection c = new TaxiiStore.Collection("c1", "Test", "", null, 3, 2, true, true, 0);
    for (String version : List.of("\"modified\": 1", "\"modified\": null", "\"created\": {}")) {
      JsonNode o = TaxiiRequest.envelope(bytes("{\"objects\": [{\"type\": \"note\", \"spec_version\": \"2.1\","
          + " \"id\": \"note--22222222-3333-4444-8555-666666666666\", " + version + "}]}")).get("objects").get(0);
      assertThatThrownBy(() -> TaxiiCollections.check(c, o, "test")).as(version)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a string");
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
