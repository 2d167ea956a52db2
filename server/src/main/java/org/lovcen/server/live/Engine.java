package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.List;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.RuleUploads;
import org.lovcen.sigma.SigmaRule;

/**
 * One immutable snapshot of what detection runs: the rule set, the rules uploaded through the API,
 * the live indicators, and which rules run for which institution (switches, filters, the owners of
 * uploads). Swapped as a whole on reload; a batch in flight finishes on the snapshot it started
 * with.
 *
 * @param institutions each institution's rule switches and filters, compiled against {@link #allRules()},
 *     and the owners of {@code uploads} (the server compiles both together: {@link #withUploads} then
 *     {@link #withSettings})
 * @param uploads the uploaded rules, compiled apart from {@code rules}
 */
public record Engine(RuleSet rules, IndicatorSet indicators, InstitutionRules institutions, RuleUploads uploads,
    long version) {

  /** Whether the rule does not run for the institution: switched off there, or uploaded for another. */
  public boolean disabled(String institution, String ruleId) {
    return !institutions.runsFor(institution, ruleId);
  }

  public Engine withSettings(InstitutionRules next) {
    return new Engine(rules, indicators, next, uploads, version + 1);
  }

  public Engine withRules(RuleSet next) {
    return new Engine(next, indicators, institutions, uploads, version + 1);
  }

  /** The engine with other uploads; compile the institutions' rules against them next ({@link #withSettings}). */
  public Engine withUploads(RuleUploads next) {
    return new Engine(rules, indicators, institutions, next, version + 1);
  }

  public Engine withIndicators(IndicatorSet next) {
    return new Engine(rules, next, institutions, uploads, version + 1);
  }

  /** Every rule the engine runs: the loaded ones, then the uploaded ones. */
  public List<SigmaRule> allRules() {
    if (uploads.rules() == null) {
      return rules.rules();
    }
    List<SigmaRule> all = new ArrayList<>(rules.rules());
    all.addAll(uploads.rules().rules());
    return all;
  }

  /** The rules that can run for the institution: the loaded ones, national uploads and its own. */
  public List<SigmaRule> rulesOf(String institution) {
    return institutions.rulesOf(allRules(), institution);
  }

  public static Engine of(RuleSet rules, IndicatorSet indicators) {
    return new Engine(rules, indicators, InstitutionRules.NONE, RuleUploads.NONE, 1);
  }
}
