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

  /** A {@code lovcen worker} in a child JVM with the test's class path; its output in {@code <name>.log}. */
  static Process worker(KafkaSettings s, String name, int idleCloseSeconds) throws IOException {
    Path log = tmp.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "org.lovcen.cli.Main", "worker", "--bootstrap", s.bootstrap(), "--prefix", s.prefix(), "--partitions", "1",
        "--replication", "1", "--lateness", "0", "--idle-close", Integer.toString(idleCloseSeconds),
        "--state-dir", tmp.resolve(name + "-state").toString(), "--client", "client.id=" + name));
    s.client().forEach((k, v) -> cmd.addAll(List.of("--client", k + "=" + v)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LOVCEN_"));
    return pb.start();
  }

  static void awaitLog(Process p, String name, String text) throws Exception {
    Path log = tmp.resolve(name + ".log");
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " did not say '" + text + "' in 90 s:\n" + Files.readString(log));
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

  /** Waits until the detection application has committed everything on the events and hits topics. */
  static void awaitCaughtUp(KafkaSettings s) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        java.util.Map.of("bootstrap.servers", s.bootstrap()))) {
      var parts = List.of(new org.apache.kafka.common.TopicPartition(s.topics().events(), 0),
          new org.apache.kafka.common.TopicPartition(s.topics().hits(), 0));
      long deadline = System.nanoTime() + 90_000_000_000L;
      while (System.nanoTime() < deadline) {
        var committed = admin.listConsumerGroupOffsets(s.applicationId()).partitionsToOffsetAndMetadata().get();
        var request = new java.util.HashMap<org.apache.kafka.common.TopicPartition,
            org.apache.kafka.clients.admin.OffsetSpec>();
        parts.forEach(tp -> request.put(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()));
        var ends = admin.listOffsets(request).all().get();
        boolean done = true;
        for (var tp : parts) {
          var c = committed.get(tp);
          // a transaction's commit marker takes an offset after the last record
          done &= c != null && c.offset() >= ends.get(tp).offset() - (tp.topic().equals(s.topics().hits()) ? 1 : 0);
        }
        if (done) {
          return;
        }
        Thread.sleep(200);
      }
      throw new AssertionError("the workers did not catch up in 90 s");
    }
  }

  /** The worker (by client id) that owns the hits partition, hence the correlation state. */
  static String correlationOwner(KafkaSettings s) throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        java.util.Map.of("bootstrap.servers", s.bootstrap()))) {
      var group = admin.describeConsumerGroups(List.of(s.applicationId())).all().get().get(s.applicationId());
      for (var m : group.members()) {
        for (var tp : m.assignment().topicPartitions()) {
          if (tp.topic().equals(s.topics().hits())) {
            return m.clientId().startsWith("worker-a") ? "worker-a" : "worker-b";
          }
        }
      }
      throw new AssertionError("nobody owns the hits partition: " + group);
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
        workers.put(name, worker(s, name, 20));
      }
      for (String name : workers.keySet()) {
        awaitLog(workers.get(name), name, "worker running");
      }
      send(s, before);
      awaitCaughtUp(s);
      String victim = correlationOwner(s);
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
      for (Process p : workers.values()) {
        p.destroy();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }
}

