package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;

/**
 * The evaluator's per-event path allocates nothing once warm (reused per-thread matchers, no
 * sorting buffers, no boxing): measured with the JVM's per-thread allocation counter over the
 * demo's events with Lovcen's own rules plus the SigmaHQ corpus when present. The bound is a few
 * bytes per event on average, not zero, so that an occasional slow path (a regex over its step
 * budget, IPv6 parsing) does not fail the test.
 */
class AllocationTest {
  @TempDir
  Path dir;

  @Test
  void evaluate_allocatesNothingPerEventOnceWarm() {
    ScenarioGenerator.generate(dir, ScenarioGenerator.Options.defaults().withEvents(20_000));
    List<Path> rules = new ArrayList<>(List.of(Project.ownRules()));
    Path corpus = org.lovcen.core.SharedData.resolve("sigma/rules");
    if (corpus != null) {
      rules.add(corpus);
    }
    RuleSet set = RuleSet.load(rules, RuleSet.Options.defaults());
    List<Event> events = new ArrayList<>();
    for (Path f : Readers.expand(List.of(dir))) {
      if (!f.getFileName().toString().equals("ground-truth.jsonl")) {
        for (EventSource.Split s : Readers.open(f, f.toString(), ReadOptions.DEFAULT).splits()) {
          s.read(new Event(), e -> events.add(e.copy()), p -> {});
        }
      }
    }
    Evaluator ev = set.evaluator();
    long[] matches = {0};
    Evaluator.Matches sink = (r, e) -> matches[0]++;
    for (int round = 0; round < 3; round++) { // warm the caches and the JIT
      events.forEach(e -> ev.evaluate(e, sink));
    }
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (Event e : events) {
      ev.evaluate(e, sink);
    }
    long perEvent = (mx.getThreadAllocatedBytes(tid) - before) / events.size();
    System.out.println("allocation: " + perEvent + " bytes per event over " + events.size() + " events");
    assertThat(matches[0]).isPositive();
    assertThat(perEvent).isLessThan(8);
  }
}
