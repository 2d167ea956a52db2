package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;

/**
 * Acceptance: every SigmaHQ regression case passes as the upstream runner decides (at least
 * {@code match_count} matches of the named rule, at least one when absent), with the whole
 * corpus loaded. Cases where more events match than {@code match_count} must be the ones listed,
 * with their explanation, in {@code regression-extra-matches.txt}.
 */
class RegressionTest {
  record Case(String ruleId, Path json, int need) {}

  static List<Case> cases(Path root, String ext) throws IOException {
    List<Case> out = new ArrayList<>();
    Pattern id = Pattern.compile("-\\s*id:\\s*([0-9a-f-]{36})");
    Pattern count = Pattern.compile("match_count:\\s*(\\d+)");
    try (Stream<Path> s = Files.walk(root)) {
      for (Path info : s.filter(p -> p.getFileName().toString().equals("info.yml")).sorted().toList()) {
        String text = Files.readString(info);
        if (!text.contains("regression_tests_info") || text.matches("(?s).*(?m)^#\\s*regression_tests_info.*")) {
          continue;
        }
        Matcher m = id.matcher(text);
        String rule = null;
        while (m.find()) {
          rule = m.group(1);
        }
        Matcher c = count.matcher(text);
        Path file = info.resolveSibling(rule + "." + ext);
        if (rule != null && Files.exists(file)) {
          out.add(new Case(rule, file, c.find() ? Integer.parseInt(c.group(1)) : 1));
        }
      }
    }
    return out;
  }

  @Test
  void everyRegressionCase_passesOnJson() throws IOException {
    RuleSet set = Corpus.rules();
    List<Case> cases = cases(Corpus.regressionDir(), "json");
    assertThat(cases).hasSizeGreaterThanOrEqualTo(160);
    List<String> failures = new ArrayList<>();
    TreeMap<String, String> extra = new TreeMap<>();
    for (Case c : cases) {
      List<Long> records = matches(set, c);
      if (records.size() < c.need()) {
        failures.add(c.ruleId() + " " + c.json().getFileName() + ": " + records.size() + " < " + c.need());
      } else if (records.size() > c.need()) {
        extra.put(c.ruleId(), records.size() + " > " + c.need());
      }
    }
    assertThat(failures).as("failing cases").isEmpty();
    System.out.println("regression: " + cases.size() + " cases pass; more matches than match_count in " + extra);
    TreeMap<String, String> expected = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/regression-extra-matches.txt"))) {
      if (!line.isBlank() && !line.startsWith("#")) {
        String[] p = line.split("\\s+", 2);
        expected.put(p[0], p[1]);
      }
    }
    assertThat(extra.keySet()).as("cases with extra matches, each explained in regression-extra-matches.txt")
        .isEqualTo(expected.keySet());
  }

  /**
   * Acceptance of the EVTX reader: every case passes on the {@code .evtx} file too, and every rule
   * of the corpus matches the same events (by position in the file) as on the {@code .json} twin.
   */
  @Test
  void everyRegressionCase_passesOnEvtx_withTheSameDetectionsAsJson() throws IOException {
    RuleSet set = Corpus.rules();
    List<Case> cases = cases(Corpus.regressionDir(), "evtx");
    assertThat(cases).hasSizeGreaterThanOrEqualTo(160);
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      List<List<String>> evtx = perEvent(set, c.json());
      Path json = c.json().resolveSibling(c.ruleId() + ".json");
      List<List<String>> twin = perEvent(set, json);
      long hits = evtx.stream().filter(ids -> ids.contains(c.ruleId())).count();
      if (hits < c.need()) {
        failures.add(c.ruleId() + ": " + hits + " < " + c.need());
      }
      if (!evtx.equals(twin)) {
        failures.add(c.ruleId() + ": detections differ from the .json twin: " + evtx + " vs " + twin);
      }
    }
    assertThat(failures).isEmpty();
  }

  /** For each event of the file, in order, the ids of the rules that match it. */
  static List<List<String>> perEvent(RuleSet set, Path file) {
    EventSource src = Readers.open(file, file.toString(), ReadOptions.DEFAULT);
    Evaluator ev = set.evaluator();
    List<List<String>> out = new ArrayList<>();
    for (EventSource.Split split : src.splits()) {
      split.read(new Event(), e -> {
        List<String> ids = new ArrayList<>();
        ev.evaluate(e, (rule, x) -> ids.add(rule.id()));
        out.add(ids);
      }, p -> {});
    }
    return out;
  }

  /** Record numbers (lines) of the events of the case file that the case's rule matches. */
  static List<Long> matches(RuleSet set, Case c) {
    EventSource src = Readers.open(c.json(), c.json().toString(), ReadOptions.DEFAULT);
    Evaluator ev = set.evaluator();
    List<Long> records = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (EventSource.Split split : src.splits()) {
      split.read(new Event(), e -> ev.evaluate(e, (rule, ev2) -> {
        if (rule.id().equals(c.ruleId())) {
          records.add(ev2.record());
        }
      }), p -> problems.add(p.toString()));
    }
    assertThat(problems).as("read problems in " + c.json()).isEmpty();
    return records;
  }
}
