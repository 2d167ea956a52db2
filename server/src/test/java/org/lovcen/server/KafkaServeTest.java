package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.kafka.KafkaBroker;
import org.lovcen.kafka.KafkaSettings;
import org.lovcen.kafka.Publisher;
import org.lovcen.kafka.Worker;
import org.lovcen.server.live.KafkaForwarder;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.Settings;

/**
 * {@code lovcen serve} with detection on Kafka: the demo scenario of two institutions, sent over
 * HTTP to a server configured with a real single-node broker and detected by a worker, ends up in
 * the store as exactly the alerts (rule, kind, fingerprint) the embedded server stores for the
 * same requests; a request is answered only once its events are on the broker (the forwarding
 * cursor covers every answered event; with the broker gone a request is answered 503, and once
 * the broker is back its stored events are sent and its retry is answered); the cluster endpoint
 * shows the worker and its lag. As with embedded detection, an institution's rule switches and
 * filters (set through the API) apply to its events only, a rule uploaded through the API runs on
 * the workers without their restart (an institution's for that institution's events only, a
 * national one for all) until it is deleted, a correlation alert is stored at its first firing and
 * completed when its episode closes, and an uploaded access log gives the web alerts, the
 * decisions (served to bouncers) and the site statistics of the embedded server, an attack that goes
 * on widening its stored alert as it does there.
 */
class KafkaServeTest {
  @TempDir static Path tmp;
  static KafkaBroker broker;
  static Path demo;
  static List<String> institutions;
  static Path indicators;
  static final String INDICATORS = "cdn.officeupdate-center.com\n203.0.113.47\n";
  /** The demo is a backfill sent file by file: correlations need a lateness as long as its day. */
  static final long LATENESS_SECONDS = 30L * 86_400;

  @BeforeAll
  static void start() throws Exception {
    demo = tmp.resolve("demo");
    institutions = ScenarioGenerator.generate(demo, ScenarioGenerator.Options.defaults().withInstitutions(2)
        .withEvents(4_000)).institutions();
    indicators = tmp.resolve("partner.txt");
    Files.writeString(indicators, INDICATORS);
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static List<Path> files(String inst) throws IOException {
    try (Stream<Path> s = Files.walk(demo.resolve(inst))) {
      return s.filter(p -> p.toString().endsWith(".jsonl") && !p.endsWith("ground-truth.jsonl")).sorted().toList();
    }
  }

  /** Sends every demo file in requests of 500 lines, one after the other; returns the events accepted. */
  static long ingestDemo(TestServer s) throws IOException {
    String admin = s.admin();
    long accepted = 0;
    int request = 0;
    for (String inst : institutions) {
      String token = s.institution(admin, inst);
      for (Path f : files(inst)) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i += 500) {
          String body = String.join("\n", lines.subList(i, Math.min(lines.size(), i + 500))) + "\n";
          TestServer.Response r = s.ingest(token, body, "Idempotency-Key", "demo-" + request++);
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          accepted += r.json().get("accepted").asLong();
        }
      }
    }
    return accepted;
  }

  /** The stored alerts as {@code institution kind rule fingerprint}, sorted. */
  static List<String> alerts(TestServer s) {
    return s.server.database().jdbi().withHandle(h -> h.createQuery(
        "SELECT institution_id, kind, rule_id, fingerprint FROM alerts ORDER BY institution_id, fingerprint")
        .map((rs, ctx) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4))
        .list());
  }

  /** Polls until the stored alerts reach {@code size} and stay unchanged for {@code quiet}. */
  static List<String> settledAlerts(TestServer s, int size, Duration quiet, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> last = List.of();
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      List<String> now = alerts(s);
      if (!now.equals(last)) {
        last = now;
        since = System.nanoTime();
      } else if (now.size() >= size && System.nanoTime() - since >= quiet.toNanos()) {
        return now;
      }
      Thread.sleep(200);
    }
    return last;
  }

  static long maxEventId(TestServer s) {
    return s.server.database().jdbi().withHandle(h -> h.createQuery("SELECT MAX(id) FROM events")
        .mapTo(Long.class).one());
  }

  /** Records on the events topic, all partitions. */
  static long endOffsets(KafkaSettings ks) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", ks.bootstrap()))) {
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request =
          new java.util.HashMap<>();
      for (int p = 0; p < 2; p++) {
        request.put(new org.apache.kafka.common.TopicPartition(ks.topics().events(), p),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      return admin.listOffsets(request).all().get().values().stream().mapToLong(o -> o.offset()).sum();
    }
  }

  static Map<String, String> common() {
    return Map.of("LOVCEN_DETECTION_LATENESS_SECONDS", Long.toString(LATENESS_SECONDS),
        "LOVCEN_DETECTION_IDLE_CLOSE_SECONDS", "2", "LOVCEN_INTEL_FILES", indicators.toString());
  }

  static final String SHADOWS = "55e63517-97e4-4ee5-be58-548803e1c6c0"; // shadow copies deleted
  static final String DISCOVERY = "70290b8b-b00e-4a92-a9a2-b2aac0608b7d"; // domain discovery
  static final String BURST = "3db9f5b4-0c3b-4217-9a87-63477764e677"; // service install burst

  /** A Sysmon process creation on {@code host} at 10:00 plus {@code n} seconds. */
  static String process(String host, int n, String image, String commandLine) {
    return "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        + "\"Computer\":\"" + host + "\",\"EventRecordID\":" + n + ",\"TimeCreated\":{\"#attributes\":"
        + "{\"SystemTime\":\"2022-08-22T10:00:" + String.format(java.util.Locale.ROOT, "%02d", n) + "Z\"}}},"
        + "\"EventData\":{\"Image\":\"" + image.replace("\\", "\\\\") + "\",\"CommandLine\":\""
        + commandLine + "\"}}}\n";
  }

  static String vssadmin(String host, int n) {
    return process(host, n, "C:\\Windows\\System32\\vssadmin.exe", "vssadmin delete shadows /all /quiet");
  }

  static String nltest(String host, int n) {
    return process(host, n, "C:\\Windows\\System32\\nltest.exe", "nltest /dclist:corp");
  }

  /** A service installed on {@code host} at 10:{@code minute}. */
  static String serviceInstalled(String host, int minute) {
    return "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Service Control Manager\"}},"
        + "\"EventID\":7045,\"Channel\":\"System\",\"Computer\":\"" + host + "\",\"EventRecordID\":"
        + (100 + minute) + ",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2022-08-22T10:"
        + String.format(java.util.Locale.ROOT, "%02d", minute) + ":00Z\"}}},\"EventData\":{\"ServiceName\":"
        + "\"svc" + minute + "\",\"ImagePath\":\"C:\\\\ProgramData\\\\svc" + minute + ".exe\"}}}\n";
  }

  /** The stored alerts of a rule as {@code institution host}, sorted. */
  static List<String> alertsOf(TestServer s, String rule) {
    return s.server.database().jdbi().withHandle(h -> h.createQuery(
        "SELECT institution_id, host FROM alerts WHERE rule_id = :r ORDER BY institution_id, host").bind("r", rule)
        .map((rs, ctx) -> rs.getString(1) + " " + rs.getString(2)).list());
  }

  /** Waits until the stored alerts of {@code rule} include {@code wanted}; returns them. */
  static List<String> awaitAlert(TestServer s, String rule, String wanted) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (alertsOf(s, rule).contains(wanted)) {
        return alertsOf(s, rule);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no alert of " + rule + " for " + wanted + ": " + alertsOf(s, rule));
  }

  /** Waits until the worker's snapshot satisfies {@code done} (the server published the settings). */
  static void awaitSettings(Worker w, java.util.function.Predicate<org.lovcen.sigma.InstitutionRules> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!done.test(w.rules().current().institutions())) {
      assertThat(System.nanoTime()).as("settings reached the worker").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void kafkaServer_appliesInstitutionSettings_andStoresCorrelationsAtTheirFirstFiring() throws Exception {
    KafkaSettings ks = broker.settings("parity.", tmp.resolve("parity-state")).withLateness(0, 10_000);
    try (Publisher pub = new Publisher(ks)) {
      pub.publishRules(Publisher.ruleTexts(TestServer.root().resolve("rules")));
    }
    Map<String, String> env = Map.of("LOVCEN_KAFKA_BOOTSTRAP", ks.bootstrap(), "LOVCEN_KAFKA_PREFIX", ks.prefix(),
        "LOVCEN_KAFKA_PARTITIONS", "2", "LOVCEN_KAFKA_REPLICATION", "1", "LOVCEN_KAFKA_CLIENT",
        "metadata.max.age.ms=5000");
    try (TestServer s = TestServer.start("sqlite", tmp.resolve("parity"), env);
        Worker w = Worker.start(ks, RuleSet.Options.defaults())) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      String analystA = s.user(admin, "ana-a", "institution_analyst", "a", null);

      // a turns the rule off: its events raise nothing (its later alert proves they were detected), b's do
      assertThat(s.putJson("/api/v1/institutions/a/rules/" + SHADOWS, analystA, Map.of("enabled", false)).status())
          .isEqualTo(200);
      awaitSettings(w, i -> i.disabled("a", SHADOWS));
      assertThat(s.ingest(a, vssadmin("A-WS01", 1) + nltest("A-WS01", 2)).status()).isEqualTo(200);
      assertThat(s.ingest(b, vssadmin("B-WS01", 1)).status()).isEqualTo(200);
      awaitAlert(s, DISCOVERY, "a A-WS01");
      assertThat(awaitAlert(s, SHADOWS, "b B-WS01")).containsExactly("b B-WS01");

      // b's filter: its backup server's shadow copy deletions are by design; a's are not filtered
      String filter = """
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
          """.formatted(SHADOWS);
      assertThat(s.postJson("/api/v1/institutions/b/filters", admin, Map.of("name", "backup server", "yaml", filter))
          .status()).isEqualTo(201);
      assertThat(s.putJson("/api/v1/institutions/a/rules/" + SHADOWS, analystA, Map.of("enabled", true)).status())
          .isEqualTo(200);
      awaitSettings(w, i -> i.filters().containsKey("b") && !i.disabled("a", SHADOWS));
      assertThat(s.ingest(b, vssadmin("BACKUP01", 3) + nltest("BACKUP01", 4)).status()).isEqualTo(200);
      assertThat(s.ingest(b, vssadmin("B-WS02", 5)).status()).isEqualTo(200);
      assertThat(s.ingest(a, vssadmin("BACKUP01", 6)).status()).isEqualTo(200);
      awaitAlert(s, DISCOVERY, "b BACKUP01");
      awaitAlert(s, SHADOWS, "b B-WS02");
      assertThat(awaitAlert(s, SHADOWS, "a BACKUP01")).containsExactly("a BACKUP01", "b B-WS01", "b B-WS02");

      // five services in five minutes on one host: the alert is stored at the fourth (the first
      // firing), then completed with the fifth when the episode closes (idle close), one row
      StringBuilder services = new StringBuilder();
      for (int m = 1; m <= 5; m++) {
        services.append(serviceInstalled("A-SRV01", m));
      }
      assertThat(s.ingest(a, services.toString()).status()).isEqualTo(200);
      long t4 = org.lovcen.core.Timestamps.parse("2022-08-22T10:04:00Z");
      long t5 = org.lovcen.core.Timestamps.parse("2022-08-22T10:05:00Z");
      List<long[]> seen = new ArrayList<>();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline && (seen.isEmpty() || seen.get(seen.size() - 1)[1] != t5)) {
        List<long[]> rows = s.server.database().jdbi().withHandle(h -> h.createQuery(
            "SELECT ts, last_ts FROM alerts WHERE rule_id = :r").bind("r", BURST)
            .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).list());
        assertThat(rows).hasSizeLessThanOrEqualTo(1);
        if (!rows.isEmpty() && (seen.isEmpty() || seen.get(seen.size() - 1)[1] != rows.get(0)[1])) {
          seen.add(rows.get(0));
        }
        Thread.sleep(50);
      }
      assertThat(seen).as("the stored extents of the correlation alert").hasSize(2);
      assertThat(seen.get(0)[1]).as("stored at the first firing").isEqualTo(t4);
      assertThat(seen.get(1)[1]).as("completed at the close").isEqualTo(t5);
      assertThat(seen.get(1)[0]).isEqualTo(seen.get(0)[0]).isEqualTo(
          org.lovcen.core.Timestamps.parse("2022-08-22T10:01:00Z"));
    }
  }

  static final String MINE = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2a"; // uploaded for institution a
  static final String ALL = "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2b"; // uploaded for every institution

  static String uploaded(String id, String marker) {
    return """
        title: Marker %s
        id: %s
        status: experimental
        logsource:
            category: process_creation
            product: windows
        detection:
            selection:
                CommandLine|contains: '%s'
            condition: selection
        level: high
        """.formatted(marker, id, marker);
  }

  /** A command line carrying {@code markers} on {@code host}, then a domain discovery that shows it was detected. */
  static String marked(String host, int n, String markers) {
    return process(host, n, "C:\\Windows\\System32\\cmd.exe", "cmd /c " + markers) + nltest(host, n + 1);
  }

  /** Waits until the worker's snapshot satisfies {@code done} (the server published the uploads). */
  static void awaitUploads(Worker w, java.util.function.Predicate<org.lovcen.sigma.RuleUploads> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!done.test(w.rules().current().uploads())) {
      assertThat(System.nanoTime()).as("uploads reached the worker").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static int uploadedRules(org.lovcen.sigma.RuleUploads u) {
    return u.rules() == null ? 0 : u.rules().rules().size();
  }

  @Test
  void kafkaServer_runsUploadedRulesOnTheWorkers_forTheirInstitutionOnly_untilDeleted() throws Exception {
    KafkaSettings ks = broker.settings("uploads.", tmp.resolve("uploads-state")).withLateness(0, 10_000);
    try (Publisher pub = new Publisher(ks)) {
      pub.publishRules(Publisher.ruleTexts(TestServer.root().resolve("rules")));
    }
    Path dir = Files.createDirectories(tmp.resolve("uploads"));
    String[] url = new String[1];
    Runnable drop = org.lovcen.store.TestDatabases.freshUrl("sqlite", dir, url);
    // a's upload is stored while the server runs embedded: the server publishes it when it starts on Kafka
    try (TestServer s = TestServer.startOn(url[0], dir, Map.of(), TestServer::rules, () -> {})) {
      String admin = s.admin();
      s.institution(admin, "a");
      s.institution(admin, "b");
      String analystA = s.user(admin, "ana-a", "institution_analyst", "a", null);
      assertThat(s.postJson("/api/v1/rules/uploads", analystA, Map.of("name", "mine.yml", "yaml",
          uploaded(MINE, "mine-marker"))).status()).isEqualTo(201);
    }
    Map<String, String> env = Map.of("LOVCEN_KAFKA_BOOTSTRAP", ks.bootstrap(), "LOVCEN_KAFKA_PREFIX", ks.prefix(),
        "LOVCEN_KAFKA_PARTITIONS", "2", "LOVCEN_KAFKA_REPLICATION", "1", "LOVCEN_KAFKA_CLIENT",
        "metadata.max.age.ms=5000");
    try (TestServer s = TestServer.startOn(url[0], dir, env, TestServer::rules, drop);
        Worker w = Worker.start(ks, RuleSet.Options.defaults())) {
      String admin = s.admin();
      String a = s.post("/api/v1/institutions/a/ingest-tokens", admin, null, new byte[0]).json().get("token").asText();
      String b = s.post("/api/v1/institutions/b/ingest-tokens", admin, null, new byte[0]).json().get("token").asText();
      awaitUploads(w, u -> uploadedRules(u) == 1);
      assertThat(w.rules().current().institutions().owners()).isEqualTo(Map.of(MINE, "a"));
      assertThat(s.ingest(a, marked("A-WS01", 1, "mine-marker")).status()).isEqualTo(200);
      assertThat(s.ingest(b, marked("B-WS01", 1, "mine-marker")).status()).isEqualTo(200);
      awaitAlert(s, DISCOVERY, "a A-WS01");
      awaitAlert(s, DISCOVERY, "b B-WS01");
      assertThat(alertsOf(s, MINE)).as("a's rule on a's events only").containsExactly("a A-WS01");

      // a national upload through the API reaches the running worker and runs for both
      TestServer.Response national = s.postJson("/api/v1/rules/uploads", admin, Map.of("name", "all.yml", "yaml",
          uploaded(ALL, "all-marker")));
      assertThat(national.status()).as(national.body()).isEqualTo(201);
      awaitUploads(w, u -> uploadedRules(u) == 2);
      assertThat(s.ingest(a, marked("A-WS02", 3, "mine-marker all-marker")).status()).isEqualTo(200);
      assertThat(s.ingest(b, marked("B-WS02", 3, "mine-marker all-marker")).status()).isEqualTo(200);
      awaitAlert(s, DISCOVERY, "a A-WS02");
      awaitAlert(s, DISCOVERY, "b B-WS02");
      assertThat(alertsOf(s, ALL)).containsExactly("a A-WS02", "b B-WS02");
      assertThat(alertsOf(s, MINE)).containsExactly("a A-WS01", "a A-WS02");

      // a's upload deleted: the tombstone reaches the worker, the rule stops; the national one runs on
      long mine = s.get("/api/v1/rules/uploads", admin).json().get("items").get(0).get("id").asLong();
      assertThat(s.delete("/api/v1/rules/uploads/" + mine, admin).status()).isEqualTo(204);
      awaitUploads(w, u -> uploadedRules(u) == 1 && u.owners().isEmpty());
      assertThat(s.ingest(a, marked("A-WS03", 5, "mine-marker all-marker")).status()).isEqualTo(200);
      awaitAlert(s, DISCOVERY, "a A-WS03");
      assertThat(alertsOf(s, ALL)).contains("a A-WS03");
      assertThat(alertsOf(s, MINE)).as("deleted: no new alert").containsExactly("a A-WS01", "a A-WS02");
    }
  }

  static final String BOUNCER_KEY = "bouncer-key-of-the-firewall";

  /**
   * A morning of one site in time order (vhost combined): readers, one address flooding (450
   * requests in 9 s), one scanning (30 paths answered 404 in 30 s, then one more every 5 s for four
   * minutes: an attack that goes on, whose alert widens).
   */
  static String accessLog() {
    record Line(long ms, String text) {}
    List<Line> lines = new ArrayList<>();
    java.util.Random rnd = new java.util.Random(16);
    long t0 = java.time.Instant.parse("2016-10-16T07:00:00Z").toEpochMilli();
    for (int i = 0; i < 300; i++) {
      lines.add(new Line(t0 + i * 1_000L, line(t0 + i * 1_000L, "31.223.130." + (1 + rnd.nextInt(200)),
          "/vijesti/" + rnd.nextInt(50), 200)));
    }
    for (int i = 0; i < 450; i++) {
      lines.add(new Line(t0 + 60_000 + i * 20L, line(t0 + 60_000 + i * 20L, "185.100.87.66", "/?" + i, 200)));
    }
    for (int i = 0; i < 30; i++) {
      lines.add(new Line(t0 + 120_000 + i * 1_000L, line(t0 + 120_000 + i * 1_000L, "45.155.205.19",
          "/probe-" + i + ".php", 404)));
    }
    for (int i = 0; i < 48; i++) {
      long ms = t0 + 150_000 + i * 5_000L;
      lines.add(new Line(ms, line(ms, "45.155.205.19", "/probe-" + (30 + i) + ".php", 404)));
    }
    lines.sort(java.util.Comparator.comparingLong(Line::ms));
    StringBuilder b = new StringBuilder();
    lines.forEach(l -> b.append(l.text()).append('\n'));
    return b.toString();
  }

  private static String line(long ms, String ip, String path, int status) {
    String time = java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ROOT)
        .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.ofEpochMilli(ms));
    return "gov:443 " + ip + " - - [" + time + "] \"GET " + path + " HTTP/1.1\" " + status + " 5120 \"-\" "
        + "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\"";
  }

  /** What the server keeps of web detection: alerts, decisions, what a bouncer gets and the site's requests. */
  record WebState(List<String> alerts, List<String> decisions, List<String> bouncer, long requests) {}

  /** The stored web alerts: institution, detector, site, first and last time, fingerprint, in an incident. */
  static List<String> webAlerts(TestServer s) {
    return s.server.database().jdbi().withHandle(h -> h.createQuery("SELECT institution_id, rule_id, host, ts, "
        + "last_ts, fingerprint, incident_id IS NOT NULL FROM alerts WHERE kind = 'web' ORDER BY fingerprint")
        .map((rs, ctx) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getLong(4)
            + " " + rs.getLong(5) + " " + rs.getString(6) + " " + rs.getBoolean(7)).list());
  }

  private static List<String> webDecisions(TestServer s) {
    return s.server.database().jdbi().withHandle(h -> h.createQuery("SELECT institution_id, scope, value, type, "
        + "scenario, site, alert_id IS NOT NULL FROM decisions ORDER BY scope, value")
        .map((rs, ctx) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4) + " "
            + rs.getString(5) + " " + rs.getString(6) + " " + rs.getBoolean(7)).list());
  }

  static WebState webState(TestServer s, int alerts) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline && webAlerts(s).size() < alerts) {
      Thread.sleep(100);
    }
    // decisions come after their alerts, and an alert's later reports (widened) after it: read until
    // two reads 2 s apart agree (a slow machine may still be storing when the count is reached)
    List<String> stored = webAlerts(s);
    List<String> decisions = webDecisions(s);
    do {
      Thread.sleep(2000);
      List<String> nowStored = webAlerts(s);
      List<String> nowDecisions = webDecisions(s);
      if (nowStored.equals(stored) && nowDecisions.equals(decisions)) {
        break;
      }
      stored = nowStored;
      decisions = nowDecisions;
    } while (System.nanoTime() < deadline);
    JsonNode stream = new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.send("GET",
        "/v1/decisions/stream?startup=true", null, null, null, "X-Api-Key", BOUNCER_KEY).body());
    List<String> bouncer = new ArrayList<>();
    stream.get("new").forEach(d -> bouncer.add(d.get("scope").asText() + " " + d.get("value").asText() + " "
        + d.get("type").asText()));
    bouncer.sort(null);
    JsonNode series = s.get("/api/v1/sites/gov/series?step=3600&from=2016-10-16T00:00:00Z&to=2016-10-17T00:00:00Z",
        s.admin()).json();
    long requests = 0;
    for (JsonNode p : series.get("points")) {
      requests += p.get("requests").asLong();
    }
    return new WebState(stored, decisions, bouncer, requests);
  }

  @Test
  void kafkaServer_storesTheWebAlertsAndDecisionsOfTheEmbeddedServer_andServesThemToBouncers() throws Exception {
    byte[] log = accessLog().getBytes(StandardCharsets.UTF_8);
    String upload = "/api/v1/ingest/files?name=gov.access.log&institution=mf";
    Map<String, String> keys = Map.of("LOVCEN_DECISIONS_BOUNCER_KEYS", BOUNCER_KEY);
    WebState expected;
    try (TestServer embedded = TestServer.start("sqlite", tmp.resolve("web-embedded"), keys)) {
      String admin = embedded.admin();
      embedded.institution(admin, "mf");
      assertThat(embedded.post(upload, admin, "application/octet-stream", log).status()).isEqualTo(200);
      embedded.awaitDetection();
      expected = webState(embedded, 2);
    }
    assertThat(expected.alerts()).anyMatch(a -> a.contains(" source_flood gov ")).anyMatch(a -> a.contains(" scan gov "))
        .allMatch(a -> a.startsWith("mf ") && a.endsWith(" true"));
    assertThat(expected.decisions()).contains("mf ip 185.100.87.66 ban source_flood gov true",
        "mf ip 45.155.205.19 ban scan gov true");
    assertThat(expected.bouncer()).contains("Ip 185.100.87.66 ban", "Ip 45.155.205.19 ban");
    assertThat(expected.requests()).isEqualTo(828);
    // the scan went on for four minutes after its detection: its alert was widened in the store
    String scan = expected.alerts().stream().filter(a -> a.contains(" scan gov ")).findFirst().orElseThrow();
    String[] f = scan.split(" ");
    assertThat(Long.parseLong(f[4]) - Long.parseLong(f[3])).as(scan).isGreaterThan(3 * 60_000_000L);

    KafkaSettings ks = broker.settings("webserve.", tmp.resolve("web-state")).withLateness(0, 1500);
    try (Publisher pub = new Publisher(ks)) {
      pub.publishRules(Publisher.ruleTexts(TestServer.root().resolve("rules")));
    }
    Map<String, String> env = new java.util.HashMap<>(keys);
    env.putAll(Map.of("LOVCEN_KAFKA_BOOTSTRAP", ks.bootstrap(), "LOVCEN_KAFKA_PREFIX", ks.prefix(),
        "LOVCEN_KAFKA_PARTITIONS", "2", "LOVCEN_KAFKA_REPLICATION", "1", "LOVCEN_KAFKA_CLIENT",
        "metadata.max.age.ms=5000"));
    try (TestServer kafka = TestServer.start("sqlite", tmp.resolve("web-kafka"), env);
        Worker w = Worker.start(ks, RuleSet.Options.defaults())) {
      String admin = kafka.admin();
      kafka.institution(admin, "mf");
      assertThat(kafka.post(upload, admin, "application/octet-stream", log).status()).isEqualTo(200);
      assertThat(webState(kafka, expected.alerts().size())).isEqualTo(expected);
    }
  }

  @Test
  void kafkaServer_storesTheAlertsOfTheEmbeddedServer_andAnswersOnlyWhatTheBrokerHas() throws Exception {
    List<String> expected;
    long events;
    try (TestServer embedded = TestServer.start("sqlite", tmp.resolve("embedded"), common())) {
      events = ingestDemo(embedded);
      embedded.awaitDetection();
      expected = settledAlerts(embedded, 1, Duration.ofSeconds(4), Duration.ofSeconds(60));
      assertThat(embedded.get("/api/v1/cluster", embedded.admin()).json().get("mode").asText())
          .isEqualTo("embedded");
    }
    assertThat(events).isGreaterThan(3_000);
    assertThat(expected).anyMatch(a -> a.contains(" correlation ")).anyMatch(a -> a.contains(" sigma "))
        .anyMatch(a -> a.contains(" indicator "));

    KafkaSettings ks = broker.settings("serve.", tmp.resolve("state"))
        .withLateness(LATENESS_SECONDS * 1_000_000L, 1500);
    try (Publisher pub = new Publisher(ks)) {
      pub.publishRules(Publisher.ruleTexts(TestServer.root().resolve("rules")));
      pub.publishIndicators("partner.txt", INDICATORS.getBytes(StandardCharsets.UTF_8));
    }
    Map<String, String> env = new java.util.HashMap<>(common());
    env.putAll(Map.of("LOVCEN_KAFKA_BOOTSTRAP", ks.bootstrap(), "LOVCEN_KAFKA_PREFIX", ks.prefix(),
        "LOVCEN_KAFKA_PARTITIONS", "2", "LOVCEN_KAFKA_REPLICATION", "1",
        "LOVCEN_KAFKA_CLIENT", "metadata.max.age.ms=5000", "LOVCEN_INGEST_ACK_TIMEOUT_SECONDS", "5"));
    try (TestServer kafka = TestServer.start("sqlite", tmp.resolve("kafka"), env)) {
      long stored;
      try (Worker worker = Worker.start(ks, RuleSet.Options.defaults())) {
        assertThat(ingestDemo(kafka)).isEqualTo(events);
        // every answered request's events were acknowledged by the broker before the answer
        stored = maxEventId(kafka);
        assertThat(kafka.server.detectedUpTo()).isEqualTo(stored);
        assertThat(new Settings(kafka.server.database()).cursor(KafkaForwarder.CURSOR)).isEqualTo(stored);

        List<String> actual = settledAlerts(kafka, expected.size(), Duration.ofSeconds(4), Duration.ofSeconds(90));
        assertThat(actual).isEqualTo(expected);

        String admin = kafka.admin();
        TestServer.Response answer = kafka.get("/api/v1/cluster", admin);
        assertThat(OpenApiDocument.load().check("get", "/api/v1/cluster", answer.status(), "application/json",
            answer.body())).as("the answer against the OpenAPI document").isEmpty();
        JsonNode cluster = answer.json();
        assertThat(cluster.get("mode").asText()).isEqualTo("kafka");
        assertThat(cluster.get("application").asText()).isEqualTo("serve.detection");
        assertThat(cluster.get("state").asText()).isEqualToIgnoringCase("stable");
        assertThat(cluster.get("workers")).hasSize(1);
        // events and hits, two each, and the one requests partition of the website detectors
        assertThat(cluster.get("workers").get(0).get("partitions")).hasSize(5);
        assertThat(cluster.get("partitions")).hasSize(5);
        assertThat(cluster.get("lag").asLong()).isZero();
        assertThat(cluster.get("forwarded_up_to").asLong()).isEqualTo(stored);
        kafka.institution(admin, "c");
        String analyst = kafka.user(admin, "ana-c", "institution_analyst", "c", null);
        assertThat(kafka.get("/api/v1/cluster", analyst).status()).isEqualTo(403);
      }

      // the broker gone: a request is stored but not answered as accepted; back, it is forwarded
      String admin = kafka.admin();
      String token = kafka.institution(admin, "d");
      String line = Files.readAllLines(files(institutions.get(0)).get(0)).get(0) + "\n";
      broker.stop();
      TestServer.Response down = kafka.ingest(token, line, "Idempotency-Key", "after-broker");
      assertThat(down.status()).as(down.body()).isEqualTo(503);
      TestServer.Response noCluster = kafka.get("/api/v1/cluster", admin);
      assertThat(noCluster.status()).isEqualTo(503);
      assertThat(OpenApiDocument.load().check("get", "/api/v1/cluster", 503, noCluster.header("Content-Type"),
          noCluster.body())).isEmpty();
      assertThat(maxEventId(kafka)).isEqualTo(stored + 1);
      assertThat(kafka.server.detectedUpTo()).isEqualTo(stored);
      broker.restart();
      // as a sender does: resend with the same key until answered (the forwarder sends the stored event again)
      TestServer.Response again = kafka.ingest(token, line, "Idempotency-Key", "after-broker");
      for (int i = 0; i < 6 && again.status() == 503; i++) {
        again = kafka.ingest(token, line, "Idempotency-Key", "after-broker");
      }
      assertThat(again.status()).as(again.body()).isEqualTo(200);
      assertThat(again.json().get("duplicate").asBoolean()).isTrue();
      assertThat(kafka.server.detectedUpTo()).isEqualTo(stored + 1);
      assertThat(maxEventId(kafka)).isEqualTo(stored + 1);
      assertThat(endOffsets(ks)).isGreaterThanOrEqualTo(events + 1);
    }
  }
}
