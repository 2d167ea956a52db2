package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.demo.WebTrafficGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.kafka.AlertReader;
import org.lovcen.kafka.EventProducer;
import org.lovcen.kafka.KafkaBroker;
import org.lovcen.kafka.KafkaSettings;
import org.lovcen.kafka.Publisher;
import org.lovcen.kafka.Worker;
import org.lovcen.sigma.RuleSet;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.AccessLogSource;
import org.lovcen.web.Decision;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebStream;

/**
 * The website detectors on Kafka are hunt's: the election-day traffic (the demo's five sites as
 * one access log, a smaller day with a smaller botnet so that the test stays short) produced to a
 * real broker and detected by a worker gives hunt's web alerts, every field of every one (the
 * campaign aside: hunt reports it at the end of its input, a live runner as soon as floods
 * overlap), each widened to the extent its attack reached in hunt (the worker reports an alert
 * again while its attack goes on; its last report is the alert the server keeps), and hunt's
 * decisions. A worker killed between the first and the second site's flood, the first still under
 * way, hands the website detectors' state to the survivor, which widens the first flood to its end
 * and raises the second flood, the campaign and every later alert and decision of hunt, none twice.
 */
class KafkaWebDifferentialTest {
  static final String INSTITUTION = "mediji";
  static final WebTrafficGenerator.Options DAY = new WebTrafficGenerator.Options(20161016L, 0.1, 800);
  @TempDir static Path tmp;
  static KafkaBroker broker;
  static Path log;
  static List<Alert> huntAlerts;
  static List<Decision> huntDecisions;

  @BeforeAll
  static void start() throws Exception {
    log = ServeWebDifferentialTest.mergedLog(tmp, DAY, new TreeMap<>());
    WebHunt web = new WebHunt(WebConfig.DEFAULT, INSTITUTION);
    List<Path> rest = new ArrayList<>();
    huntAlerts = new Hunt(ServeWebDifferentialTest.rules(), 2).web(web)
        .run(WebHunt.open(List.of(log), AccessLogFormat.AUTO, INSTITUTION, rest), p -> {}, b -> {}).alerts().stream()
        .filter(a -> a.kind().equals("web")).toList();
    huntDecisions = web.decisions();
    assertThat(rest).isEmpty();
    broker = KafkaBroker.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (broker != null) {
      broker.close();
    }
  }

  /** Every line of the log as the events readers make of it (source: the file, record: the line). */
  static List<Event> events() {
    List<Event> out = new ArrayList<>();
    AccessLogSource src = new AccessLogSource(log, log.toString(), AccessLogFormat.AUTO, INSTITUTION);
    for (EventSource.Split split : src.splits()) {
      split.read(new Event(), e -> out.add(e.copy()), p -> {
        throw new AssertionError(p.toString());
      });
    }
    return out;
  }

  static void publishRules(KafkaSettings s) {
    try (Publisher pub = new Publisher(s)) {
      for (Path folder : ServeWebDifferentialTest.ruleFolders()) {
        pub.publishRules(Publisher.ruleTexts(folder));
      }
    }
  }

  static void send(KafkaSettings s, List<Event> events) {
    try (EventProducer p = new EventProducer(s)) {
      events.forEach(p::send);
      p.flush();
    }
  }

  static boolean campaign(Alert a) {
    return a.ruleId().equals("campaign");
  }

  static List<String> rendered(List<Alert> alerts) {
    return alerts.stream().filter(a -> a.kind().equals("web") && !campaign(a)).map(Alert::toString).sorted().toList();
  }

  /** What the server stores of a web alert: its row's fingerprint (detector, first time, site, sources). */
  static String stored(Alert a) {
    return a.institution() + "|" + a.ruleId() + "|" + a.timestamp() + "|" + a.host() + "|" + a.group().get("sources")
        + "|" + a.fields().getOrDefault("ongoing", "");
  }

  /**
   * Each alert's last report (the extent the server widens it to), in the order first reported;
   * reports of one alert come in order, a minute of log time apart at least.
   */
  static List<Alert> widest(List<Alert> reports) {
    Map<String, Alert> last = new java.util.LinkedHashMap<>();
    for (Alert a : reports) {
      Alert before = last.put(stored(a), a);
      if (before != null) {
        assertThat(a.last()).as("a report of " + stored(a)).isGreaterThanOrEqualTo(before.last() + 60_000_000L);
        assertThat(List.of(a.level(), a.fields(), a.group().get("sites")))
            .isEqualTo(List.of(before.level(), before.fields(), before.group().get("sites")));
      }
    }
    return new ArrayList<>(last.values());
  }

  /** The attacks whose alert was reported again, widened. */
  static TreeSet<String> widened(List<Alert> reports) {
    Map<String, Integer> n = new HashMap<>();
    TreeSet<String> out = new TreeSet<>();
    reports.stream().filter(a -> !campaign(a)).forEach(a -> {
      if (n.merge(stored(a), 1, Integer::sum) == 2) {
        out.add(a.ruleId() + " " + a.host());
      }
    });
    return out;
  }

  /** The attacks whose alert hunt reports with a last time beyond its detection. */
  static TreeSet<String> huntWidened() {
    TreeSet<String> out = new TreeSet<>();
    huntAlerts.stream().filter(a -> !campaign(a) && a.last() > detected(a)).forEach(a -> out.add(a.ruleId() + " "
        + a.host()));
    return out;
  }

  /** When the alert was first reported (its {@code detected} field). */
  static long detected(Alert a) {
    return org.lovcen.core.Timestamps.parse(a.fields().get("detected"));
  }

  /** Hunt's decisions as {@code scope value action detector since}. */
  static TreeSet<String> huntDecisions() {
    TreeSet<String> out = new TreeSet<>();
    huntDecisions.forEach(d -> out.add(d.scope() + " " + d.value() + " " + d.action() + " " + d.detector() + " "
        + d.since()));
    return out;
  }

  /**
   * The decisions sent on the topic, as hunt lists them: per scope and value its last action,
   * detector and first time, and its last end (extensions are sent once they reach a minute).
   */
  static TreeSet<String> decisions(List<WebStream.DecisionChange> changes, Map<String, Long> until) {
    Map<String, Decision> last = new HashMap<>();
    for (WebStream.DecisionChange c : changes) {
      Decision d = c.decision();
      assertThat(c.institution()).isEqualTo(INSTITUTION);
      last.put(d.scope() + " " + d.value(), d);
      until.merge(d.scope() + " " + d.value(), d.until(), Math::max);
    }
    TreeSet<String> out = new TreeSet<>();
    last.values().forEach(d -> out.add(d.scope() + " " + d.value() + " " + d.action() + " " + d.detector() + " "
        + d.since()));
    return out;
  }

  /** Each decision ends where hunt's does, or less than a minute before (extensions are sent by the minute). */
  static void assertEnds(Map<String, Long> until) {
    for (Decision d : huntDecisions) {
      long sent = until.get(d.scope() + " " + d.value());
      assertThat(sent).as(d.value()).isLessThanOrEqualTo(d.until()).isGreaterThan(d.until() - 60_000_000L);
    }
  }

  static void assertBaseline() {
    assertThat(huntAlerts).anyMatch(a -> a.ruleId().equals("distributed_flood") && a.host().equals("gov"))
        .anyMatch(a -> a.ruleId().equals("distributed_flood") && a.host().equals("vijesti"))
        .anyMatch(a -> a.ruleId().equals("source_flood")).anyMatch(a -> a.ruleId().equals("outage"))
        .anyMatch(KafkaWebDifferentialTest::campaign);
    assertThat(huntDecisions).hasSizeGreaterThan(50);
    // hunt reports each alert with the extent its attack reached: the floods beyond their detection
    assertThat(huntAlerts).filteredOn(a -> a.ruleId().equals("distributed_flood"))
        .allMatch(a -> a.last() > detected(a) + 5 * 60_000_000L, "widened by minutes");
  }

  @Test
  void worker_raisesTheWebAlertsAndDecisionsOfHunt() throws Exception {
    assertBaseline();
    // two events partitions: requests meet the web stage out of order; a backfill needs the lateness of its day
    KafkaSettings s = broker.settings("webdiff.", tmp.resolve("state")).withLateness(30L * 86_400_000_000L, 3000);
    publishRules(s);
    List<Event> events = events();
    send(s, events);
    List<String> expected = rendered(huntAlerts);
    try (Worker w = Worker.start(s, RuleSet.Options.defaults()); AlertReader reader = new AlertReader(s)) {
      List<Alert> actual = reader.until(l -> rendered(widest(l)).equals(expected) && l.stream()
          .anyMatch(KafkaWebDifferentialTest::campaign), Duration.ofSeconds(4), Duration.ofSeconds(150));
      assertThat(rendered(widest(actual))).isEqualTo(expected);
      // reported again: exactly the alerts hunt widened beyond their detection (the floods among them)
      assertThat(widened(actual)).isEqualTo(huntWidened()).contains("distributed_flood gov", "distributed_flood vijesti");
      Alert campaign = actual.stream().filter(KafkaWebDifferentialTest::campaign).findFirst().orElseThrow();
      assertThat(campaign.group().get("sites")).isEqualTo("gov,vijesti");
      assertThat(campaign.fields()).containsEntry("ongoing", "true");
      Map<String, Long> until = new HashMap<>();
      assertThat(decisions(reader.decisions(), until)).isEqualTo(huntDecisions());
      assertEnds(until);
    }
  }

  @Test
  void workerKilledBetweenTheFloods_survivorRaisesEveryLaterWebAlertOfHuntOnce() throws Exception {
    assertBaseline();
    Alert first = huntAlerts.stream().filter(a -> a.ruleId().equals("distributed_flood") && a.host().equals("vijesti"))
        .findFirst().orElseThrow();
    Alert second = huntAlerts.stream().filter(a -> a.ruleId().equals("distributed_flood") && a.host().equals("gov"))
        .findFirst().orElseThrow();
    // the first flood detected, the second not yet: the survivor needs the first's state and the
    // second site's baseline to raise the second flood and the campaign, and the first flood's alert
    // to widen it while it goes on after the kill
    long split = detected(first) + 5_000_000L;
    assertThat(split).isLessThan(second.timestamp());
    assertThat(first.last()).as("the first flood goes on after the kill").isGreaterThan(split + 5 * 60_000_000L);
    List<Event> events = events();
    List<Event> before = events.stream().filter(e -> e.timestamp() < split).toList();
    List<Event> after = events.stream().filter(e -> e.timestamp() >= split).toList();
    KafkaSettings s = broker.settings("webfail.", tmp.resolve("unused")).withTopics(1, (short) 1);
    publishRules(s);
    List<String> names = List.of("worker-a", "worker-b");
    Map<String, Process> workers = new HashMap<>();
    try (AlertReader reader = new AlertReader(s)) {
      for (String name : names) {
        workers.put(name, KafkaWorkers.start(s, tmp, name, 0, 5));
      }
      for (String name : names) {
        KafkaWorkers.awaitLog(workers.get(name), tmp, name, "worker running");
      }
      send(s, before);
      KafkaWorkers.awaitCaughtUp(s);
      String victim = KafkaWorkers.owner(s, s.topics().requests(), names);
      assertThat(reader.until(l -> l.stream().anyMatch(a -> stored(a).equals(stored(first))),
          Duration.ofMillis(1), Duration.ofSeconds(30))).as("the first flood, before the kill")
          .anyMatch(a -> stored(a).equals(stored(first)) && a.last() < split);
      workers.get(victim).destroyForcibly().waitFor();
      send(s, after);
      List<String> expected = rendered(huntAlerts);
      List<Alert> actual = reader.until(l -> rendered(widest(l)).equals(expected) && l.stream()
          .anyMatch(KafkaWebDifferentialTest::campaign), Duration.ofSeconds(6), Duration.ofSeconds(150));
      assertThat(rendered(widest(actual))).as("web alerts after killing " + victim).isEqualTo(expected);
      assertThat(rendered(actual)).as("no report twice").doesNotHaveDuplicates();
      assertThat(actual.stream().filter(KafkaWebDifferentialTest::campaign)).hasSize(1)
          .allMatch(a -> a.group().get("sites").equals("gov,vijesti"));
      Map<String, Long> until = new HashMap<>();
      assertThat(decisions(reader.decisions(), until)).isEqualTo(huntDecisions());
      assertEnds(until);
      String survivor = names.stream().filter(n -> !n.equals(victim)).findFirst().orElseThrow();
      String said = java.nio.file.Files.readString(tmp.resolve(survivor + ".log"));
      assertThat(said).as("the survivor took the web state over").contains("web state restored (");
      said.lines().filter(l -> l.contains("web state")).forEach(System.out::println);
    } finally {
      KafkaWorkers.stopAll(workers.values());
    }
  }
}
