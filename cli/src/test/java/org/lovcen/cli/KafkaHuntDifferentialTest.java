package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.intel.Intel;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.kafka.AlertReader;
import org.lovcen.kafka.EventProducer;
import org.lovcen.kafka.KafkaBroker;
import org.lovcen.kafka.KafkaSettings;
import org.lovcen.kafka.Publisher;
import org.lovcen.kafka.Worker;
import org.lovcen.sigma.RuleSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka runner runs the same detection as hunt: the demo scenario of two institutions, with
 * Lovcen's rules and a partner's indicators published to their topics and the events produced to
 * a real single-node broker, gives exactly the alerts hunt gives on the same files, every field
 * of every alert (Sigma, indicator and correlation alerts, evidence included). A correlation
 * episode is announced at its first firing and comes again, complete, when it closes (as serve
 * stores and completes it); the complete ones are hunt's.
 */
class KafkaHuntDifferentialTest {
  @TempDir static Path tmp;
  static KafkaBroker broker;
  static Path demo;
  static List<String> institutions;
  static final String INDICATORS = "cdn.officeupdate-center.com\n203.0.113.47\n";

  @BeforeAll
  static void start() throws Exception {
    demo = tmp.resolve("demo");
    institutions = ScenarioGenerator.generate(demo, ScenarioGenerator.Options.defaults().withInstitutions(2)
        .withEvents(6_000)).institutions();
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".jsonl") && !p.endsWith("ground-truth.jsonl")).sorted().toList();
    }
  }

  static List<EventSource> sources(String inst) throws IOException {
    return Readers.openAll(files(demo.resolve(inst)), new ReadOptions(inst, null), p -> {});
  }

  /** Hunt's alerts on the demo, institution by institution (as an analyst would run it). */
  static List<Alert> hunt() throws IOException {
    RuleSet rules = RuleSet.load(List.of(Project.ownRules()), RuleSet.Options.defaults());
    IndicatorSet intel = Intel.read(INDICATORS.getBytes(StandardCharsets.UTF_8), "partner.txt").compile();
    List<Alert> out = new ArrayList<>();
    for (String inst : institutions) {
      out.addAll(new Hunt(rules, 2).indicators(intel).run(sources(inst), p -> {}, b -> {}).alerts());
    }
    return out;
  }

  /** Every event of the demo to the events topic, file after file, as readers produce them. */
  static long produce(KafkaSettings s) throws IOException {
    long n = 0;
    try (EventProducer p = new EventProducer(s)) {
      Event reuse = new Event();
      for (String inst : institutions) {
        for (EventSource src : sources(inst)) {
          for (EventSource.Split split : src.splits()) {
            long[] c = {0};
            split.read(reuse, e -> {
              p.send(e);
              c[0]++;
            }, problem -> {});
            n += c[0];
          }
        }
      }
      p.flush();
    }
    return n;
  }

  static List<String> rendered(List<Alert> alerts) {
    return alerts.stream().map(Alert::toString).sorted().toList();
  }

  /** A correlation episode as the server identifies it: rule, institution, first time and group. */
  static String episode(Alert a) {
    return a.ruleId() + " " + a.institution() + " " + a.timestamp() + " " + a.group();
  }

  /**
   * The alerts with each correlation episode's early alert replaced by its complete one (the
   * last of the episode on the topic: one institution's alerts are in one partition, in order).
   */
  static List<Alert> complete(List<Alert> alerts) {
    java.util.Map<String, Integer> lastOf = new java.util.HashMap<>();
    for (int i = 0; i < alerts.size(); i++) {
      if (alerts.get(i).kind().equals("correlation")) {
        lastOf.put(episode(alerts.get(i)), i);
      }
    }
    List<Alert> out = new ArrayList<>();
    for (int i = 0; i < alerts.size(); i++) {
      Alert a = alerts.get(i);
      if (!a.kind().equals("correlation") || lastOf.get(episode(a)) == i) {
        out.add(a);
      }
    }
    return out;
  }

  /** Each correlation episode comes exactly twice: early, then complete. */
  static void assertEpisodesTwice(List<Alert> alerts) {
    java.util.Map<String, Long> n = alerts.stream().filter(a -> a.kind().equals("correlation"))
        .collect(java.util.stream.Collectors.groupingBy(KafkaHuntDifferentialTest::episode,
            java.util.stream.Collectors.counting()));
    assertThat(n).isNotEmpty();
    assertThat(n).allSatisfy((episode, count) -> assertThat(count).as(episode).isEqualTo(2));
  }

  @Test
  void worker_raisesExactlyTheAlertsOfHunt() throws Exception {
    List<Alert> expected = hunt();
    assertThat(expected).anyMatch(a -> a.kind().equals("correlation")).anyMatch(a -> a.kind().equals("sigma"))
        .anyMatch(a -> a.kind().equals("indicator"));
    // the events are a backfill produced file by file: the lateness covers the whole day
    KafkaSettings s = broker.settings("diff.", tmp.resolve("state")).withLateness(30L * 86_400_000_000L, 1500);
    try (Publisher pub = new Publisher(s)) {
      pub.publishRules(Publisher.ruleTexts(Project.ownRules()));
      pub.publishIndicators("partner.txt", INDICATORS.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(produce(s)).isGreaterThan(6_000);
    try (Worker w = Worker.start(s, RuleSet.Options.defaults()); AlertReader reader = new AlertReader(s)) {
      // every alert of hunt, and each correlation episode twice (early, complete)
      long episodes = expected.stream().filter(a -> a.kind().equals("correlation")).count();
      List<Alert> actual = reader.until(l -> l.size() >= expected.size() + episodes, Duration.ofSeconds(4),
          Duration.ofSeconds(120));
      assertEpisodesTwice(actual);
      assertThat(rendered(complete(actual))).isEqualTo(rendered(expected));
    }
  }

  /** Every event of the demo, copied, in event-time order (then source and record), as hunt orders them. */
  static List<Event> eventsByTime() throws IOException {
    List<Event> all = new ArrayList<>();
    for (String inst : institutions) {
      for (EventSource src : sources(inst)) {
        for (EventSource.Split split : src.splits()) {
          split.read(new Event(), e -> all.add(e.copy()), problem -> {});
        }
      }
    }
    all.sort(java.util.Comparator.comparingLong((Event e) -> e.timestamp()).thenComparing((Event e) -> e.source())
        .thenComparingLong((Event e) -> e.record()));
    return all;
  }

  static void send(KafkaSettings s, List<Event> events) {
    try (EventProducer p = new EventProducer(s)) {
      events.forEach(p::send);
      p.flush();
    }
  }

  @Test
  void workerKilledWithCorrelationWindowsOpen_survivorRaisesEveryAlertOfHuntExactlyOnce() throws Exception {
    List<Alert> expected = hunt();
    // split the stream in the middle of the longest correlation episode: its window is open at the kill
    Alert longest = expected.stream().filter(a -> a.kind().equals("correlation"))
        .max(java.util.Comparator.comparingLong(a -> a.last() - a.timestamp())).orElseThrow();
    long split = (longest.timestamp() + longest.last()) / 2;
    assertThat(longest.last()).isGreaterThan(longest.timestamp());
    List<Event> events = eventsByTime();
    List<Event> before = events.stream().filter(e -> e.timestamp() < split).toList();
    List<Event> after = events.stream().filter(e -> e.timestamp() >= split).toList();
    KafkaSettings s = broker.settings("failover.", tmp.resolve("unused")).withTopics(1, (short) 1);
    try (Publisher pub = new Publisher(s)) {
      pub.publishRules(Publisher.ruleTexts(Project.ownRules()));
      pub.publishIndicators("partner.txt", INDICATORS.getBytes(StandardCharsets.UTF_8));
    }
    java.util.Map<String, Process> workers = new java.util.HashMap<>();
    try (AlertReader reader = new AlertReader(s)) {
      for (String name : List.of("worker-a", "worker-b")) {
        workers.put(name, KafkaWorkers.start(s, tmp, name, 0, 20));
      }
      for (String name : workers.keySet()) {
        KafkaWorkers.awaitLog(workers.get(name), tmp, name, "worker running");
      }
      send(s, before);
      KafkaWorkers.awaitCaughtUp(s);
      String victim = KafkaWorkers.owner(s, s.topics().hits(), List.of("worker-a", "worker-b"));
      workers.get(victim).destroyForcibly().waitFor();
      send(s, after);
      long correlations = expected.stream().filter(a -> a.kind().equals("correlation")).count();
      List<Alert> all = reader.until(l -> l.size() >= expected.size() + correlations, Duration.ofSeconds(5),
          Duration.ofSeconds(150));
      assertEpisodesTwice(all);
      List<Alert> actual = complete(all);
      assertThat(rendered(actual.stream().filter(a -> a.kind().equals("correlation")).toList()))
          .as("correlation alerts after killing " + victim)
          .isEqualTo(rendered(expected.stream().filter(a -> a.kind().equals("correlation")).toList()));
      assertThat(rendered(actual)).isEqualTo(rendered(expected));
    } finally {
      KafkaWorkers.stopAll(workers.values());
    }
  }
}

