package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.core.Level;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.SigmaRule;

/**
 * Lovcen's own rules on the generated intrusion (rules/lovcen/EXPECTED.md): every attack event
 * is matched by exactly the rules its ground-truth line names (4688 twins of process events may
 * also match the process_creation rules, as EXPECTED.md allows), and no alerting rule (low or
 * above) matches any ordinary event.
 */
class DemoRulesTest {
  @TempDir
  static Path out;

  private static final Map<String, Set<String>> EXPECTED = new HashMap<>();
  private static final Map<String, Set<String>> ACTUAL = new HashMap<>();
  private static final Map<String, String> CHANNEL = new HashMap<>();

  @BeforeAll
  static void hunt() throws IOException {
    ScenarioGenerator.generate(out, ScenarioGenerator.Options.defaults().withInstitutions(3).withEvents(60_000));
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(out.resolve("ground-truth.jsonl"))) {
      JsonNode n = json.readTree(line);
      String key = n.get("file").asText() + ":" + n.get("line").asLong();
      Set<String> rules = new TreeSet<>();
      n.get("rules").forEach(r -> rules.add(r.asText()));
      EXPECTED.put(key, rules);
      CHANNEL.put(key, n.get("event_id").asText());
    }
    RuleSet set = RuleSet.load(List.of(Project.ownRules()), RuleSet.Options.defaults());
    assertThat(set.report().errors()).isEmpty();
    var ev = set.evaluator();
    for (Path f : Readers.expand(List.of(out))) {
      if (f.getFileName().toString().equals("ground-truth.jsonl")) {
        continue;
      }
      String rel = out.relativize(f).toString();
      EventSource src = Readers.open(f, rel, ReadOptions.DEFAULT);
      for (EventSource.Split s : src.splits()) {
        s.read(new Event(), e -> ev.evaluate(e, (r, x) -> ACTUAL.computeIfAbsent(x.source() + ":" + x.record(),
            k -> new TreeSet<>()).add(ruleName(r))), p -> {
              throw new AssertionError(p.toString());
            });
      }
    }
  }

  private static String ruleName(SigmaRule r) {
    String file = Path.of(r.path()).getFileName().toString();
    return file.substring(0, file.length() - 4) + (r.level().compareTo(Level.LOW) >= 0 ? "" : "~info");
  }

  @Test
  void everyAttackEvent_isMatchedByExactlyItsRules() {
    Map<String, String> wrong = new TreeMap<>();
    EXPECTED.forEach((key, rules) -> {
      Set<String> got = new TreeSet<>();
      ACTUAL.getOrDefault(key, Set.of()).forEach(r -> got.add(r.replace("~info", "")));
      boolean processTwin = CHANNEL.get(key).equals("4688") && rules.isEmpty();
      if (!got.equals(rules) && !processTwin) {
        wrong.put(key, "expected " + rules + " got " + got);
      }
    });
    assertThat(wrong).as("ground-truth events matched differently").isEmpty();
    assertThat(EXPECTED).hasSizeGreaterThan(100);
  }

  @Test
  void noAlertingRule_firesOnOrdinaryActivity() {
    List<String> falsePositives = new ArrayList<>();
    ACTUAL.forEach((key, rules) -> {
      if (!EXPECTED.containsKey(key)) {
        rules.stream().filter(r -> !r.endsWith("~info")).forEach(r -> falsePositives.add(key + " " + r));
      }
    });
    assertThat(falsePositives).isEmpty();
  }
}
