package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.SigmaRule;

/**
 * One immutable snapshot of what detection runs: the rule set, the rules uploaded through the API,
 * the live indicators, and each institution's disabled rules and filters (compiled). Swapped as a
 * whole on reload; a batch in flight finishes on the snapshot it started with.
 *
 * @param institutions each institution's rule switches and filters, compiled against {@link #allRules()}
 * @param uploads the uploaded rules, compiled apart from {@code rules} (null when there are none)
 * @param owners uploaded rule id to the one institution it runs for (national uploads are absent)
 */
public record Engine(RuleSet rules, IndicatorSet indicators, InstitutionRules institutions, RuleSet uploads,
    Map<String, String> owners, long version) {

  public Engine {
    owners = Map.copyOf(owners);
  }

  /** Whether the rule does not run for the institution: switched off there, or uploaded for another. */
  public boolean disabled(String institution, String ruleId) {
    return institutions.disabled(institution, ruleId) || uploadedForAnother(institution, ruleId);
  }

  /** Whether the rule was uploaded for one institution other than {@code institution}. */
  public boolean uploadedForAnother(String institution, String ruleId) {
    String owner = owners.isEmpty() ? null : owners.get(ruleId);
    return owner != null && !owner.equals(institution);
  }

  public Engine withSettings(InstitutionRules next) {
    return new Engine(rules, indicators, next, uploads, owners, version + 1);
  }

  public Engine withRules(RuleSet next) {
    return new Engine(next, indicators, institutions, uploads, owners, version + 1);
  }

  public Engine withUploads(RuleSet next, Map<String, String> nextOwners) {
    return new Engine(rules, indicators, institutions, next, nextOwners, version + 1);
  }

  public Engine withIndicators(IndicatorSet next) {
    return new Engine(rules, next, institutions, uploads, owners, version + 1);
  }

  /** Every rule the engine runs: the loaded ones, then the uploaded ones. */
  public List<SigmaRule> allRules() {
    if (uploads == null) {
      return rules.rules();
    }
    List<SigmaRule> all = new ArrayList<>(rules.rules());
    all.addAll(uploads.rules());
    return all;
  }

  /** The rules that can run for the institution: the loaded ones, national uploads and its own. */
  public List<SigmaRule> rulesOf(String institution) {
    return allRules().stream().filter(r -> !uploadedForAnother(institution, r.id())).toList();
  }

  public static Engine of(RuleSet rules, IndicatorSet indicators) {
    return new Engine(rules, indicators, InstitutionRules.NONE, null, Map.of(), 1);
  }
}
