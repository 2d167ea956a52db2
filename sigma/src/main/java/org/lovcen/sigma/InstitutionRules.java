package org.lovcen.sigma;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.lovcen.core.Event;

/*
 * How and why: institutions share one rule set but may turn rules off and add Sigma filters for
 * their own events (a backup server that deletes shadow copies by design), and a rule uploaded
 * for one institution runs for that institution only (RuleUploads). All three are applied to a
 * match, not to the rule set: the shared rules stay compiled once, and an institution's filters
 * are compiled as a small rule set holding only the rules they cover (RuleSet.filtered), which is
 * evaluated on the event only when one of those rules matched. Every runner that keeps
 * institutions (serve, the Kafka workers) decides whether a rule runs for an institution through
 * this one class.
 */
/**
 * Which rules run for which institution: each institution's disabled rules and Sigma filters,
 * compiled against one rule set, and the owners of the rules uploaded for one institution.
 * Immutable and thread-safe; {@link #check()} gives the per-thread part.
 *
 * @param disabled per institution, the ids of the rules it turned off
 * @param filters per institution, the rules its filters apply to, compiled with those filters
 * @param owners uploaded rule id to the one institution it runs for ({@link RuleUploads#owners()})
 */
public record InstitutionRules(Map<String, Set<String>> disabled, Map<String, RuleSet> filters,
    Map<String, String> owners) {
  /** No institution has settings, and no rule is uploaded for one institution. */
  public static final InstitutionRules NONE = new InstitutionRules(Map.of(), Map.of(), Map.of());

  public InstitutionRules {
    Map<String, Set<String>> d = new HashMap<>();
    disabled.forEach((k, v) -> d.put(k, Set.copyOf(v)));
    disabled = Map.copyOf(d);
    filters = Map.copyOf(filters);
    owners = Map.copyOf(owners);
  }

  /**
   * Compiles each institution's filter texts against the rules of {@code rules} that run for it
   * (those uploaded for another institution left out). An institution whose filters do not
   * compile keeps its switches but gets no filters; the problem goes to {@code problems} as
   * {@code institution: message}.
   *
   * @param rules the loaded and the uploaded rules
   * @param owners uploaded rule id to the one institution it runs for
   * @param filterTexts per institution, filter name to YAML text
   */
  public static InstitutionRules compile(List<SigmaRule> rules, Map<String, String> owners,
      Map<String, Set<String>> disabled, Map<String, Map<String, String>> filterTexts, Consumer<String> problems) {
    InstitutionRules unfiltered = new InstitutionRules(disabled, Map.of(), owners);
    Map<String, RuleSet> filters = new HashMap<>();
    filterTexts.forEach((institution, texts) -> {
      if (texts.isEmpty()) {
        return;
      }
      try {
        filters.put(institution, RuleSet.filtered(unfiltered.rulesOf(rules, institution), texts,
            RuleSet.Options.defaults()));
      } catch (SigmaException e) {
        problems.accept(institution + ": " + e.getMessage());
      }
    });
    return new InstitutionRules(disabled, filters, owners);
  }

  /** True when {@code institution} turned the rule {@code ruleId} off. */
  public boolean disabled(String institution, String ruleId) {
    Set<String> d = institution == null ? null : disabled.get(institution);
    return d != null && d.contains(ruleId);
  }

  /** True when the rule was uploaded for one institution other than {@code institution} (null: none). */
  public boolean uploadedForAnother(String institution, String ruleId) {
    String owner = owners.isEmpty() ? null : owners.get(ruleId);
    return owner != null && !owner.equals(institution);
  }

  /**
   * True when the rule runs for {@code institution}: not uploaded for another institution and not
   * turned off by this one (its filters still apply to each match: {@link Check#suppressed}).
   */
  public boolean runsFor(String institution, String ruleId) {
    return !uploadedForAnother(institution, ruleId) && !disabled(institution, ruleId);
  }

  /** The rules among {@code rules} that may run for {@code institution}: all but those uploaded for another. */
  public List<SigmaRule> rulesOf(List<SigmaRule> rules, String institution) {
    if (owners.isEmpty()) {
      return rules;
    }
    return rules.stream().filter(r -> !uploadedForAnother(institution, r.id())).toList();
  }

  /** The per-thread part: evaluators of the filters. */
  public Check check() {
    return new Check(this);
  }

  /** Applies the switches and filters to matches, on one thread. Not thread-safe. */
  public static final class Check {
    private final InstitutionRules settings;
    private final Map<String, Evaluator> evaluators = new HashMap<>();
    private final Map<String, Set<String>> covered = new HashMap<>();
    private String wanted;
    private boolean still;
    private final Evaluator.Matches onMatch = (rule, e) -> still |= rule.id().equals(wanted);

    private Check(InstitutionRules settings) {
      this.settings = settings;
      settings.filters.forEach((institution, set) -> {
        evaluators.put(institution, set.evaluator());
        Set<String> ids = new HashSet<>();
        set.rules().forEach(r -> ids.add(r.id()));
        covered.put(institution, ids);
      });
    }

    /**
     * True when the match of {@code rule} on {@code e} is not the institution's: the rule does not
     * run for the event's institution (turned off there, or uploaded for another), or a filter of
     * that institution removes the event.
     */
    public boolean suppressed(SigmaRule rule, Event e) {
      return !settings.runsFor(e.institution(), rule.id()) || filteredOut(rule, e);
    }

    /** True when the event's institution has a filter on {@code rule} and the filtered rule no longer matches. */
    public boolean filteredOut(SigmaRule rule, Event e) {
      String institution = e.institution();
      Set<String> ids = institution == null ? null : covered.get(institution);
      if (ids == null || !ids.contains(rule.id())) {
        return false;
      }
      wanted = rule.id();
      still = false;
      evaluators.get(institution).evaluate(e, onMatch);
      return !still;
    }
  }
}
