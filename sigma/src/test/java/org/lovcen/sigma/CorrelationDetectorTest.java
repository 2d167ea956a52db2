package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.EventRef;

/**
 * The streaming detector against a plain batch computation over the sorted stream (random
 * streams, fixed seeds), shuffled input within the lateness, the state cap and expiry.
 */
class CorrelationDetectorTest {
  @TempDir
  Path tmp;

  private static final String[] TYPES = {"event_count", "value_count", "temporal", "temporal_ordered", "value_sum",
      "value_avg", "value_median", "value_percentile"};

  private static String correlation(int i, String type, Random r) {
    StringBuilder b = new StringBuilder("title: c" + i + "\nid: c" + i + "\ncorrelation:\n  type: " + type
        + "\n  rules:\n    - r0\n    - r1\n" + (type.startsWith("temporal") ? "    - r2\n" : "")
        + "  group-by:\n    - G\n  timespan: " + (5 + r.nextInt(60)) + "s\n");
    if (!type.startsWith("temporal")) {
      String op = new String[] {"gt", "gte", "lt", "lte", "eq", "neq"}[r.nextInt(6)];
      int limit = type.equals("event_count") || type.equals("value_count") ? 1 + r.nextInt(5) : r.nextInt(40);
      b.append("  condition:\n    ").append(op).append(": ").append(limit).append('\n');
      if (!op.equals("lte") && r.nextBoolean()) {
        b.append("    lte: ").append(limit + 30).append('\n');
      }
      if (!type.equals("event_count")) {
        b.append("    field: V\n");
      }
    }
    return b.append("level: high\n").toString();
  }

  private RuleSet randomRules(Random r) {
    List<String> files = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      files.add(Corr.base("00000000-0000-4000-8000-00000000000" + i, "r" + i, "x" + i));
    }
    for (int i = 0; i < TYPES.length; i++) {
      files.add(correlation(i, TYPES[i], r));
    }
    RuleSet set = Corr.load(tmp, files.toArray(new String[0]));
    Corr.assertNoProblems(set);
    return set;
  }

  private static List<Event> randomEvents(Random r, int n) {
    List<Event> out = new ArrayList<>();
    double t = 0;
    for (int i = 0; i < n; i++) {
      t += r.nextInt(4) == 0 ? 0 : r.nextDouble() * 6;
      String v = r.nextInt(10) == 0 ? "n/a" : Integer.toString(r.nextInt(12));
      Event e = r.nextInt(8) == 0 ? Corr.at(t, i, "Rule", "x" + r.nextInt(3), "V", v)
          : Corr.at(t, i, "Rule", "x" + r.nextInt(3), "G", "g" + r.nextInt(4), "V", v);
      e.institution(r.nextBoolean() ? "i1" : "i2");
      out.add(e);
    }
    return out;
  }

  @Test
  void streaming_equalsBatchReference_onRandomStreams() {
    for (long seed = 1; seed <= 40; seed++) {
      Random r = new Random(seed);
      RuleSet set = randomRules(r);
      List<CorrelationHit> hits = Corr.hits(set, randomEvents(r, 400));
      List<Alert> streamed = Corr.detect(set, hits, CorrelationDetector.Options.defaults().withoutLateness());
      assertThat(keys(streamed)).as("seed " + seed).isEqualTo(keys(BatchReference.run(set, hits)));
    }
  }

  @Test
  void shuffledWithinLateness_givesTheSameAlertsAsOrdered() {
    long lateness = 20_000_000L;
    for (long seed = 100; seed < 120; seed++) {
      Random r = new Random(seed);
      RuleSet set = randomRules(r);
      List<CorrelationHit> hits = Corr.hits(set, randomEvents(r, 400));
      List<Alert> ordered = Corr.detect(set, hits, CorrelationDetector.Options.defaults().withoutLateness());
      Map<CorrelationHit, Long> arrival = new HashMap<>();
      hits.forEach(h -> arrival.put(h, h.timestamp() + (long) (r.nextDouble() * lateness)));
      List<CorrelationHit> shuffled = new ArrayList<>(hits);
      shuffled.sort(Comparator.comparingLong(arrival::get));
      List<Alert> out = Corr.detect(set, shuffled, CorrelationDetector.Options.defaults().withLateness(lateness));
      assertThat(keys(out)).as("seed " + seed).isEqualTo(keys(ordered)).isNotEmpty();
    }
  }

  @Test
  void snapshotRestoredAfterEveryHit_givesTheSameAlertsAsOneDetector() {
    long lateness = 20_000_000L;
    for (long seed = 200; seed < 215; seed++) {
      Random r = new Random(seed);
      RuleSet set = randomRules(r);
      List<CorrelationHit> hits = Corr.hits(set, randomEvents(r, 300));
      CorrelationDetector.Options o = CorrelationDetector.Options.defaults().withLateness(lateness);
      List<Alert> one = Corr.detect(set, hits, o);
      // a new detector per hit, restored from the previous one's snapshot: what a worker that
      // loses its partition after every record would do
      List<Alert> handedOver = new ArrayList<>();
      byte[] state = null;
      for (CorrelationHit h : hits) {
        CorrelationDetector d = set.correlations().detector(o).onAlert(handedOver::add);
        if (state != null) {
          assertThat(d.restore(state)).isTrue();
        }
        d.accept(h);
        state = d.snapshot();
      }
      CorrelationDetector last = set.correlations().detector(o).onAlert(handedOver::add);
      last.restore(state);
      last.flush();
      assertThat(handedOver).as("seed " + seed).isEqualTo(one).isNotEmpty();
    }
  }

  @Test
  void restore_refusesASnapshotOfOtherCorrelations_andStartsEmpty() {
    RuleSet a = Corr.load(tmp, Corr.base("00000000-0000-4000-8000-000000000000", "r0", "x0"), countRule(2, "10s"));
    RuleSet b = Corr.load(tmp, Corr.base("00000000-0000-4000-8000-000000000000", "r0", "x0"),
        countRule(3, "20s"));
    CorrelationDetector d = a.correlations().detector(CorrelationDetector.Options.defaults());
    Corr.hits(a, List.of(Corr.at(1, 1, "Rule", "x0", "G", "a"))).forEach(d::accept);
    CorrelationDetector other = b.correlations().detector(CorrelationDetector.Options.defaults());
    assertThat(other.restore(d.snapshot())).isFalse();
    assertThat(other.stats().hits()).isZero();
    assertThat(other.settled()).isTrue();
  }

  @Test
  void drain_emitsOpenEpisodesAndTheNewestHits_likeFlush() {
    for (long seed = 300; seed < 310; seed++) {
      Random r = new Random(seed);
      RuleSet set = randomRules(r);
      List<CorrelationHit> hits = Corr.hits(set, randomEvents(r, 300));
      CorrelationDetector.Options o = CorrelationDetector.Options.defaults().withoutLateness();
      List<Alert> flushed = Corr.detect(set, hits, o);
      List<Alert> drained = new ArrayList<>();
      CorrelationDetector d = set.correlations().detector(o).onAlert(drained::add);
      hits.forEach(d::accept);
      d.drain();
      assertThat(d.settled()).isTrue();
      assertThat(drained).as("seed " + seed).isEqualTo(flushed);
    }
  }

  @Test
  void lateHits_areCountedAndDropped() {
    RuleSet set = Corr.load(tmp, Corr.base("00000000-0000-4000-8000-000000000000", "r0", "x0"), countRule(2, "10s"));
    List<CorrelationHit> hits = Corr.hits(set, List.of(Corr.at(100, 1, "Rule", "x0", "G", "a"),
        Corr.at(0, 2, "Rule", "x0", "G", "a")));
    CorrelationDetector d = set.correlations().detector(CorrelationDetector.Options.defaults().withLateness(5_000_000));
    hits.forEach(d::accept);
    d.flush();
    assertThat(d.stats().late()).isEqualTo(1);
  }

  private static String countRule(int gte, String span) {
    return "title: count\nid: count\ncorrelation:\n  type: event_count\n  rules: [r0]\n  group-by: [G]\n"
        + "  timespan: " + span + "\n  condition:\n    gte: " + gte + "\n";
  }

  @Test
  void stateCap_dropsAndCountsWhatItCannotHold() {
    RuleSet set = Corr.load(tmp, Corr.base("00000000-0000-4000-8000-000000000000", "r0", "x0"), countRule(2, "1h"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ev.add(Corr.at(i, i, "Rule", "x0", "G", "g" + i));
    }
    CorrelationDetector d = set.correlations().detector(CorrelationDetector.Options.defaults().withoutLateness()
        .withMaxEntries(100));
    Corr.hits(set, ev).forEach(d::accept);
    assertThat(d.stats().entries()).isEqualTo(100);
    d.flush();
    assertThat(d.stats().dropped()).isEqualTo(900);
  }

  @Test
  void expiry_forgetsGroupsAfterTheTimespan() {
    RuleSet set = Corr.load(tmp, Corr.base("00000000-0000-4000-8000-000000000000", "r0", "x0"), countRule(2, "10s"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ev.add(Corr.at(i * 3, i, "Rule", "x0", "G", "g" + i));
    }
    CorrelationDetector d = set.correlations().detector(CorrelationDetector.Options.defaults().withMaxEntries(10));
    List<Alert> alerts = new ArrayList<>();
    d.onAlert(alerts::add);
    Corr.hits(set, ev).forEach(d::accept);
    assertThat(d.stats().groups()).isLessThanOrEqualTo(5);
    assertThat(d.stats().dropped()).isZero();
    assertThat(alerts).isEmpty();
  }

  @Test
  void eventsList_isCappedButCounted() {
    RuleSet set = Corr.load(tmp, Corr.base("00000000-0000-4000-8000-000000000000", "r0", "x0"), countRule(2, "1h"));
    List<Event> ev = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ev.add(Corr.at(i, i, "Rule", "x0", "G", "a"));
    }
    List<Alert> alerts = Corr.run(set, ev);
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).events()).hasSize(CorrelationDetector.MAX_EVENTS);
    assertThat(alerts.get(0).fields().get("events")).startsWith("300");
    assertThat(alerts.get(0).last()).isEqualTo(Corr.T0 + 299_000_000L);
  }

  /** What identifies an alert: rule, institution, group, first, last and the contributing events. */
  static List<String> keys(List<Alert> alerts) {
    List<String> out = new ArrayList<>();
    for (Alert a : alerts) {
      List<String> refs = a.events().stream().map(EventRef::record).map(String::valueOf).toList();
      out.add(a.ruleId() + "|" + a.institution() + "|" + a.group() + "|" + a.timestamp() + "|" + a.last() + "|"
          + refs);
    }
    out.sort(null);
    return out;
  }
}
