package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.SharedData;
import org.lovcen.demo.WebTrafficGenerator;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;

/**
 * Detection quality on the generated election-day traffic: per attack type detected or not and
 * the time to detect in log time; false positives on normal and news-surge traffic; alerts that widen
 * while their attack goes on. Prints the table recorded in docs/DETECTION.md.
 */
class WebDetectionTest {
  @TempDir
  static Path dir;

  static List<Alert> alerts = new ArrayList<>();
  /** Each report of an alert going on: {as last reported, as now reported}. */
  static List<Alert[]> progress = new ArrayList<>();
  static List<Decision> decisions;
  static List<WebTrafficGenerator.Attack> truth;
  static WebConfig config = WebConfig.DEFAULT;

  @BeforeAll
  static void run() throws Exception {
    WebTrafficGenerator.Options o = WebTrafficGenerator.Options.defaults();
    WebTrafficGenerator.generate(dir, o);
    truth = WebTrafficGenerator.attacks(o);
    Path rules = SharedData.resolve("sigma/rules/web/webserver_generic");
    RuleSet set = rules == null ? null : RuleSet.load(List.of(rules), RuleSet.Options.defaults());
    Evaluator ev = set == null ? null : set.evaluator();
    List<Request> requests = new ArrayList<>();
    List<Object[]> exploits = new ArrayList<>();
    Event e = new Event();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().contains(".access.")).sorted().toList();
    }
    for (Path f : files) {
      new AccessLogSource(f, f.getFileName().toString(), AccessLogFormat.AUTO, null).readRecords(r -> {
        Request q = Request.of(r, config);
        requests.add(q);
        if (ev != null) {
          r.toEvent(e, null);
          ev.evaluate(e, (rule, ev2) -> exploits.add(new Object[] {q, rule}));
        }
      }, p -> { throw new AssertionError(p.toString()); });
    }
    requests.sort((a, b) -> Long.compare(a.time(), b.time()));
    WebDetector d = new WebDetector(config, null, alerts::add);
    d.onProgress((before, later) -> progress.add(new Alert[] {before, later}));
    int x = 0;
    exploits.sort((a, b) -> Long.compare(((Request) a[0]).time(), ((Request) b[0]).time()));
    for (Request r : requests) {
      d.accept(r);
      while (x < exploits.size() && ((Request) exploits.get(x)[0]).time() <= r.time()) {
        Request q = (Request) exploits.get(x)[0];
        org.lovcen.sigma.SigmaRule rule = (org.lovcen.sigma.SigmaRule) exploits.get(x)[1];
        d.exploit(q, rule.id(), rule.title(), rule.level(), rule.tags());
        x++;
      }
    }
    d.flush();
    decisions = d.decisions();
    System.out.println(table());
  }

  /** The detector names that count as detecting an attack type. */
  private static boolean matches(String type, Alert a) {
    return switch (type) {
      case "exploit" -> a.ruleId().length() == 36;
      default -> a.ruleId().equals(type);
    };
  }

  private static Alert first(WebTrafficGenerator.Attack at) {
    return alerts.stream().filter(a -> matches(at.type(), a))
        .filter(a -> at.sites().contains(a.host()) || a.ruleId().equals("campaign"))
        .filter(a -> a.last() >= at.start() - 60_000_000L && a.timestamp() <= at.end() + 300_000_000L)
        .min((a, b) -> Long.compare(a.last(), b.last())).orElse(null);
  }

  static String table() {
    StringBuilder b = new StringBuilder("| attack | site(s) | detected | time to detect (log time) |\n|---|---|---|---|\n");
    for (WebTrafficGenerator.Attack at : truth) {
      if (at.type().equals("news_surge")) {
        continue;
      }
      Alert a = first(at);
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", at.type(), String.join(", ", at.sites()),
          a == null ? "no" : "yes", a == null ? "-" : Math.max(0, (a.last() - at.start()) / 1_000_000) + " s"));
    }
    long tp = alerts.stream().filter(WebDetectionTest::explained).count();
    b.append(String.format(Locale.ROOT, "%nalerts: %d, explained by an injected attack: %d (precision %.2f); "
        + "attacks detected: %d of %d (recall %.2f)%n", alerts.size(), tp, (double) tp / Math.max(1, alerts.size()),
        truth.stream().filter(t -> !t.type().equals("news_surge") && first(t) != null).count(),
        truth.stream().filter(t -> !t.type().equals("news_surge")).count(),
        (double) truth.stream().filter(t -> !t.type().equals("news_surge") && first(t) != null).count()
            / truth.stream().filter(t -> !t.type().equals("news_surge")).count()));
    Map<String, Integer> byDetector = new LinkedHashMap<>();
    decisions.forEach(d -> byDetector.merge(d.detector() + "/" + d.scope(), 1, Integer::sum));
    b.append("decisions: ").append(decisions.size()).append(' ').append(byDetector).append('\n');
    b.append("false-positive alerts: ").append(alerts.stream().filter(a -> !explained(a))
        .map(a -> a.ruleId() + "@" + a.host() + " " + a.group().get("sources")).toList()).append('\n');
    return b.toString();
  }

  private static boolean explained(Alert a) {
    List<String> srcs = List.of(a.group().getOrDefault("sources", "").split(","));
    if (truth.stream().anyMatch(t -> t.sources().stream().anyMatch(srcs::contains))) {
      return true; // another detector (or a Sigma rule) firing on an attacker's requests
    }
    return truth.stream().filter(t -> !t.type().equals("news_surge")).anyMatch(t -> matches(t.type(), a)
        && (t.sites().contains(a.host()) || a.ruleId().equals("campaign"))
        && a.last() >= t.start() - 60_000_000L && a.timestamp() <= t.end() + 300_000_000L);
  }

  private static WebTrafficGenerator.Attack attack(String type) {
    return truth.stream().filter(t -> t.type().equals(type)).findFirst().orElseThrow();
  }

  @Test
  void distributedFlood_detectedWithin60sOfLogTime() {
    for (WebTrafficGenerator.Attack at : truth) {
      if (at.type().equals("distributed_flood")) {
        Alert a = first(at);
        assertThat(a).as(at.sites().toString()).isNotNull();
        assertThat(a.last() - at.start()).isLessThanOrEqualTo(60_000_000L);
      }
    }
  }

  @Test
  void everyAttackType_detected() {
    for (WebTrafficGenerator.Attack at : truth) {
      if (!at.type().equals("news_surge") && !(at.type().equals("exploit") && SharedData.root() == null)) {
        assertThat(first(at)).as(at.type()).isNotNull();
      }
    }
  }

  @Test
  void newsSurge_raisesNoAlertAndNoBan() {
    WebTrafficGenerator.Attack news = attack("news_surge");
    assertThat(alerts).filteredOn(a -> a.host().equals("cdm")).isEmpty();
    assertThat(decisions).filteredOn(d -> d.site().equals("cdm")).isEmpty();
    assertThat(news.sites()).containsExactly("cdm");
  }

  @Test
  void noAllowlistedAddress_isEverBanned() {
    for (Decision d : decisions) {
      assertThat(config.allowlisted(Cidr.parse(d.value()))).as(d.value()).isFalse();
    }
  }

  @Test
  void normalTraffic_raisesNoFalsePositive() {
    assertThat(alerts).allMatch(WebDetectionTest::explained);
  }

  @Test
  void decisions_areOnlyForAttackSources() {
    java.util.Set<String> bad = new java.util.HashSet<>();
    truth.forEach(t -> bad.addAll(t.sources()));
    for (Decision d : decisions) {
      if (d.scope().equals("ip")) {
        assertThat(bad).as(d.toString()).contains(d.value());
      }
    }
  }

  /** The alert's widest report: the last progress of it, else the alert as emitted. */
  private static Alert widest(Alert a) {
    Alert w = a;
    for (Alert[] p : progress) {
      if (p[0] == w) {
        w = p[1];
      }
    }
    return w;
  }

  @Test
  void attackAlerts_widenWhileTheirAttackGoes_onceAMinuteAtMost() {
    assertThat(progress).isNotEmpty();
    for (Alert[] p : progress) {
      assertThat(p[1].last() - p[0].last()).as(p[1].ruleId()).isGreaterThanOrEqualTo(60_000_000L);
      // the same alert, widened: detector, first time, site, sources and fields
      assertThat(List.of(p[1].ruleId(), p[1].timestamp(), p[1].host(), p[1].group().get("sources"), p[1].fields()))
          .isEqualTo(List.of(p[0].ruleId(), p[0].timestamp(), p[0].host(), p[0].group().get("sources"), p[0].fields()));
    }
    // the distributed flood on gov: reported until its end; its sources: the new ones of its first window, or
    // those flagged as flooding since, whichever are more
    WebTrafficGenerator.Attack flood = truth.stream().filter(t -> t.type().equals("distributed_flood")
        && t.sites().equals(List.of("gov"))).findFirst().orElseThrow();
    Alert detected = first(flood);
    Alert widest = widest(detected);
    assertThat(widest.last()).isBetween(flood.end() - 90_000_000L, flood.end() + 120_000_000L);
    assertThat(Integer.parseInt(widest.group().get("source_count")))
        .isGreaterThanOrEqualTo(Integer.parseInt(detected.group().get("source_count"))).isGreaterThan(100)
        .isGreaterThanOrEqualTo((int) decisions.stream().filter(d -> d.scope().equals("ip") && d.site().equals("gov")
            && d.detector().equals("distributed_flood")).count());
    // the two-minute flood from one source: widened to its last minute
    WebTrafficGenerator.Attack one = attack("source_flood");
    assertThat(widest(first(one)).last()).isBetween(one.end() - 60_000_000L, one.end());
    // the outage: errors, then silence, reported while they last
    WebTrafficGenerator.Attack outage = attack("outage");
    assertThat(widest(first(outage)).last()).isGreaterThan(first(outage).last() + 5 * 60_000_000L)
        .isLessThanOrEqualTo(outage.end() + 120_000_000L);
  }
}
