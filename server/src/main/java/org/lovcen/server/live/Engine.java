package org.lovcen.server.live;

import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.RuleSet;

/**
 * One immutable snapshot of what detection runs: the rule set, the live indicators, and each
 * institution's disabled rules and filters (compiled). Swapped as a whole on reload; a batch in
 * flight finishes on the snapshot it started with.
 *
 * @param institutions each institution's rule switches and filters, compiled against {@code rules}
 */
public record Engine(RuleSet rules, IndicatorSet indicators, InstitutionRules institutions, long version) {

  public boolean disabled(String institution, String ruleId) {
    return institutions.disabled(institution, ruleId);
  }

  public Engine withSettings(InstitutionRules next) {
    return new Engine(rules, indicators, next, version + 1);
  }

  public Engine withRules(RuleSet next) {
    return new Engine(next, indicators, institutions, version + 1);
  }

  public Engine withIndicators(IndicatorSet next) {
    return new Engine(rules, next, institutions, version + 1);
  }

  public static Engine of(RuleSet rules, IndicatorSet indicators) {
    return new Engine(rules, indicators, InstitutionRules.NONE, 1);
  }

}
