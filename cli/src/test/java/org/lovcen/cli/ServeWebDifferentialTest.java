package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Alert;
import org.lovcen.core.SharedData;
import org.lovcen.demo.WebTrafficGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.server.TestClock;
import org.lovcen.server.TestServer;
import org.lovcen.sigma.RuleSet;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.AccessLogSource;
import org.lovcen.web.AccessRecord;
import org.lovcen.web.Decision;
import org.lovcen.web.WebConfig;

/**
 * The server runs the same website detection as hunt: the election-day traffic (the demo's five
 * sites, one access log in event-time order, uploaded to `lovcen serve`) gives the web alerts and
 * decisions `hunt` gives on the same file; a bouncer pulling the server's stream gets those
 * decisions, a revocation through the API and the end of the decisions' time reach it as
 * deletions, and site statistics count every request. Another institution's analyst sees none of it.
 */
class ServeWebDifferentialTest {
  private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final String INSTITUTION = "mediji";
  private static final String BOUNCER_KEY = "bouncer-key-of-the-national-firewall";

  @TempDir static Path tmp;
  static Path merged;
  static Map<String, Long> linesPerSite = new java.util.TreeMap<>();
  static List<Alert> huntAlerts;
  static List<Decision> huntDecisions;

  /** Lovcen's own rules and, when the shared corpus is there, the SigmaHQ webserver rules (exploit attempts). */
  static synchronized RuleSet rules() {
    return RuleSet.load(ruleFolders(), RuleSet.Options.defaults());
  }

  /** The folders of {@link #rules()}. */
  static List<Path> ruleFolders() {
    List<Path> folders = new ArrayList<>(List.of(TestServer.root().resolve("rules")));
    Path web = SharedData.resolve("sigma/rules/web/webserver_generic");
    if (web != null) {
      folders.add(web);
    }
    return folders;
  }

  private static RuleSet rules;

  /**
   * The demo's five logs (five formats) as one vhost-combined log with request time, upstream
   * time and cache status, in event-time order: the order a shipper sends and the store keeps.
   */
  @BeforeAll
  static void generate() throws Exception {
    merged = mergedLog(tmp, WebTrafficGenerator.Options.defaults().withScale(0.3), linesPerSite);
    rules = rules();
    List<Path> rest = new ArrayList<>();
    List<EventSource> sources = WebHunt.open(List.of(merged), AccessLogFormat.AUTO, INSTITUTION, rest);
    assertThat(rest).isEmpty();
    WebHunt web = new WebHunt(WebConfig.DEFAULT, INSTITUTION);
    huntAlerts = new Hunt(rules, 2).web(web).run(sources, p -> {}, b -> {}).alerts().stream()
        .filter(a -> a.kind().equals("web")).toList();
    huntDecisions = web.decisions();
  }

  /**
   * Generates the election-day traffic under {@code dir}/web and writes it as one vhost-combined
   * log, {@code dir}/election.access.log, in event-time order (then file and line); counts the
   * lines per site into {@code perSite}.
   */
  static Path mergedLog(Path dir, WebTrafficGenerator.Options options, Map<String, Long> perSite) throws IOException {
    Path web = dir.resolve("web");
    WebTrafficGenerator.generate(web, options);
    record Line(long time, String file, long line, String text) {}
    List<Line> lines = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(web)) {
      files = s.filter(p -> p.getFileName().toString().contains(".access.")).sorted().toList();
    }
    for (Path f : files) {
      new AccessLogSource(f, f.getFileName().toString(), AccessLogFormat.AUTO, null).readRecords(r -> {
        lines.add(new Line(r.time, r.source, r.line, clf(r)));
        perSite.merge(r.site, 1L, Long::sum);
      }, p -> {
        throw new AssertionError(p.toString());
      });
    }
    lines.sort(java.util.Comparator.comparingLong(Line::time).thenComparing(Line::file).thenComparingLong(Line::line));
    Path merged = dir.resolve("election.access.log");
    try (BufferedWriter w = Files.newBufferedWriter(merged, StandardCharsets.UTF_8)) {
      for (Line l : lines) {
        w.write(l.text());
        w.write('\n');
      }
    }
    return merged;
  }

  /** One record as a vhost-combined line with the extras the CLF reader understands. */
  private static String clf(AccessRecord r) {
    String target = r.path + (r.query == null ? "" : "?" + r.query);
    StringBuilder b = new StringBuilder().append(r.site).append(":443 ").append(r.ip).append(" - ")
        .append(r.user == null ? "-" : r.user).append(" [").append(CLF.format(Instant.ofEpochSecond(r.time / 1_000_000L)))
        .append("] \"").append(r.method).append(' ').append(target).append(' ')
        .append(r.protocol == null ? "HTTP/1.1" : r.protocol).append("\" ").append(r.status).append(' ')
        .append(r.bytes).append(" \"").append(r.referer == null ? "-" : r.referer).append("\" \"")
        .append(r.userAgent == null ? "-" : r.userAgent).append('"');
    if (r.requestMillis >= 0) {
      b.append(' ').append(secs(r.requestMillis)).append(' ')
          .append(secs(r.upstreamMillis >= 0 ? r.upstreamMillis : r.requestMillis));
      if (r.cache != AccessRecord.CACHE_UNKNOWN) {
        b.append(r.cache == AccessRecord.CACHE_HIT ? " HIT" : " MISS");
      }
    }
    return b.toString();
  }

  private static String secs(int millis) {
    return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
  }

  /** A web alert as both runners identify it: detector, institution, site, first and last time. */
  private static String key(String rule, String inst, String site, long ts, long last) {
    return rule + " " + inst + " " + site + " " + ts + " " + last;
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void serve_detectsDecidesAndServesLikeHunt(String kind) throws Exception {
    List<String> expected = huntAlerts.stream().filter(a -> !a.ruleId().equals("campaign"))
        .map(a -> key(a.ruleId(), a.institution(), a.host(), a.timestamp(), a.last())).sorted().toList();
    assertThat(expected).anyMatch(k -> k.startsWith("distributed_flood " + INSTITUTION + " gov "))
        .anyMatch(k -> k.startsWith("distributed_flood " + INSTITUTION + " vijesti ")).anyMatch(k -> k.startsWith(
            "source_flood "));
    assertThat(huntAlerts).anyMatch(a -> a.ruleId().equals("campaign"));
    TreeSet<String> expectedDecisions = new TreeSet<>();
    huntDecisions.forEach(d -> expectedDecisions.add(d.scope() + " " + d.value() + " " + d.action() + " "
        + d.detector()));
    assertThat(expectedDecisions).hasSizeGreaterThan(100);

    TestClock clock = new TestClock(Instant.parse("2026-03-02T08:00:00Z"));
    try (TestServer s = TestServer.start(kind, tmp.resolve(kind), Map.of("LOVCEN_INGEST_MAX_BODY_MB", "512",
        "LOVCEN_DECISIONS_BOUNCER_KEYS", BOUNCER_KEY + ",other-institutions-key@elsewhere"), () -> rules, clock)) {
      String admin = s.admin();
      s.institution(admin, INSTITUTION);
      s.institution(admin, "elsewhere");
      TestServer.Response up = s.post("/api/v1/ingest/files?name=election.access.log&institution=" + INSTITUTION,
          admin, "application/octet-stream", Files.readAllBytes(merged));
      assertThat(up.status()).as(up.body()).isEqualTo(200);
      assertThat(up.json().get("rejected").asInt()).isZero();
      s.awaitDetection();

      // alerts: the same as hunt's, each joined to an incident of its site
      List<JsonNode> web = all(s, admin, "/api/v1/alerts?kind=web&institution=" + INSTITUTION);
      List<String> actual = web.stream().filter(a -> !a.get("rule").get("id").asText().equals("campaign"))
          .map(a -> key(a.get("rule").get("id").asText(), a.get("institution").asText(), a.get("host").asText(),
              micros(a.get("time").asText()), micros(a.get("last").asText()))).sorted().toList();
      assertThat(actual).isEqualTo(expected);
      assertThat(web).allMatch(a -> !a.get("incident").isNull());
      JsonNode campaign = web.stream().filter(a -> a.get("rule").get("id").asText().equals("campaign")).findFirst()
          .orElseThrow(() -> new AssertionError("no campaign alert"));
      assertThat(campaign.get("group").get("sites").asText()).isEqualTo("gov,vijesti");

      // decisions: the same as hunt's, each active, detector decisions linked to their site's alert
      List<JsonNode> stored = all(s, admin, "/api/v1/decisions?institution=" + INSTITUTION);
      TreeSet<String> actualDecisions = new TreeSet<>();
      stored.forEach(d -> actualDecisions.add(d.get("scope").asText() + " " + d.get("value").asText() + " "
          + d.get("type").asText() + " " + d.get("scenario").asText()));
      assertThat(actualDecisions).isEqualTo(expectedDecisions);
      assertThat(stored).allMatch(d -> d.get("active").asBoolean() && d.get("origin").asText().equals("detector"));
      assertThat(stored).filteredOn(d -> d.get("scenario").asText().equals("distributed_flood"))
          .allMatch(d -> !d.get("alert").isNull());

      // a bouncer: everything at startup; a revocation, then the end of the decisions' time, as deletions
      clock.advance(1000);
      JsonNode startup = bouncer(s, "/v1/decisions/stream?startup=true", BOUNCER_KEY);
      assertThat(startup.get("new")).hasSize(stored.size());
      assertThat(bouncer(s, "/v1/decisions/stream?startup=true", "other-institutions-key").get("new").isNull())
          .isTrue();
      JsonNode one = stored.get(0);
      clock.advance(1000);
      TestServer.Response revoked = s.post("/api/v1/decisions/" + one.get("id").asLong() + "/revoke", admin, null,
          new byte[0]);
      assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
      assertThat(revoked.json().get("revoked_by").asText()).isEqualTo("admin");
      clock.advance(1000);
      JsonNode next = bouncer(s, "/v1/decisions/stream", BOUNCER_KEY);
      assertThat(next.get("new").isNull()).isTrue();
      assertThat(next.get("deleted")).hasSize(1);
      assertThat(next.get("deleted").get(0).get("value").asText()).isEqualTo(one.get("value").asText());
      String ip = stored.stream().filter(d -> d.get("scope").asText().equals("ip") && d.get("id").asLong()
          != one.get("id").asLong()).findFirst().orElseThrow().get("value").asText();
      assertThat(bouncer(s, "/v1/decisions?ip=" + ip, BOUNCER_KEY)).hasSize(1);
      clock.advance(WebConfig.DEFAULT.decisionMicros() / 1000 + 60_000);
      JsonNode expired = bouncer(s, "/v1/decisions/stream", BOUNCER_KEY);
      assertThat(expired.get("deleted")).hasSize(stored.size() - 1);
      assertThat(s.get("/v1/decisions?ip=" + ip, null).status()).isEqualTo(403);
      assertThat(bouncerText(s, "/v1/decisions?ip=" + ip, BOUNCER_KEY)).isEqualTo("null");
      assertThat(s.get("/api/v1/decisions?active=true&institution=" + INSTITUTION, admin).json().get("total")
          .asInt()).isZero();

      // site statistics: every request counted once, per site
      JsonNode sites = s.get("/api/v1/sites?institution=" + INSTITUTION, admin).json();
      assertThat(sites.get("total").asInt()).isEqualTo(linesPerSite.size());
      for (Map.Entry<String, Long> e : linesPerSite.entrySet()) {
        JsonNode series = s.get("/api/v1/sites/" + e.getKey() + "/series?step=3600&from=2016-10-16T00:00:00Z"
            + "&to=2016-10-17T00:00:00Z", admin).json();
        long sum = 0;
        for (JsonNode p : series.get("points")) {
          sum += p.get("requests").asLong();
        }
        assertThat(sum).as("requests of %s", e.getKey()).isEqualTo(e.getValue());
      }

      // another institution's analyst: nothing of it
      String other = s.user(admin, "eva", "institution_analyst", "elsewhere", null);
      assertThat(s.get("/api/v1/decisions/" + one.get("id").asLong(), other).status()).isEqualTo(404);
      assertThat(s.post("/api/v1/decisions/" + stored.get(1).get("id").asLong() + "/revoke", other, null,
          new byte[0]).status()).isEqualTo(404);
      assertThat(s.get("/api/v1/decisions", other).json().get("total").asInt()).isZero();
      assertThat(s.get("/api/v1/sites", other).json().get("total").asInt()).isZero();
      assertThat(s.get("/api/v1/sites/gov/series", other).status()).isEqualTo(404);
      assertThat(s.get("/api/v1/sites?institution=" + INSTITUTION, other).status()).isEqualTo(403);
    }
  }

  private static long micros(String rfc3339) {
    return org.lovcen.core.Timestamps.parse(rfc3339);
  }

  private static List<JsonNode> all(TestServer s, String token, String path) {
    List<JsonNode> out = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = s.get(path + "&limit=1000" + (cursor == null ? "" : "&cursor=" + cursor), token).json();
      page.get("items").forEach(out::add);
      cursor = page.get("next").isNull() ? null : page.get("next").asText();
    } while (cursor != null);
    return out;
  }

  private static JsonNode bouncer(TestServer s, String path, String key) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(bouncerText(s, path, key));
  }

  private static String bouncerText(TestServer s, String path, String key) {
    TestServer.Response r = s.send("GET", path, null, null, null, "X-Api-Key", key);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.body();
  }
}
