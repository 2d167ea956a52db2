package org.lovcen.sigma;

import java.util.List;
import java.util.Map;
import org.lovcen.core.Level;

/**
 * A parsed Sigma detection rule: metadata plus its detection. Immutable.
 *
 * @param id the rule id (the file path when the rule has none)
 * @param name the rule's {@code name} (used by correlations), or null
 * @param title title
 * @param status stable, test, experimental, deprecated, unsupported, or null
 * @param level severity (medium when absent)
 * @param author author as written (kept in every match, as the Detection Rule License requires)
 * @param tags tags as written, e.g. {@code attack.t1003.001}
 * @param description description, or empty
 * @param logsource what logs the rule is for
 * @param detection search identifiers and conditions
 * @param fields the rule's {@code fields}: key fields to show
 * @param falsepositives known false positives
 * @param path the file the rule was read from
 */
public record SigmaRule(
    String id,
    String name,
    String title,
    String status,
    Level level,
    String author,
    List<String> tags,
    String description,
    LogSource logsource,
    Detection detection,
    List<String> fields,
    List<String> falsepositives,
    String path) {

  /** Search identifiers in rule order, and the condition(s) over them (several are OR-ed). */
  public record Detection(Map<String, SearchIdentifier> identifiers, List<Condition> conditions) {}

  /** One search identifier: OR over groups, each group an AND of detection items. */
  public record SearchIdentifier(String name, List<List<DetectionItem>> groups) {}

  /**
   * One {@code field|modifiers: values} entry (field null for keywords).
   *
   * @param field field name, or null for a keyword search
   * @param modifiers the modifiers as written
   * @param values the values after the modifiers
   * @param all values AND-ed ({@code all}) instead of OR-ed
   * @param negated {@code neq}: the item is negated
   */
  public record DetectionItem(String field, List<String> modifiers, List<SigmaValue> values, boolean all,
      boolean negated) {}
}
