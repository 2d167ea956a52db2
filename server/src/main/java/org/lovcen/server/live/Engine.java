package org.lovcen.server.live;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.RuleSet;

/**
 * One immutable snapshot of what detection runs: the rule set, the live indicators, and each
 * institution's disabled rules and filters (compiled). Swapped as a whole on reload; a batch in
 * flight finishes on the snapshot it started with.
 *
 * @param filters per institution, the rules its filters apply to, compiled with those filters
 */
public record Engine(RuleSet rules, IndicatorSet indicators, Map<String, Set<String>> disabled,
    Map<String, RuleSet> filters, long version) {

  public Engine {
    disabled = Map.copyOf(disabled);
    filters = Map.copyOf(filters);
  }

  public boolean disabled(String institution, String ruleId) {
    Set<String> d = disabled.get(institution);
    return d != null && d.contains(ruleId);
  }

  public Engine withSettings(Map<String, Set<String>> disabled, Map<String, RuleSet> filters) {
    return new Engine(rules, indicators, disabled, filters, version + 1);
  }

  public Engine withRules(RuleSet next) {
    return new Engine(next, indicators, disabled, filters, version + 1);
  }

  public Engine withIndicators(IndicatorSet next) {
    return new Engine(rules, next, disabled, filters, version + 1);
  }

  public static Engine of(RuleSet rules, IndicatorSet indicators) {
    return new Engine(rules, indicators, new HashMap<>(), new HashMap<>(), 1);
  }

}
