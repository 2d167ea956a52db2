package org.lovcen.sigma;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.SharedData;

/**
 * Fuzz target for the Sigma YAML parser and the compiler. A plain test run replays the seeds in
 * {@code RuleFuzzTestInputs/fuzzRule}, Lovcen's own rules and a sample of the shared SigmaHQ corpus
 * (read from {@code ../shared}, when present); the {@code fuzz} profile mutates from all of them
 * (docs/FUZZING.md). Only {@link SigmaException} may escape.
 */
class RuleFuzzTest {
  @MethodSource("realRules")
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

  /** Lovcen's rules and every 100th rule of the shared SigmaHQ corpus: real YAML to mutate from. */
  static Stream<Arguments> realRules() throws IOException {
    List<Arguments> out = new ArrayList<>();
    Path own = Path.of(System.getProperty("lovcen.root", ".."), "rules", "lovcen");
    out.addAll(rules(own, 1));
    Path corpus = SharedData.resolve("sigma/rules");
    if (corpus != null) {
      out.addAll(rules(corpus, 100));
    }
    return out.stream();
  }

  private static List<Arguments> rules(Path dir, int every) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files = s.filter(f -> f.toString().endsWith(".yml")).sorted().toList();
      List<Arguments> out = new ArrayList<>();
      for (int i = 0; i < files.size(); i += every) {
        out.add(Arguments.of(Named.of(dir.relativize(files.get(i)).toString(), Files.readAllBytes(files.get(i)))));
      }
      return out;
    }
  }
}
