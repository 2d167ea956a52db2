package org.lovcen.intel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Problem;
import org.lovcen.core.Timestamps;

/** Import of STIX bundles, MISP events and feeds and lists; export and round trips; TLP rules. */
class ImportExportTest {
  static final long NOW = Timestamps.parse("2022-09-01T00:00:00Z");

  /** The indicator example of the STIX 2.1 specification (section 4.7), plus markings and lifecycle fields. */
  static final String BUNDLE = """
      {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
        {"type": "identity", "spec_version": "2.1", "id": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
         "created": "2016-04-06T20:03:00.000Z", "modified": "2016-04-06T20:03:00.000Z", "name": "Partner CERT",
         "identity_class": "organization"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created_by_ref": "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff", "created": "2016-04-06T20:03:48.000Z",
         "modified": "2016-04-06T20:03:48.000Z", "indicator_types": ["malicious-activity"],
         "name": "Poison Ivy Malware", "description": "This file is part of Poison Ivy",
         "pattern": "[ file:hashes.'SHA-256' = '4bac27393bdd9777ce02453256c5577cd02275510b2227f473d03f533924f877' ]",
         "pattern_type": "stix", "valid_from": "2016-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z",
         "confidence": 85, "labels": ["poison-ivy"],
         "kill_chain_phases": [{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "installation"}],
         "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                                 "marking-definition--0a2e1b5f-0000-4000-8000-000000000001"]},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000001",
         "created": "2022-08-01T00:00:00Z", "modified": "2022-08-01T00:00:00Z", "name": "C2",
         "pattern": "[domain-name:value = 'api.telemetry-msn.net' OR ipv4-addr:value = '198.51.100.0/24']",
         "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000002",
         "pattern": "[file:name = ", "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000003",
         "pattern": "[file:name = 'a'] FOLLOWEDBY [file:name = 'b']", "pattern_type": "stix",
         "valid_from": "2022-08-01T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000004",
         "pattern": "title: x", "pattern_type": "sigma", "valid_from": "2022-08-01T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000005",
         "pattern": "[ipv4-addr:value = '300.1.1.1']", "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000006",
         "pattern": "[ipv4-addr:value = '192.0.2.1']", "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z",
         "valid_until": "2021-01-01T00:00:00Z"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000007",
         "pattern": "[url:value = 'http://x4z9arb.cn/4712/']", "pattern_type": "stix"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000008",
         "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z",
         "object_marking_refs": ["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]},
        "not an object",
        {"type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b", "name": "Poison Ivy"}
      ]}
      """;

  static final String MISP = """
      {"Event": {"uuid": "5a2b1c3d-0000-4000-8000-000000000000", "info": "Cuba ransomware campaign",
        "distribution": "1", "Orgc": {"name": "CERT-X"},
        "Tag": [{"name": "tlp:amber"}, {"name": "misp-galaxy:ransomware=\\"Cuba\\""}],
        "Attribute": [
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000001", "type": "ip-dst", "value": "198.51.100.77", "to_ids": true,
           "comment": "C2", "distribution": "5"},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000002", "type": "domain", "value": "api.telemetry-msn.net",
           "to_ids": true, "Tag": [{"name": "tlp:green"}]},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000003", "type": "ip-dst|port", "value": "203.0.113.47|443",
           "to_ids": true},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000004", "type": "filename|sha256",
           "value": "wdupd.exe|6125776e14534cf97ed1ac808cdcd96ad61fac923294ad747ee0ea24b30d47dd", "to_ids": true},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000005", "type": "url",
           "value": "http://cdn.officeupdate-center.com/wp-content/uploads/2022/08/inv.ps1", "to_ids": true},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000006", "type": "md5", "value": "not-a-hash", "to_ids": true},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000007", "type": "regkey", "value": "HKLM\\\\x", "to_ids": true},
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000008", "type": "ip-src", "value": "192.0.2.1", "to_ids": false}
        ],
        "Object": [{"name": "file", "Attribute": [
          {"uuid": "5a2b1c3d-0000-4000-8000-000000000009", "type": "sha1",
           "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709", "to_ids": "1"}]}]}}
      """;

  static Intel.Loaded read(String text, String name) {
    return Intel.read(text.getBytes(StandardCharsets.UTF_8), name);
  }

  @Test
  void stixBundle_importsEveryValidIndicator_andRejectsTheRestPerObjectWithReason() {
    Intel.Loaded l = read(BUNDLE, "partner.json");
    ImportReport r = l.reports().get(0);
    assertThat(r.format()).isEqualTo("stix");
    assertThat(r.loaded()).isEqualTo(3);
    assertThat(r.unsupported()).extracting(Problem::reason).containsExactly(
        "observation operator FOLLOWEDBY needs an ordered sequence of events, not matched per event",
        "pattern_type 'sigma' is not matched (only stix)");
    assertThat(r.errors()).extracting(Problem::toString).containsExactly(
        "partner.json:objects[3] line 20 indicator--0f1a2b3c-0000-4000-8000-000000000002 pattern column 14: "
            + "expected a value",
        "partner.json:objects[6] line 27 indicator--0f1a2b3c-0000-4000-8000-000000000005: invalid ipv4-addr value "
            + "'300.1.1.1': not an IPv4 address",
        "partner.json:objects[7] line 29 indicator--0f1a2b3c-0000-4000-8000-000000000006: valid_until "
            + "2021-01-01T00:00:00Z is not later than valid_from 2022-08-01T00:00:00Z",
        "partner.json:objects[8] line 32 indicator--0f1a2b3c-0000-4000-8000-000000000007: missing or empty valid_from",
        "partner.json:objects[10] line 37: an object in a bundle must be a JSON object");
    Indicator poison = l.indicators().get(0);
    assertThat(poison.name()).isEqualTo("Poison Ivy Malware");
    assertThat(poison.sources()).containsExactly(new Source("Partner CERT", "partner.json", 85, Marking.AMBER, -1));
    assertThat(poison.killChainPhases()).containsExactly("lockheed-martin-cyber-kill-chain:installation");
    assertThat(poison.validUntil()).isEqualTo(Timestamps.parse("2030-01-01T00:00:00Z"));
    assertThat(poison.markingRefs()).hasSize(2);
  }

  @Test
  void stixRoundTrip_keepsEveryFieldLovcenUnderstands() throws IOException {
    List<Indicator> first = read(BUNDLE, "partner.json").indicators();
    StringWriter w = new StringWriter();
    int n = Intel.exportStix(first, Map.of(), "Partner CERT", NOW, w);
    assertThat(n).isEqualTo(2);
    List<Indicator> again = read(w.toString(), "partner.json").indicators();
    assertThat(again).isEqualTo(first.stream().filter(i -> i.marking() != Marking.RED).toList());
  }

  @Test
  void export_neverWritesTlpRed_andWritesSightingsIdentityAndMarkings() throws IOException {
    List<Indicator> all = read(BUNDLE, "partner.json").indicators();
    Indicator c2 = all.get(1);
    Sighting s = new Sighting(c2.id(), NOW - 10, NOW, 3, List.of("mf"));
    StringWriter w = new StringWriter();
    Intel.exportStix(all, Map.of(c2.id(), s), "Lovcen CERT", NOW, w);
    String out = w.toString();
    assertThat(out).doesNotContain("203.0.113.9").doesNotContain(Marking.RED.stixId());
    assertThat(out).contains("\"type\" : \"sighting\"", "\"sighting_of_ref\" : \"" + c2.id() + "\"", "\"count\" : 3",
        "\"name\" : \"Lovcen CERT\"", "\"tlp_2_0\" : \"green\"", "\"where_sighted_refs\"");
    StringWriter m = new StringWriter();
    Intel.exportMisp(all, Map.of(), "Lovcen CERT", NOW, m);
    assertThat(m.toString()).doesNotContain("203.0.113.9").doesNotContain("tlp:red");
  }

  @Test
  void mispEvent_importsAttributesByType_withTagsDistributionAndProblems() {
    Intel.Loaded l = read(MISP, "event.json");
    ImportReport r = l.reports().get(0);
    assertThat(r.format()).isEqualTo("misp");
    assertThat(r.loaded()).isEqualTo(6);
    assertThat(r.skipped()).isEqualTo(1);
    assertThat(r.unsupported()).extracting(Problem::reason).containsExactly("attribute type 'regkey' is not matched");
    assertThat(r.errors()).extracting(Problem::position).containsExactly(
        "Event.Attribute[5] 5a2b1c3d-0000-4000-8000-000000000006");
    Indicator ip = l.indicators().get(0);
    assertThat(ip.id()).isEqualTo("indicator--5a2b1c3d-0000-4000-8000-000000000001");
    assertThat(ip.sources()).containsExactly(new Source("CERT-X", "event.json", -1, Marking.AMBER, 1));
    assertThat(ip.labels()).containsExactly("misp-galaxy:ransomware=\"Cuba\"");
    assertThat(ip.description()).isEqualTo("C2");
    assertThat(ip.name()).isEqualTo("Cuba ransomware campaign");
    assertThat(l.indicators().get(1).marking()).isEqualTo(Marking.AMBER);
    assertThat(l.indicators().get(2).clauses()).isEqualTo(List.of(List.of(Observable.of(ObservableType.IPV4,
        "203.0.113.47"))));
    assertThat(l.indicators().get(3).clauses().get(0)).extracting(Observable::type)
        .containsExactly(ObservableType.FILE_NAME, ObservableType.SHA256);
  }

  @Test
  void mispRoundTrip_keepsEveryFieldLovcenUnderstands() throws IOException {
    List<Indicator> first = read(MISP, "event.json").indicators().stream()
        .filter(i -> !i.clauses().get(0).get(0).value().equals("203.0.113.47")).toList();
    StringWriter w = new StringWriter();
    Intel.exportMisp(first, Map.of(), "CERT-X", NOW, w);
    List<Indicator> again = read(w.toString(), "event.json").indicators();
    assertThat(again).hasSameSizeAs(first);
    for (int i = 0; i < first.size(); i++) {
      Indicator a = first.get(i);
      Indicator b = again.get(i);
      assertThat(b.id()).isEqualTo(a.id());
      assertThat(b.clauses()).isEqualTo(a.clauses());
      assertThat(b.labels()).isEqualTo(a.labels());
      assertThat(b.marking()).isEqualTo(a.marking());
      assertThat(b.description()).isEqualTo(a.description());
      assertThat(b.sources()).extracting(Source::name, Source::distribution)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("CERT-X", 1));
    }
  }

  @Test
  void mispFeed_readsEventsOfTheManifest_andReportsMissingOnes(@TempDir Path dir) throws IOException {
    Path feed = dir.resolve("feed");
    Files.createDirectories(feed);
    Files.writeString(feed.resolve("manifest.json"), """
        {"5a2b1c3d-0000-4000-8000-000000000000": {"info": "Cuba"},
         "5a2b1c3d-0000-4000-8000-0000000000ff": {"info": "missing"}}""");
    Files.writeString(feed.resolve("5a2b1c3d-0000-4000-8000-000000000000.json"), MISP);
    Intel.Loaded l = Intel.load(List.of(dir));
    assertThat(l.reports()).singleElement().satisfies(r -> {
      assertThat(r.format()).isEqualTo("misp-feed");
      assertThat(r.loaded()).isEqualTo(6);
      assertThat(r.errors()).extracting(Problem::reason).contains("listed in manifest.json but missing");
    });
  }

  @Test
  void listsAndCsv_inferOrTakeTheType() {
    Intel.Loaded plain = read("""
        # partner list
        198.51.100.77
        2001:db8::/32
        api.telemetry-msn.net
        http://evil.example/x
        cead3f77f6cda6ec00f57d76c9a6879f
        what is this
        """, "list.txt");
    assertThat(plain.indicators()).extracting(i -> i.clauses().get(0).get(0).type()).containsExactly(
        ObservableType.IPV4, ObservableType.IPV6, ObservableType.DOMAIN, ObservableType.URL, ObservableType.MD5);
    assertThat(plain.reports().get(0).errors()).extracting(Problem::position).containsExactly("line 7");
    Intel.Loaded csv = read("""
        type,value,confidence,tlp,description
        filename,mk64.exe,60,amber,mimikatz
        ip-dst,198.51.100.77,,red,
        sha256,"6125776e14534cf97ed1ac808cdcd96ad61fac923294ad747ee0ea24b30d47dd",101,,
        """, "iocs.csv");
    assertThat(csv.reports().get(0).format()).isEqualTo("csv");
    assertThat(csv.indicators()).hasSize(2);
    assertThat(csv.indicators().get(0).sources().get(0)).isEqualTo(new Source("iocs.csv", "iocs.csv", 60,
        Marking.AMBER, -1));
    assertThat(csv.indicators().get(0).description()).isEqualTo("mimikatz");
    assertThat(csv.indicators().get(1).marking()).isEqualTo(Marking.RED);
    assertThat(csv.reports().get(0).errors()).extracting(Problem::position).containsExactly("line 4");
  }

  @Test
  void malformedJson_isOneErrorWithPosition() {
    Intel.Loaded l = read("{\"type\": \"bundle\", \"objects\": [ {\"type\": \"indicator\",, } ]}", "bad.json");
    assertThat(l.reports().get(0).errors()).singleElement().satisfies(p -> {
      assertThat(p.position()).startsWith("line 1 column");
      assertThat(p.reason()).startsWith("malformed JSON");
    });
    assertThat(read("{\"foo\": 1}", "x.json").reports().get(0).errors()).extracting(Problem::reason)
        .containsExactly("neither a STIX 2.1 bundle nor a MISP event");
  }

  @Test
  void jsonInAnEncodingItsBytesBreak_isOneError_notAnException() {
    byte[] utf32 = new byte[24];
    utf32[0] = '[';
    utf32[19] = (byte) 0xc6; // "[" then zeros read as UTF-32LE; this code point is above U+10FFFF
    Intel.Loaded l = Intel.read(utf32, "broken.json");
    assertThat(l.indicators()).isEmpty();
    assertThat(l.reports().get(0).errors()).singleElement()
        .satisfies(p -> assertThat(p.reason()).startsWith("malformed JSON").contains("UTF-32"));
  }
}
