package org.lovcen.sigma;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;

/** Test helpers for correlations: rule files in a folder, timed events, and a detector run. */
final class Corr {
  private Corr() {}

  /** 2022-08-22 04:00 UTC in micros. */
  static final long T0 = 1_661_140_800_000_000L;

  /** Writes each YAML text to its own file in a new folder and loads them. */
  static RuleSet load(Path dir, String... files) {
    try {
      Path d = Files.createTempDirectory(dir, "rules");
      for (int i = 0; i < files.length; i++) {
        Files.writeString(d.resolve("r" + i + ".yml"), files[i]);
      }
      return RuleSet.load(List.of(d), RuleSet.Options.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A detection rule for product {@code test} matching {@code Rule: <value>}. */
  static String base(String id, String name, String value) {
    return "title: base " + value + "\nid: " + id + "\n" + (name == null ? "" : "name: " + name + "\n")
        + "logsource:\n  product: test\ndetection:\n  selection:\n    Rule: " + value
        + "\n  condition: selection\nlevel: low\n";
  }

  /** An event at {@code seconds} after T0 with the given name/value pairs. */
  static Event at(double seconds, long record, String... kv) {
    Event e = Rules.event(kv);
    e.timestamp(T0 + (long) (seconds * 1e6));
    e.source("test.jsonl");
    e.record(record);
    return e;
  }

  /** The hits of the events, in the given order. */
  static List<CorrelationHit> hits(RuleSet set, List<Event> events) {
    List<CorrelationHit> out = new ArrayList<>();
    Evaluator ev = set.evaluator();
    for (Event e : events) {
      ev.evaluate(e, (r, x) -> {
        CorrelationHit h = set.correlations().hit(r, x);
        if (h != null) {
          out.add(h);
        }
      });
    }
    return out;
  }

  /** Every correlation alert (hidden ones too) for hits fed in the given order. */
  static List<Alert> detect(RuleSet set, List<CorrelationHit> hits, CorrelationDetector.Options o) {
    List<Alert> out = new ArrayList<>();
    CorrelationDetector d = set.correlations().detector(o).onAlert(out::add);
    hits.forEach(d::accept);
    d.flush();
    return out;
  }

  static List<Alert> run(RuleSet set, List<Event> events) {
    assertNoProblems(set);
    return detect(set, hits(set, events), CorrelationDetector.Options.defaults());
  }

  static void assertNoProblems(RuleSet set) {
    if (!set.report().errors().isEmpty() || !set.report().unsupported().isEmpty()) {
      throw new AssertionError("rule problems: " + set.report().errors() + " " + set.report().unsupported());
    }
  }

  /** The spec example file, or null when the shared folder is absent. */
  static String example(String relative) {
    Path p = org.lovcen.core.SharedData.resolve("sigma/spec/tests/schema/" + relative);
    try {
      return p == null ? null : Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
