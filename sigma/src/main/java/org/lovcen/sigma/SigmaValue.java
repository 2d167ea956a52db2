package org.lovcen.sigma;

/**
 * A detection value after its modifiers are applied: the intermediate form between rule syntax
 * and matcher. Immutable.
 *
 * <p>String patterns keep Sigma wildcards as two private-use characters ({@link #STAR},
 * {@link #QUESTION}) so that escaped {@code \*} and {@code \?} stay plain characters.
 */
sealed interface SigmaValue {
  /** Stands for an unescaped {@code *} in a string pattern. */
  char STAR = '\uE000';
  /** Stands for an unescaped {@code ?} in a string pattern. */
  char QUESTION = '\uE001';

  /** A string pattern (with wildcards) matched case-insensitively unless {@code cased}. */
  record Str(String pattern, boolean cased, boolean bytes) implements SigmaValue {
    Str(String pattern) {
      this(pattern, false, false);
    }

    boolean hasWildcards() {
      return pattern.indexOf(STAR) >= 0 || pattern.indexOf(QUESTION) >= 0;
    }

    /** The pattern with wildcards shown as {@code *} and {@code ?}, for messages. */
    String display() {
      return pattern.replace(STAR, '*').replace(QUESTION, '?');
    }
  }

  /** A number as written in the rule (decimal or {@code 0x} hex) and its value. */
  record Num(String text, double value) implements SigmaValue {}

  /** {@code true} / {@code false}. */
  record Bool(boolean value) implements SigmaValue {}

  /** YAML null: the field is absent or null. */
  record Null() implements SigmaValue {}

  /** {@code exists} modifier. */
  record Exists(boolean exists) implements SigmaValue {}

  /** {@code re} with its flags ({@code i}, {@code m}, {@code s}). */
  record Re(String regex, boolean ignoreCase, boolean multiline, boolean dotAll) implements SigmaValue {}

  /** {@code cidr}: an IPv4 or IPv6 network. */
  record Cidr(String network) implements SigmaValue {}

  /** {@code lt}, {@code lte}, {@code gt}, {@code gte}. */
  record Compare(Op op, double value) implements SigmaValue {}

  /** {@code fieldref}: the value of another field, optionally as prefix/suffix/substring. */
  record FieldRef(String field, boolean startsWith, boolean endsWith) implements SigmaValue {}

  /** A time-part modifier ({@code hour}, ...) applied before an equality or comparison. */
  record TimePart(Part part, SigmaValue inner) implements SigmaValue {}

  /** Comparison operators. */
  enum Op {
    LT,
    LTE,
    GT,
    GTE
  }

  /** Parts of a timestamp. */
  enum Part {
    MINUTE,
    HOUR,
    DAY,
    WEEK,
    MONTH,
    YEAR
  }
}
