package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.SharedData;
import org.lovcen.demo.WebTrafficGenerator;
import org.lovcen.sigma.RuleSet;

/**
 * The website detectors' state written and restored: the election-day traffic of two institutions
 * through one {@link WebStream}, and through a chain of fresh ones each restored from the
 * previous one's snapshot every few thousand requests (what a Kafka worker taking a partition
 * over does), gives the same alerts and decision changes, field for field, the alerts of attacks
 * under way widened across a restore as they are in one run.
 */
class WebSnapshotTest {
  @TempDir static Path dir;

  /** One line of the day: its institution, site as logged, request and exploit attempts. */
  record Line(String institution, String site, Request request, List<WebStream.Exploit> exploits) {}

  static final List<Line> lines = new ArrayList<>();

  @BeforeAll
  static void read() throws Exception {
    WebTrafficGenerator.generate(dir, WebTrafficGenerator.Options.defaults().withScale(0.3));
    Path rules = SharedData.resolve("sigma/rules/web/webserver_generic");
    var evaluator = rules == null ? null : RuleSet.load(List.of(rules), RuleSet.Options.defaults()).evaluator();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().contains(".access.")).sorted().toList();
    }
    Event e = new Event();
    for (Path f : files) {
      new AccessLogSource(f, f.getFileName().toString(), AccessLogFormat.AUTO, null).readRecords(r -> {
        // the media sites belong to one institution, the state's to another: campaigns span both
        String institution = r.site.equals("vijesti") || r.site.equals("cdm") ? "mediji" : "drzava";
        List<WebStream.Exploit> exploits = new ArrayList<>();
        if (evaluator != null) {
          r.toEvent(e, institution);
          evaluator.evaluate(e, (rule, ev) -> exploits.add(new WebStream.Exploit(rule.id(), rule.title(),
              rule.level(), rule.tags())));
        }
        lines.add(new Line(institution, r.site, Request.of(r, WebConfig.DEFAULT), exploits));
      }, p -> {
        throw new AssertionError(p.toString());
      });
    }
    lines.sort(Comparator.comparingLong((Line l) -> l.request().time()).thenComparing(l -> l.request().source())
        .thenComparingLong(l -> l.request().line()));
  }

  /** Records every alert and decision change as text, and the alerts with the number of requests given before each. */
  static final class Recorder implements WebStream.Output {
    final List<String> out = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<Integer> at = new ArrayList<>();
    int fed;

    @Override
    public void alert(Alert a) {
      out.add(a.toString());
      alerts.add(a);
      at.add(fed);
    }

    @Override
    public void decision(WebStream.DecisionChange c) {
      out.add(c.toString().replaceAll("@[0-9a-f]+", ""));
    }
  }

  static byte[] snapshot(WebStream s) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    s.snapshot(bytes);
    return bytes.toByteArray();
  }

  @Test
  void restoredEveryFewThousandRequests_givesTheAlertsAndDecisionsOfOneRun() throws Exception {
    Recorder straight = new Recorder();
    WebStream one = new WebStream(WebConfig.DEFAULT, straight);
    for (Line l : lines) {
      one.accept(l.institution(), l.site(), l.request(), l.exploits());
      straight.fed++;
    }
    assertThat(straight.out).anyMatch(x -> x.contains("ruleId=distributed_flood"))
        .anyMatch(x -> x.contains("ruleId=source_flood")).anyMatch(x -> x.contains("ruleId=outage"))
        .anyMatch(x -> x.contains("ruleId=campaign, ") && x.contains("institution=drzava"))
        .anyMatch(x -> x.contains("ruleId=campaign, ") && x.contains("institution=mediji"))
        .anyMatch(x -> x.startsWith("DecisionChange["));

    Recorder chained = new Recorder();
    WebStream current = new WebStream(WebConfig.DEFAULT, chained);
    int biggest = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0 && i % 7_919 == 0) {
        byte[] state = snapshot(current);
        biggest = Math.max(biggest, state.length);
        current = new WebStream(WebConfig.DEFAULT, chained);
        assertThat(current.restore(new ByteArrayInputStream(state))).isTrue();
      }
      Line l = lines.get(i);
      current.accept(l.institution(), l.site(), l.request(), l.exploits());
    }
    assertThat(chained.out).isEqualTo(straight.out);
    assertThat(current.stats()).isEqualTo(one.stats());
    assertThat(biggest).isGreaterThan(10_000);
    // attacks under way at a restore went on widening their alerts after it: among them the flood
    // on a site and sources' attacks (their alerts are state the snapshot carries)
    assertThat(widenedAcrossARestore(straight.alerts, straight.at, 7_919)).contains("distributed_flood")
        .containsAnyOf("source_flood", "scan", "crawl", "brute_force", "ua_rotation");
  }

  /**
   * The detectors whose alert, reported before request {@code i * every} (a restore in the chained
   * run), was reported again with a later last time after it.
   */
  static java.util.Set<String> widenedAcrossARestore(List<Alert> alerts, List<Integer> at, int every) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    Map<String, Integer> firstAt = new java.util.HashMap<>();
    Map<String, Long> lastSeen = new java.util.HashMap<>();
    for (int k = 0; k < alerts.size(); k++) {
      Alert a = alerts.get(k);
      String key = a.institution() + "|" + a.ruleId() + "|" + a.timestamp() + "|" + a.host() + "|"
          + a.group().get("sources");
      Integer first = firstAt.putIfAbsent(key, at.get(k));
      Long before = lastSeen.put(key, a.last());
      if (first != null && !a.ruleId().equals("campaign")) {
        assertThat(a.last()).as(key).isGreaterThanOrEqualTo(before + 60_000_000L);
        if (first / every < at.get(k) / every) {
          out.add(a.ruleId());
        }
      }
    }
    return out;
  }

  /** Requests on one site: a source flooding (and crawling), another repeating an exploit, both for ten minutes. */
  static List<Line> attacksOfTenMinutes() {
    long t0 = 1_717_200_000_000_000L;
    List<Line> out = new ArrayList<>();
    var exploit = List.of(new WebStream.Exploit("5c0d4a4e-0000-4000-8000-000000000001", "Path traversal",
        org.lovcen.core.Level.HIGH, List.of("attack.initial-access", "attack.t1190")));
    for (long ms = 0; ms < 600_000; ms += 100) {
      long t = t0 + ms * 1000;
      out.add(new Line("drzava", "gov", new Request(t, "gov", "203.0.113.9", 200, (int) ms, 7, 0, 0, "test",
          out.size() + 1), List.of()));
      if (ms % 30_000 == 0) {
        out.add(new Line("drzava", "gov", new Request(t, "gov", "198.51.100.66", 404, 3, 9, 0, 0, "test",
            out.size() + 1), exploit));
      }
    }
    return out;
  }

  @Test
  void attackUnderWay_restoredHalfway_goesOnWideningItsAlert_asInOneRun() throws Exception {
    List<Line> day = attacksOfTenMinutes();
    Recorder straight = new Recorder();
    WebStream one = new WebStream(WebConfig.DEFAULT, straight);
    day.forEach(l -> one.accept(l.institution(), l.site(), l.request(), l.exploits()));

    Recorder chained = new Recorder();
    WebStream first = new WebStream(WebConfig.DEFAULT, chained);
    int half = day.size() / 2;
    day.subList(0, half).forEach(l -> first.accept(l.institution(), l.site(), l.request(), l.exploits()));
    List<String> detectedBefore = chained.alerts.stream().map(Alert::ruleId).distinct().sorted().toList();
    WebStream second = new WebStream(WebConfig.DEFAULT, chained);
    assertThat(second.restore(new ByteArrayInputStream(snapshot(first)))).isTrue();
    int reportsBefore = chained.alerts.size();
    day.subList(half, day.size()).forEach(l -> second.accept(l.institution(), l.site(), l.request(), l.exploits()));

    assertThat(detectedBefore).containsExactly("5c0d4a4e-0000-4000-8000-000000000001", "crawl", "source_flood");
    assertThat(chained.out).isEqualTo(straight.out);
    // after the restore: the same three alerts (detector, first time, site, sources, fields), reaching
    // the attacks' last minute
    List<Alert> after = chained.alerts.subList(reportsBefore, chained.alerts.size());
    assertThat(after).isNotEmpty();
    long end = day.get(day.size() - 1).request().time();
    for (String rule : detectedBefore) {
      Alert detected = chained.alerts.stream().filter(a -> a.ruleId().equals(rule)).findFirst().orElseThrow();
      Alert widest = after.stream().filter(a -> a.ruleId().equals(rule)).reduce((a, b) -> b).orElseThrow();
      assertThat(List.of(widest.timestamp(), widest.host(), widest.institution(), widest.group(), widest.fields()))
          .as(rule).isEqualTo(List.of(detected.timestamp(), detected.host(), detected.institution(),
              detected.group(), detected.fields()));
      assertThat(widest.last()).as(rule).isBetween(end - 60_000_000L, end).isGreaterThan(detected.last());
    }
  }

  @Test
  void snapshotOfAnotherConfiguration_isRefused_andTheStateStartsEmpty() throws Exception {
    WebStream s = new WebStream(WebConfig.DEFAULT, new Recorder());
    lines.subList(0, 1000).forEach(l -> s.accept(l.institution(), l.site(), l.request(), l.exploits()));
    byte[] state = snapshot(s);
    WebStream other = new WebStream(WebConfig.of(Map.of("site", Map.of("window_seconds", 20)), "test"),
        new Recorder());
    assertThat(other.restore(new ByteArrayInputStream(state))).isFalse();
    assertThat(other.stats().requests()).isZero();
    assertThat(other.watermark()).isEqualTo(Long.MIN_VALUE);
    WebStream same = new WebStream(WebConfig.DEFAULT, new Recorder());
    assertThat(same.restore(new ByteArrayInputStream(state))).isTrue();
    assertThat(same.stats()).isEqualTo(s.stats());
  }
}
