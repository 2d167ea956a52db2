package org.lovcen.sigma;

import java.util.List;
import java.util.Map;
import org.lovcen.core.Level;

/**
 * A parsed Sigma correlation rule (Sigma correlation specification 2.1). Immutable.
 *
 * @param id the rule id (file and line when the rule has none)
 * @param name the rule's {@code name} (for references from other correlations), or null
 * @param title title
 * @param status status as written, or null
 * @param level severity of the correlation alert (medium when absent)
 * @param author author as written
 * @param tags tags as written
 * @param type the correlation type
 * @param rules referenced rules, by id or name, in the order written
 * @param groupBy group-by fields (aliases allowed), possibly empty
 * @param timespanText the timespan as written, e.g. {@code 30m}
 * @param timespan the timespan in microseconds
 * @param condition the condition (for temporal types without one: at least every rule)
 * @param aliases alias name -> (rule name -> field name)
 * @param generate whether the referenced rules are also output on their own
 * @param path the file the rule was read from
 */
public record Correlation(
    String id,
    String name,
    String title,
    String status,
    Level level,
    String author,
    List<String> tags,
    Type type,
    List<String> rules,
    List<String> groupBy,
    String timespanText,
    long timespan,
    Bounds condition,
    Map<String, Map<String, String>> aliases,
    boolean generate,
    String path) {

  /** The correlation types of the specification. */
  public enum Type {
    EVENT_COUNT,
    VALUE_COUNT,
    TEMPORAL,
    TEMPORAL_ORDERED,
    VALUE_SUM,
    VALUE_AVG,
    VALUE_PERCENTILE,
    VALUE_MEDIAN;

    /** The name as written in rules, e.g. {@code event_count}. */
    public String spec() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the condition needs a {@code field}. */
    public boolean needsField() {
      return this != EVENT_COUNT && this != TEMPORAL && this != TEMPORAL_ORDERED;
    }
  }

  /** A comparison operator of a condition. */
  public enum Op {
    GT,
    GTE,
    LT,
    LTE,
    EQ,
    NEQ;

    boolean test(double value, double limit) {
      return switch (this) {
        case GT -> value > limit;
        case GTE -> value >= limit;
        case LT -> value < limit;
        case LTE -> value <= limit;
        case EQ -> value == limit;
        case NEQ -> value != limit;
      };
    }
  }

  /** One {@code op: limit} criterion. */
  public record Bound(Op op, double limit) {}

  /**
   * The condition: every bound must hold (several bounds express a range).
   *
   * @param bounds one or more criteria, AND-ed
   * @param field the field of value_* types, else null
   * @param percentile the percentile of value_percentile (95 when absent), else 0
   */
  public record Bounds(List<Bound> bounds, String field, int percentile) {
    /** Whether the value satisfies every bound. */
    public boolean test(double value) {
      for (Bound b : bounds) {
        if (!b.op().test(value, b.limit())) {
          return false;
        }
      }
      return true;
    }
  }
}
