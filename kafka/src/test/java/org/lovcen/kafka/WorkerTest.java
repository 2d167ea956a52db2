package org.lovcen.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.RuleUploads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker against a real broker: rules, indicators, institution settings and uploaded rules
 * swapped in through their topics, without restart; correlation episodes announced at their first
 * firing.
 */
class WorkerTest {
  static KafkaBroker broker;
  @TempDir static Path tmp;

  @BeforeAll
  static void start() throws Exception {
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    broker.close();
  }

  static String rule(String id, String marker) {
    return """
        title: Marker %s
        id: %s
        status: test
        author: tests
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

  static final String A = "00000000-0000-4000-8000-00000000000a";
  static final String B = "00000000-0000-4000-8000-00000000000b";

  static Event process(String source, long record, String commandLine) {
    return process("mf", source, record, commandLine);
  }

  static Event process(String institution, String source, long record, String commandLine) {
    Event e = new Event();
    e.timestamp(1_700_000_000_000_000L + record * 1_000_000L);
    e.institution(institution);
    e.host("ws-01");
    e.channel("Microsoft-Windows-Sysmon/Operational");
    e.provider("Microsoft-Windows-Sysmon");
    e.eventId(1);
    e.source(source);
    e.record(record);
    e.add("EventID", "1", Event.NUMBER);
    e.add("Image", "C:\\Windows\\System32\\cmd.exe");
    e.add("CommandLine", commandLine);
    e.add("QueryName", "www.example.org");
    return e;
  }

  private static String brief(Alert a) {
    return a.kind() + " " + a.ruleId() + " " + a.record();
  }

  private static String briefWithInstitution(Alert a) {
    return a.institution() + " " + brief(a);
  }

  @Test
  void ruleAndIndicatorUpdates_takeEffectWithoutRestart() throws Exception {
    KafkaSettings s = broker.settings("swap.", tmp.resolve("swap")).withLateness(0, 1000);
    try (Publisher pub = new Publisher(s); EventProducer events = new EventProducer(s)) {
      pub.publishRules(Map.of("t/a.yml", rule(A, "alpha-marker")));
      try (Worker w = Worker.start(s, RuleSet.Options.defaults()); AlertReader alerts = new AlertReader(s)) {
        assertThat(w.awaitRunning(Duration.ofSeconds(60))).isTrue();
        long v = w.rules().current().version();
        // each event's alerts are awaited before the next change: a rule applies to the events a
        // worker processes after the swap, whenever they were produced
        events.send(process("x", 1, "run alpha-marker bravo-marker")).get();
        assertThat(briefs(alerts, 1)).containsExactly("sigma " + A + " 1");

        pub.publishRules(Map.of("t/b.yml", rule(B, "bravo-marker")));
        awaitVersion(w, v + 1, 2);
        events.send(process("x", 2, "run alpha-marker bravo-marker")).get();
        assertThat(briefs(alerts, 3)).containsExactly("sigma " + A + " 1", "sigma " + A + " 2", "sigma " + B + " 2");

        pub.deleteRule("t/a.yml");
        awaitVersion(w, v + 2, 1);
        pub.publishIndicators("partner.txt", "www.example.org\n".getBytes(StandardCharsets.UTF_8));
        awaitVersion(w, v + 3, 1);
        assertThat(w.rules().current().indicators().size()).isEqualTo(1);
        events.send(process("x", 3, "run alpha-marker bravo-marker")).get();
        List<String> got = briefs(alerts, 5);
        assertThat(got).hasSize(5).contains("sigma " + B + " 3").doesNotContain("sigma " + A + " 3")
            .anyMatch(b -> b.startsWith("indicator ") && b.endsWith(" 3"));
        assertThat(w.state()).isEqualTo(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
      }
    }
  }

  static final String FILTER = """
      title: The build server runs the marker by design
      logsource:
          category: process_creation
          product: windows
      filter:
          rules:
              - %s
          selection:
              CommandLine|contains: 'build-job'
          condition: not selection
      """.formatted(A);

  @Test
  void institutionSettings_applyToThatInstitutionOnly_andSwapWithoutRestart() throws Exception {
    KafkaSettings s = broker.settings("switches.", tmp.resolve("switches")).withLateness(0, 1000);
    try (Publisher pub = new Publisher(s); EventProducer events = new EventProducer(s)) {
      pub.publishRules(Map.of("t/a.yml", rule(A, "alpha-marker")));
      try (Worker w = Worker.start(s, RuleSet.Options.defaults()); AlertReader alerts = new AlertReader(s)) {
        assertThat(w.awaitRunning(Duration.ofSeconds(60))).isTrue();
        long v = w.rules().current().version();
        // mf turns the rule off: its events raise nothing, another institution's do
        pub.publishSettings(Map.of("mf", new InstitutionSettings(java.util.Set.of(A), Map.of())));
        awaitVersion(w, v + 1, 1);
        assertThat(w.rules().current().institutions().disabled("mf", A)).isTrue();
        events.send(process("mf", "x", 1, "run alpha-marker")).get();
        events.send(process("tax", "x", 2, "run alpha-marker")).get();
        assertThat(briefs(alerts, 1, WorkerTest::briefWithInstitution)).containsExactly("tax sigma " + A + " 2");

        // the switch on again, and a filter of mf: its build jobs raise nothing, its other events do
        pub.publishSettings(Map.of("mf", new InstitutionSettings(java.util.Set.of(), Map.of("build", FILTER))));
        awaitVersion(w, v + 2, 1);
        assertThat(w.rules().current().institutions().filters()).containsKey("mf");
        events.send(process("mf", "x", 3, "run alpha-marker build-job 17")).get();
        events.send(process("tax", "x", 4, "run alpha-marker build-job 17")).get();
        events.send(process("mf", "x", 5, "run alpha-marker")).get();
        assertThat(briefs(alerts, 3, WorkerTest::briefWithInstitution)).containsExactly("mf sigma " + A + " 5",
            "tax sigma " + A + " 2", "tax sigma " + A + " 4");

        // the settings removed: mf's build jobs raise alerts again
        pub.publishSettings(Map.of("mf", new InstitutionSettings(java.util.Set.of(), Map.of())));
        awaitVersion(w, v + 3, 1);
        events.send(process("mf", "x", 6, "run alpha-marker build-job 18")).get();
        assertThat(briefs(alerts, 4, WorkerTest::briefWithInstitution)).contains("mf sigma " + A + " 6");
      }
    }
  }

  static final String D = "00000000-0000-4000-8000-00000000000d";
  static final String E = "00000000-0000-4000-8000-00000000000e";

  static final String UPLOAD_FILTER = """
      title: The build server runs the national marker by design
      logsource:
          category: process_creation
          product: windows
      filter:
          rules:
              - %s
          selection:
              CommandLine|contains: 'build-job'
          condition: not selection
      """.formatted(E);

  @Test
  void uploadedRules_runForTheirInstitutionOnly_underItsFilters_andSwapWithoutRestart() throws Exception {
    KafkaSettings s = broker.settings("uploads.", tmp.resolve("uploads")).withLateness(0, 1000);
    try (Publisher pub = new Publisher(s); EventProducer events = new EventProducer(s)) {
      pub.publishRules(Map.of("t/a.yml", rule(A, "alpha-marker")));
      try (Worker w = Worker.start(s, RuleSet.Options.defaults()); AlertReader alerts = new AlertReader(s)) {
        assertThat(w.awaitRunning(Duration.ofSeconds(60))).isTrue();
        long fingerprint = w.rules().current().rulesFingerprint();
        // mf's own rule (experimental, as an analyst's new rule often is) and a national one
        RuleUploads.File mine = new RuleUploads.File(1, "mf", "mine.yml",
            rule(D, "delta-marker").replace("status: test", "status: experimental"));
        RuleUploads.File national = new RuleUploads.File(2, null, "all.yml", rule(E, "echo-marker"));
        assertThat(pub.publishUploads(List.of(mine, national))).isEqualTo(2);
        assertThat(pub.publishUploads(List.of(mine, national))).as("already on the topic").isZero();
        awaitSnapshot(w, r -> r.uploads().rules() != null && r.uploads().rules().rules().size() == 2);
        assertThat(w.rules().current().rulesFingerprint()).as("the rules, and correlation windows, unchanged")
            .isEqualTo(fingerprint);
        events.send(process("mf", "x", 1, "run alpha-marker delta-marker echo-marker")).get();
        events.send(process("tax", "x", 2, "run alpha-marker delta-marker echo-marker")).get();
        assertThat(briefs(alerts, 5, WorkerTest::briefWithInstitution)).containsExactly("mf sigma " + A + " 1",
            "mf sigma " + D + " 1", "mf sigma " + E + " 1", "tax sigma " + A + " 2", "tax sigma " + E + " 2");

        // tax's filter applies over the national upload, for tax only
        pub.publishSettings(Map.of("tax", new InstitutionSettings(java.util.Set.of(), Map.of("build", UPLOAD_FILTER))));
        awaitSnapshot(w, r -> r.institutions().filters().containsKey("tax"));
        events.send(process("tax", "x", 3, "run echo-marker build-job 1")).get();
        events.send(process("mf", "x", 4, "run echo-marker build-job 1")).get();
        assertThat(briefs(alerts, 6, WorkerTest::briefWithInstitution)).contains("mf sigma " + E + " 4")
            .doesNotContain("tax sigma " + E + " 3");

        // mf's upload deleted: a tombstone, and its rule runs no more; the national one still does
        assertThat(pub.publishUploads(List.of(national))).isEqualTo(1);
        awaitSnapshot(w, r -> r.uploads().rules().rules().size() == 1);
        assertThat(w.rules().current().institutions().owners()).isEmpty();
        events.send(process("mf", "x", 5, "run delta-marker echo-marker")).get();
        assertThat(briefs(alerts, 7, WorkerTest::briefWithInstitution)).contains("mf sigma " + E + " 5")
            .doesNotContain("mf sigma " + D + " 5");
      }
    }
  }

  static void awaitSnapshot(Worker w, java.util.function.Predicate<RuleBook.Snapshot> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!done.test(w.rules().current())) {
      assertThat(System.nanoTime()).as("snapshot reached: " + w.rules().current()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static final String C = "00000000-0000-4000-8000-00000000000c";

  static String twice() {
    return """
        title: Gamma marker twice on one host
        id: %s
        status: test
        author: tests
        correlation:
            type: event_count
            rules:
                - gamma_marker
            group-by:
                - Image
            timespan: 1h
            condition:
                gte: 2
        level: high
        """.formatted(C);
  }

  @Test
  void correlationEpisode_isAnnouncedAtItsFirstFiring_andCompletedWhenItCloses() throws Exception {
    KafkaSettings s = broker.settings("firing.", tmp.resolve("firing")).withLateness(0, 1500);
    try (Publisher pub = new Publisher(s); EventProducer events = new EventProducer(s)) {
      pub.publishRules(Map.of("t/g.yml", rule(B, "gamma-marker").replace("status: test",
          "name: gamma_marker\nstatus: test"), "t/twice.yml", twice()));
      try (Worker w = Worker.start(s, RuleSet.Options.defaults()); AlertReader alerts = new AlertReader(s)) {
        assertThat(w.awaitRunning(Duration.ofSeconds(60))).isTrue();
        for (long r = 1; r <= 3; r++) {
          events.send(process("x", r, "run gamma-marker")).get();
        }
        List<Alert> got = alerts.until(l -> l.size() >= 2, Duration.ofSeconds(3), Duration.ofSeconds(30));
        // the first firing (second event) at once; the episode with all three when it closes (idle)
        assertThat(got).hasSize(2).allMatch(a -> a.ruleId().equals(C) && a.kind().equals("correlation"));
        Alert early = got.get(0);
        Alert last = got.get(1);
        assertThat(early.timestamp()).isEqualTo(last.timestamp()).isEqualTo(process("x", 1, "").timestamp());
        assertThat(early.group()).isEqualTo(last.group());
        assertThat(early.last()).isEqualTo(process("x", 2, "").timestamp());
        assertThat(early.events()).hasSize(2);
        assertThat(last.last()).isEqualTo(process("x", 3, "").timestamp());
        assertThat(last.events()).hasSize(3);
      }
    }
  }

  /** The alerts once there are {@code n} and no more arrive for two seconds, briefly, sorted. */
  static List<String> briefs(AlertReader alerts, int n) {
    return briefs(alerts, n, WorkerTest::brief);
  }

  static List<String> briefs(AlertReader alerts, int n, java.util.function.Function<Alert, String> brief) {
    return alerts.until(l -> l.size() >= n, Duration.ofSeconds(2), Duration.ofSeconds(30)).stream()
        .map(brief).sorted().toList();
  }

  static void awaitVersion(Worker w, long version, int texts) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      RuleBook.Snapshot s = w.rules().current();
      if (s.version() >= version && s.ruleTexts() == texts) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("rules snapshot " + version + " with " + texts + " texts not reached: "
        + w.rules().current());
  }
}
