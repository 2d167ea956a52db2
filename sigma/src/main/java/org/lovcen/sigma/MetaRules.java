package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.lovcen.core.Level;
import org.lovcen.sigma.Yaml.YMap;

/**
 * The correlations and filters of a rule corpus while it is loaded: parsed per file, then
 * applied while rules compile (filters) and resolved once the running rules are known
 * (correlations). Used by one loading thread; not thread-safe.
 */
final class MetaRules {
  private final List<Correlation> correlations = new ArrayList<>();
  private final List<SigmaFilter> filters = new ArrayList<>();
  private Set<String> referenced;

  /** Parses the meta documents of one file; problems go to the report lists. */
  void parse(String path, List<YMap> docs, List<RuleSet.Issue> unsupported, List<RuleSet.Issue> errors) {
    for (YMap m : docs) {
      MetaRuleParser.Parsed p = MetaRuleParser.parse(path, m);
      String id = RuleParser.text(m.get("id"));
      p.errors().forEach(e -> errors.add(new RuleSet.Issue(id, path, e)));
      if (p.unsupported() != null) {
        unsupported.add(new RuleSet.Issue(id, path, p.unsupported()));
      }
      if (p.correlation() != null) {
        correlations.add(p.correlation());
      }
      if (p.filter() != null) {
        filters.add(p.filter());
      }
    }
    referenced = null;
  }

  /** The rule's matcher tree AND-ed with the condition of every filter that applies to it. */
  /** Whether any filter applies to {@code rule}. */
  boolean filters(SigmaRule rule) {
    for (SigmaFilter f : filters) {
      if (f.appliesTo(rule)) {
        return true;
      }
    }
    return false;
  }

  /** Whether no correlation or filter was parsed. */
  boolean none() {
    return filters.isEmpty() && correlations.isEmpty();
  }

  Node filtered(SigmaRule rule, LogsourceMapping.Variant variant, Node root, Compiler compiler) {
    Node out = root;
    for (SigmaFilter f : filters) {
      if (f.appliesTo(rule)) {
        SigmaRule asRule = new SigmaRule(f.id(), null, f.title(), null, Level.INFORMATIONAL, "", List.of(), "",
            rule.logsource(), f.detection(), List.of(), List.of(), f.path());
        out = new Node.And(new Node[] {out, compiler.compile(asRule, variant)});
      }
    }
    return out;
  }

  /** Whether a correlation references the rule (it then runs whatever its level). */
  boolean referenced(SigmaRule rule) {
    if (referenced == null) {
      referenced = Correlations.referenced(correlations);
    }
    return referenced.contains(rule.id()) || (rule.name() != null && referenced.contains(rule.name()));
  }

  Correlations resolve(List<SigmaRule> active, Level minLevel, List<RuleSet.Issue> errors) {
    if (correlations.isEmpty()) {
      return filters.isEmpty() ? Correlations.none() : Correlations.resolve(List.of(), active, filters.size(),
          minLevel, errors);
    }
    return Correlations.resolve(correlations, active, filters.size(), minLevel, errors);
  }
}
