package org.lovcen.server.live;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.RuleSet;

/**
 * One immutable snapshot of what detection runs: the rule set, the rules uploaded through the API,
 * the live indicators, and each institution's disabled rules and filters (compiled). Swapped as a
 * whole on reload; a batch in flight finishes on the snapshot it started with.
 *
 * @param filters per institution, the rules its filters apply to, compiled with those filters
 * @param uploads the uploaded rules, compiled apart from {@code rules} (null when there are none)
 * @param owners uploaded rule id to the one institution it runs for (national uploads are absent)
 */
public record Engine(RuleSet rules, IndicatorSet indicators, Map<String, Set<String>> disabled,
    Map<String, RuleSet> filters, RuleSet uploads, Map<String, String> owners, long version) {

  public Engine {
    disabled = Map.copyOf(disabled);
    filters = Map.copyOf(filters);
    owners = Map.copyOf(owners);
  }

  /** Whether the rule does not run for the institution: switched off there, or uploaded for another. */
  public boolean disabled(String institution, String ruleId) {
    Set<String> d = disabled.get(institution);
    if (d != null && d.contains(ruleId)) {
      return true;
    }
    String owner = owners.isEmpty() ? null : owners.get(ruleId);
    return owner != null && !owner.equals(institution);
  }

  public Engine withSettings(Map<String, Set<String>> disabled, Map<String, RuleSet> filters) {
    return new Engine(rules, indicators, disabled, filters, uploads, owners, version + 1);
  }

  public Engine withRules(RuleSet next) {
    return new Engine(next, indicators, disabled, filters, uploads, owners, version + 1);
  }

  public Engine withUploads(RuleSet next, Map<String, String> nextOwners) {
    return new Engine(rules, indicators, disabled, filters, next, nextOwners, version + 1);
  }

  public Engine withIndicators(IndicatorSet next) {
    return new Engine(rules, next, disabled, filters, uploads, owners, version + 1);
  }

  /** Every rule the engine runs: the loaded ones, then the uploaded ones. */
  public java.util.List<org.lovcen.sigma.SigmaRule> allRules() {
    if (uploads == null) {
      return rules.rules();
    }
    java.util.List<org.lovcen.sigma.SigmaRule> all = new java.util.ArrayList<>(rules.rules());
    all.addAll(uploads.rules());
    return all;
  }

  /** The rules that can run for the institution: the loaded ones, national uploads and its own. */
  public java.util.List<org.lovcen.sigma.SigmaRule> rulesOf(String institution) {
    return allRules().stream().filter(r -> {
      String owner = owners.get(r.id());
      return owner == null || owner.equals(institution);
    }).toList();
  }

  public static Engine of(RuleSet rules, IndicatorSet indicators) {
    return new Engine(rules, indicators, new HashMap<>(), new HashMap<>(), null, new HashMap<>(), 1);
  }

}
