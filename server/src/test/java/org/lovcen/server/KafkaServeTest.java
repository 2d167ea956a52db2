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
 * shows the worker and its lag.
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
        assertThat(cluster.get("workers").get(0).get("partitions")).hasSize(4); // events and hits, two each
        assertThat(cluster.get("partitions")).hasSize(4);
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
