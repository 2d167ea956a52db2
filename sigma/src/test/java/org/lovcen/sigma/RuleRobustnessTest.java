package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Rules from partners are untrusted: seeded random damage to real SigmaHQ rules must give a
 * rule, an error or an unsupported verdict, never another exception, and compile quickly.
 */
class RuleRobustnessTest {
  @Test
  void mutatedRules_failCleanly() throws Exception {
    List<Path> files = RuleSet.ruleFiles(List.of(Corpus.rulesDir()));
    Random rnd = new Random(7);
    String noise = "*?\\|:-{}[]'\"\n %&#!0x";
    for (int round = 0; round < 1500; round++) {
      StringBuilder b = new StringBuilder(Files.readString(files.get(rnd.nextInt(files.size()))));
      for (int k = 1 + rnd.nextInt(6); k > 0 && !b.isEmpty(); k--) {
        int at = rnd.nextInt(b.length());
        switch (rnd.nextInt(3)) {
          case 0 -> b.setCharAt(at, noise.charAt(rnd.nextInt(noise.length())));
          case 1 -> b.insert(at, "|" + List.of("contains", "re", "base64offset", "all", "cidr", "windash", "exists",
              "gt", "fieldref", "expand", "bogus").get(rnd.nextInt(11)));
          default -> b.delete(at, Math.min(b.length(), at + rnd.nextInt(10)));
        }
      }
      try {
        List<SigmaRule> rules = RuleSet.parse("m" + round + ".yml", b.toString(), Map.of());
        RuleSet set = RuleSet.of(rules, RuleSet.Options.defaults());
        set.evaluator().evaluate(Rules.event("CommandLine", "cmd /c x", "Image", "C:\\x.exe"), (r, e) -> {});
      } catch (SigmaException expected) {
        assertThat(expected.getMessage()).startsWith("m" + round + ".yml");
      }
    }
  }

  @Test
  void deeplyNestedConditions_areErrorsNotStackOverflows() {
    for (String condition : List.of("not ".repeat(100_000) + "sel", "(".repeat(100_000) + "sel"
        + ")".repeat(100_000))) {
      try {
        RuleSet set = RuleSet.of(RuleSet.parse("deep.yml", Rules.rule("sel:\n  F: x\ncondition: " + condition),
            Map.of()), RuleSet.Options.defaults());
        set.evaluator().evaluate(Rules.event("F", "x"), (r, e) -> {});
      } catch (SigmaException expected) {
        assertThat(expected.getMessage()).startsWith("deep.yml");
      }
    }
  }

  @Test
  void manyDistinctChannelsAndEventIds_keepTheEvaluatorBounded() {
    RuleSet set = Rules.compile(Rules.rule("sel:\n  F: x\ncondition: sel"), Map.of());
    Evaluator ev = set.evaluator();
    int[] hits = {0};
    for (int i = 0; i < 50_000; i++) {
      org.lovcen.core.Event e = Rules.event("F", "x");
      if (i % 2 == 0) {
        e.channel("Channel-" + i);
      }
      e.eventId(i);
      ev.evaluate(e, (r, m) -> hits[0]++);
    }
    assertThat(ev.cachedBuckets()).isLessThanOrEqualTo(Evaluator.MAX_BUCKETS);
    assertThat(hits[0]).isEqualTo(25_000); // the rule (no Windows logsource) runs on events without a channel
  }
}
