package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.demo.WebTrafficGenerator;

/*
 * How and why: a site's attacks under way are measured against the site's own data, not the wall
 * clock (the server runs years after the election day it is sent). The government portal's log of
 * election day is sent as a shipper would, in two parts: up to 09:05, in the middle of the
 * distributed flood on it (09:01-09:09), then the rest of the morning. After the first part the
 * flood is under way, since its first minute, with its sources and its alert, whose last time has
 * moved on from its detection; the single-source flood of 07:30 is over. After the second part no
 * attack is under way, and the flood is the latest attack, ending with its traffic. Both databases.
 */
class SiteAttacksTest {
  @TempDir static Path tmp;
  static List<String> before;
  static List<String> after;

  @BeforeAll
  static void generate() throws Exception {
    Path dir = tmp.resolve("web");
    WebTrafficGenerator.generate(dir, WebTrafficGenerator.Options.defaults().withScale(0.1));
    List<String> lines = Files.readAllLines(dir.resolve("gov.access.log"), StandardCharsets.UTF_8);
    int cut = 0;
    while (cut < lines.size() && time(lines.get(cut)).compareTo("11:05:00") < 0) { // +0200: 09:05 UTC
      cut++;
    }
    before = lines.subList(0, cut);
    after = lines.subList(cut, lines.size());
    assertThat(before).isNotEmpty();
    assertThat(after).isNotEmpty();
  }

  /** The clock time of a line ("[16/Oct/2016:11:05:00 +0200]" gives "11:05:00"). */
  private static String time(String line) {
    int at = line.indexOf("/2016:");
    return line.substring(at + 6, at + 14);
  }

  private static void send(TestServer s, String admin, List<String> lines) {
    TestServer.Response up = s.post("/api/v1/ingest/files?name=gov.access.log&institution=uprava", admin,
        "application/octet-stream", (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(up.status()).as(up.body()).isEqualTo(200);
    s.awaitDetection();
  }

  private static JsonNode gov(TestServer s, String token) {
    TestServer.Response r = s.get("/api/v1/sites?institution=uprava", token);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    for (JsonNode x : r.json().get("items")) {
      if (x.get("site").asText().equals("gov")) {
        return x;
      }
    }
    throw new AssertionError("no site gov in " + r.body());
  }

  private static long micros(String t) {
    Instant i = Instant.parse(t);
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void attacksUnderWay_relativeToTheSitesOwnData_sinceWhenFromHowManySources(String kind) {
    try (TestServer s = TestServer.start(kind, tmp.resolve(kind))) {
      String admin = s.admin();
      s.institution(admin, "uprava");
      s.institution(admin, "mediji");
      String analyst = s.user(admin, "ana-uprava", "institution_analyst", "uprava", null);
      String outsider = s.user(admin, "ana-mediji", "institution_analyst", "mediji", null);
      send(s, admin, before);

      JsonNode site = gov(s, analyst);
      assertThat(site.get("last_minute").asText()).isEqualTo("2016-10-16T09:04:00.000000Z");
      JsonNode kinds = site.get("current_attacks");
      assertThat(kinds).extracting(k -> k.get("kind").asText()).containsExactly("distributed_flood");
      JsonNode flood = kinds.get(0);
      assertThat(flood.get("since").asText()).startsWith("2016-10-16T09:01");
      assertThat(flood.get("sources").asInt()).isGreaterThan(50);
      assertThat(flood.get("alerts").asInt()).isEqualTo(1);
      // the alert the kind links to: the flood's, widened while the flood went on
      JsonNode listed = s.get("/api/v1/alerts?kind=web&institution=uprava&host=gov&rule=distributed_flood&from="
          + flood.get("since").asText(), analyst).json();
      assertThat(listed.get("total").asInt()).isEqualTo(flood.get("alerts").asInt());
      JsonNode alert = listed.get("items").get(0);
      assertThat(alert.get("id").asLong()).isEqualTo(flood.get("newest_alert").asLong());
      assertThat(micros(alert.get("last").asText()) - micros(alert.get("fields").get("detected").asText()))
          .as("last time moved on from the detection").isGreaterThanOrEqualTo(60_000_000L);
      assertThat(alert.get("last").asText()).isEqualTo(flood.get("last").asText());
      assertThat(site.get("attacks")).extracting(a -> a.get("alert").asLong()).containsExactly(alert.get("id")
          .asLong());
      // the single-source flood of 07:30 is stored, and over
      assertThat(s.get("/api/v1/alerts?kind=web&institution=uprava&rule=source_flood", analyst).json().get("total")
          .asInt()).isPositive();
      assertThat(site.get("last_attack").get("alert").asLong()).isEqualTo(alert.get("id").asLong());

      // another institution sees nothing of it
      assertThat(s.get("/api/v1/sites?institution=uprava", outsider).status()).isEqualTo(403);
      assertThat(s.get("/api/v1/sites", outsider).json().get("items")).isEmpty();

      send(s, admin, after);
      JsonNode later = gov(s, analyst);
      assertThat(later.get("last_minute").asText()).isGreaterThan("2016-10-16T11:50");
      assertThat(later.get("current_attacks")).isEmpty();
      assertThat(later.get("attacks")).isEmpty();
      JsonNode last = later.get("last_attack");
      assertThat(last.get("alert").asLong()).isEqualTo(alert.get("id").asLong());
      assertThat(last.get("detector").asText()).isEqualTo("distributed_flood");
      assertThat(last.get("last").asText()).as("the flood's end (09:09), to within its last report")
          .isBetween("2016-10-16T09:07:00", "2016-10-16T09:11:00");
    }
  }
}
