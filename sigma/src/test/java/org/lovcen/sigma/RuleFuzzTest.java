package org.lovcen.sigma;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target for the rule parser and compiler. A plain test run replays the seeds in
 * {@code RuleFuzzTestInputs/fuzzRule}; {@code JAZZER_FUZZ=1} mutates from them. Only
 * {@link SigmaException} may escape.
 */
class RuleFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void fuzzRule(byte[] input) {
    try {
      List<SigmaRule> rules = RuleSet.parse("fuzz.yml", new String(input, StandardCharsets.UTF_8),
          Map.of("x", List.of("a*")));
      RuleSet set = RuleSet.of(rules, RuleSet.Options.defaults());
      set.evaluator().evaluate(Rules.event("CommandLine", "a b c", "EventID", "1"), (r, e) -> {});
    } catch (SigmaException expected) {
      // a well-typed refusal
    }
  }
}
