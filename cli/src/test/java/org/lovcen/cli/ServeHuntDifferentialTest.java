package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.server.TestServer;
import org.lovcen.sigma.RuleSet;
import org.lovcen.store.AlertQuery;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.Page;
import org.lovcen.store.Scope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server runs the same detection as hunt: the demo scenario of two institutions, sent to
 * `lovcen serve` over HTTP, gives exactly the alerts (Sigma rules and correlations, by rule,
 * institution, host and time) that `hunt` gives on the same files.
 */
class ServeHuntDifferentialTest {
  @TempDir static Path tmp;
  static Path demo;
  static List<String> institutions;

  @BeforeAll
  static void generate() {
    demo = tmp.resolve("demo");
    institutions = ScenarioGenerator.generate(demo, ScenarioGenerator.Options.defaults().withInstitutions(2)
        .withEvents(6_000)).institutions();
  }

  /** What identifies an alert independent of the runner: kind, rule, institution, host, first and last time. */
  private static String key(String kind, String rule, String inst, String host, long ts, long last) {
    return kind + " " + rule + " " + inst + " " + host + " " + ts + " " + last;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".jsonl") && !p.endsWith("ground-truth.jsonl")).sorted().toList();
    }
  }

  private static List<String> hunt() throws IOException {
    List<String> out = new ArrayList<>();
    for (String inst : institutions) {
      List<EventSource> sources = Readers.openAll(files(demo.resolve(inst)), new ReadOptions(inst, null), p -> {});
      for (Alert a : new Hunt(TestServer.rules(), 2).run(sources, p -> {}, b -> {}).alerts()) {
        out.add(key(a.kind(), a.ruleId(), a.institution(), a.host(), a.timestamp(), a.last()));
      }
    }
    out.sort(null);
    return out;
  }

  /** The institution's JSON lines in event-time order, as a shipper would send them. */
  private static List<String> linesByTime(String inst) throws IOException {
    record Line(long ts, String text) {}
    List<Line> lines = new ArrayList<>();
    for (Path f : files(demo.resolve(inst))) {
      for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        Event e = new Event();
        long[] ts = {Event.NO_TIME};
        Readers.readJson(new java.io.ByteArrayInputStream(l.getBytes(StandardCharsets.UTF_8)), "x",
            ReadOptions.DEFAULT, e, ev -> ts[0] = ev.timestamp(), p -> {});
        lines.add(new Line(ts[0], l));
      }
    }
    lines.sort(Comparator.comparingLong(Line::ts));
    return lines.stream().map(Line::text).toList();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void serve_raisesTheSameAlertsAsHunt(String kind) throws Exception {
    List<String> expected = hunt();
    assertThat(expected).anyMatch(k -> k.startsWith("correlation ")).anyMatch(k -> k.startsWith("sigma "));
    try (TestServer s = TestServer.start(kind, tmp.resolve(kind),
        Map.of("LOVCEN_DETECTION_IDLE_CLOSE_SECONDS", "1", "LOVCEN_INCIDENTS_MIN_LEVEL", "informational"))) {
      String admin = s.admin();
      for (String inst : institutions) {
        String token = s.institution(admin, inst);
        // one request per institution: no idle pause inside an institution's stream closes an
        // episode early (the idle close is tested by its effect at the end)
        TestServer.Response r = s.ingest(token, String.join("\n", linesByTime(inst)) + "\n");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("rejected").asInt()).isZero();
      }
      s.awaitDetection();
      List<String> actual = alertsWhenSettled(s, expected.size());
      assertThat(actual).isEqualTo(expected);
    }
  }

  @org.junit.jupiter.api.Test
  void serve_storesCorrelationAlertsAtTheirFirstFiring_beforeTheEpisodeCloses() throws Exception {
    List<String> expected = hunt().stream().filter(k -> k.startsWith("correlation ")).map(ServeHuntDifferentialTest::start)
        .toList();
    try (TestServer s = TestServer.start("sqlite", tmp.resolve("early"),
        Map.of("LOVCEN_DETECTION_IDLE_CLOSE_SECONDS", "3600"))) {
      String admin = s.admin();
      for (String inst : institutions) {
        String token = s.institution(admin, inst);
        s.ingest(token, String.join("\n", linesByTime(inst)) + "\n");
      }
      s.awaitDetection();
      AlertStore store = new AlertStore(s.server.database());
      List<String> actual = store.list(Scope.NATIONAL, new AlertQuery(null, null, null, null, null, null, null, null,
          "correlation", 1000, null)).items().stream()
          .map(a -> start(key(a.kind(), a.ruleId(), a.institution(), a.host(), a.ts(), a.lastTs()))).sorted().toList();
      assertThat(actual).isEqualTo(expected.stream().sorted().toList());
    }
  }

  /** The part of a key an early alert already has: kind, rule, institution and first time. */
  private static String start(String key) {
    String[] p = key.split(" ");
    return p[0] + " " + p[1] + " " + p[2] + " " + p[4];
  }

  /**
   * Every stored alert once the count has reached what hunt found and two reads an idle close
   * apart agree (early correlation alerts are completed when their episode closes).
   */
  private static List<String> alertsWhenSettled(TestServer s, int expected) throws InterruptedException {
    List<String> last = List.of();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<String> now = alerts(s);
      if (now.size() >= expected && now.equals(last)) {
        return now;
      }
      last = now;
      Thread.sleep(now.size() >= expected ? 2500 : 200);
    }
    return last;
  }

  private static List<String> alerts(TestServer s) {
    AlertStore store = new AlertStore(s.server.database());
    List<String> now = new ArrayList<>();
    String cursor = null;
    do {
      Page<AlertRow> p = store.list(Scope.NATIONAL, new AlertQuery(null, null, null, null, null, null, null, null,
          null, 1000, cursor));
      p.items().forEach(a -> now.add(key(a.kind(), a.ruleId(), a.institution(), a.host(), a.ts(), a.lastTs())));
      cursor = p.next();
    } while (cursor != null);
    now.sort(null);
    return now;
  }
}
