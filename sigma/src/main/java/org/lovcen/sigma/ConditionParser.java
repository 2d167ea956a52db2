package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses a Sigma condition with the specification's precedence (least to most binding): or,
 * and, not, {@code x of}, parentheses. Keywords are case-insensitive. Stateless; thread-safe.
 */
final class ConditionParser {
  private final String text;
  private final List<String> tokens = new ArrayList<>();
  private final List<Integer> columns = new ArrayList<>();
  private int pos;
  private int depth;

  /** Deepest nesting of parentheses and 'not' accepted: deeper input is an error, not a stack overflow. */
  static final int MAX_DEPTH = 200;

  private ConditionParser(String text) {
    this.text = text;
  }

  /**
   * Parses one condition string.
   *
   * @throws SigmaException naming the column and what was expected
   */
  static Condition parse(String text) {
    ConditionParser p = new ConditionParser(text);
    p.tokenize();
    if (p.tokens.isEmpty()) {
      throw new SigmaException("empty condition");
    }
    Condition c = p.or();
    if (p.pos < p.tokens.size()) {
      throw p.error("unexpected '" + p.tokens.get(p.pos) + "'");
    }
    return c;
  }

  private void tokenize() {
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '(' || c == ')') {
        tokens.add(String.valueOf(c));
        columns.add(i + 1);
        i++;
      } else if (c == '|') {
        throw new UnsupportedRuleException("condition column " + (i + 1) + ": Sigma v1 aggregation ('| count()') "
            + "is not part of Sigma v2; express it as a correlation rule");
      } else {
        int start = i;
        while (i < n && !Character.isWhitespace(text.charAt(i)) && text.charAt(i) != '(' && text.charAt(i) != ')') {
          i++;
        }
        tokens.add(text.substring(start, i));
        columns.add(start + 1);
      }
    }
  }

  private SigmaException error(String what) {
    int col = pos < columns.size() ? columns.get(pos) : text.length() + 1;
    return new SigmaException("condition '" + text + "' column " + col + ": " + what);
  }

  private String peek() {
    return pos < tokens.size() ? tokens.get(pos) : null;
  }

  private boolean accept(String keyword) {
    String t = peek();
    if (t != null && t.toLowerCase(Locale.ROOT).equals(keyword)) {
      pos++;
      return true;
    }
    return false;
  }

  private Condition or() {
    List<Condition> ops = new ArrayList<>();
    ops.add(and());
    while (accept("or")) {
      ops.add(and());
    }
    return ops.size() == 1 ? ops.get(0) : new Condition.Or(List.copyOf(ops));
  }

  private Condition and() {
    List<Condition> ops = new ArrayList<>();
    ops.add(not());
    while (accept("and")) {
      ops.add(not());
    }
    return ops.size() == 1 ? ops.get(0) : new Condition.And(List.copyOf(ops));
  }

  private Condition not() {
    if (accept("not")) {
      enter();
      Condition c = new Condition.Not(not());
      depth--;
      return c;
    }
    return primary();
  }

  private Condition primary() {
    String t = peek();
    if (t == null) {
      throw error("expression expected at end");
    }
    if (t.equals("(")) {
      pos++;
      enter();
      Condition c = or();
      if (!accept(")")) {
        throw error("')' expected");
      }
      depth--;
      return c;
    }
    String lower = t.toLowerCase(Locale.ROOT);
    if (pos + 1 < tokens.size() && tokens.get(pos + 1).toLowerCase(Locale.ROOT).equals("of")) {
      int count = quantifier(lower);
      pos += 2;
      String target = peek();
      if (target == null || target.equals("(") || target.equals(")") || isKeyword(target)) {
        throw error("search identifier pattern or 'them' expected after 'of'");
      }
      pos++;
      return new Condition.Of(count, target.toLowerCase(Locale.ROOT).equals("them") ? "them" : target);
    }
    if (t.equals(")") || isKeyword(t)) {
      throw error("search identifier expected, found '" + t + "'");
    }
    pos++;
    return new Condition.Ref(t);
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private int quantifier(String t) {
    if (t.equals("all")) {
      return -1;
    }
    if (t.equals("any")) {
      return 1;
    }
    try {
      int n = Integer.parseInt(t);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw error("'1', 'any', 'all' or a positive number expected before 'of', found '" + t + "'");
  }

  private static boolean isKeyword(String t) {
    String l = t.toLowerCase(Locale.ROOT);
    return l.equals("and") || l.equals("or") || l.equals("not") || l.equals("of");
  }
}
