package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Acceptance: every SigmaHQ rule loads, at least 99.5% compile, the rest say why. */
class CorpusLoadTest {
  @Test
  void corpus_loadsWithoutErrorsAndCompiles() {
    RuleSet set = Corpus.everything();
    RuleSet.Report r = set.report();
    int files = RuleSet.ruleFiles(List.of(Corpus.rulesDir())).size();
    System.out.printf("corpus: %d files, %d loaded, %d compiled, %d unsupported, %d waiting, %d errors%n", files,
        r.loaded(), r.compiled(), r.unsupported().size(), r.waiting().size(), r.errors().size());
    r.unsupported().forEach(u -> System.out.println("  unsupported " + u.path() + ": " + u.reason()));
    r.errors().forEach(u -> System.out.println("  error " + u.path() + ": " + u.reason()));
    assertThat(r.files()).isEqualTo(files);
    assertThat(r.errors()).as("rule errors").isEmpty();
    // Every document is either a loaded rule or listed as unsupported with its reason.
    assertThat(r.loaded() + r.unsupported().stream().filter(u -> !r.waiting().contains(u)).count()
        - r.unsupported().stream().filter(u -> set.rules().stream().anyMatch(x -> x.id().equals(u.id()))).count())
        .isGreaterThanOrEqualTo(files);
    assertThat((double) r.compiled() / files).as("share compiled").isGreaterThanOrEqualTo(0.995);
    assertThat(r.unsupported()).allSatisfy(u -> {
      assertThat(u.path()).isNotBlank();
      assertThat(u.reason()).as("specific reason").hasSizeGreaterThan(25);
    });
    assertThat(r.waiting()).allSatisfy(w -> assertThat(w.reason()).contains("%"));
  }

  @Test
  void corpus_prefilterCoversMostRules() {
    RuleSet set = Corpus.rules();
    long filtered = set.compiled.stream().filter(c -> c.prefilter != null).count();
    assertThat((double) filtered / set.compiled.size()).isGreaterThan(0.9);
  }
}
