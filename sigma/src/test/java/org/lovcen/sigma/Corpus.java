package org.lovcen.sigma;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.lovcen.core.SharedData;

/** The shared SigmaHQ corpus, loaded once per test JVM. Tests that need it skip without it. */
final class Corpus {
  private static RuleSet rules;
  private static RuleSet everything;

  private Corpus() {}

  static Path rulesDir() {
    Path p = SharedData.resolve("sigma/rules");
    assumeTrue(p != null, "../shared/sigma/rules is not present");
    return p;
  }

  static Path regressionDir() {
    Path p = SharedData.resolve("sigma/regression");
    assumeTrue(p != null, "../shared/sigma/regression is not present");
    return p;
  }

  /** The corpus as hunt loads it by default (deprecated and unsupported statuses skipped). */
  static synchronized RuleSet rules() {
    if (rules == null) {
      rules = RuleSet.load(List.of(rulesDir()), RuleSet.Options.defaults());
    }
    return rules;
  }

  /** Every rule, whatever its status: for load statistics. */
  static synchronized RuleSet everything() {
    if (everything == null) {
      everything = RuleSet.load(List.of(rulesDir()), RuleSet.Options.defaults().withAllStatuses(true));
    }
    return everything;
  }
}
