package org.lovcen.sigma;

import java.util.List;

/** A parsed {@code condition} expression. Immutable. */
public sealed interface Condition {
  /** All of the operands. */
  record And(List<Condition> operands) implements Condition {}

  /** Any of the operands. */
  record Or(List<Condition> operands) implements Condition {}

  /** The negation of the operand. */
  record Not(Condition operand) implements Condition {}

  /** A search identifier by name. */
  record Ref(String name) implements Condition {}

  /**
   * {@code 1 of x*}, {@code all of them}, {@code N of x*}.
   *
   * @param count how many must match; {@code -1} for all
   * @param pattern an identifier pattern with {@code *} wildcards, or {@code them}
   */
  record Of(int count, String pattern) implements Condition {}
}
