package org.lovcen.sigma;

import java.util.List;

/**
 * A parsed Sigma filter (Sigma filters specification 2.1): a condition AND-ed onto the condition
 * of the rules it names, for the rules whose logsource it covers. Immutable.
 *
 * @param id the filter id, or the file when it has none
 * @param title title
 * @param logsource the logsource the filter applies to (its set parts must equal the rule's)
 * @param rules referenced rules by id or name; empty means every rule of the logsource
 * @param detection the filter's search identifiers and its one condition
 * @param path the file the filter was read from
 */
public record SigmaFilter(String id, String title, LogSource logsource, List<String> rules,
    SigmaRule.Detection detection, String path) {

  /** Whether this filter applies to the rule (logsource and reference). */
  public boolean appliesTo(SigmaRule rule) {
    if (!covers(logsource.product(), rule.logsource().product())
        || !covers(logsource.category(), rule.logsource().category())
        || !covers(logsource.service(), rule.logsource().service())) {
      return false;
    }
    return rules.isEmpty() || rules.contains(rule.id()) || (rule.name() != null && rules.contains(rule.name()));
  }

  private static boolean covers(String mine, String theirs) {
    return mine == null || mine.equals(theirs);
  }
}
