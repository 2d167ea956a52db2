package org.lovcen.intel;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.lovcen.intel.Pattern.Comparison;
import org.lovcen.intel.Pattern.Exists;
import org.lovcen.intel.Pattern.Expression;
import org.lovcen.intel.Pattern.Junction;
import org.lovcen.intel.Pattern.Literal;
import org.lovcen.intel.Pattern.Observation;
import org.lovcen.intel.Pattern.Operator;
import org.lovcen.intel.Pattern.Qualified;

/*
 * How and why: a hand-written recursive-descent parser over the STIX 2.1 patterning grammar
 * (section 9 of the specification), one method per rule, precedence from loosest to tightest:
 * FOLLOWEDBY, observation OR, observation AND, qualifiers, then inside brackets comparison OR,
 * comparison AND, property tests. Keywords are upper case as the grammar has them. Patterns come
 * from partners, so the parser bounds its nesting depth and reports the first error with its
 * column instead of throwing anything else.
 */
/** Parses one STIX pattern. Single use; not thread-safe. */
final class PatternParser {
  private static final int MAX_DEPTH = 64;
  private static final Set<String> COMPARE = Set.of("=", "!=", "<", "<=", ">", ">=");
  private static final Set<String> WORD_OPS = Set.of("LIKE", "MATCHES", "ISSUBSET", "ISSUPERSET");
  /** Longest first, so that {@code <=} is not read as {@code <}. */
  private static final String[] OPERATORS = {"<=", ">=", "!=", "=", "<", ">"};

  private final String s;
  private int pos;
  private int depth;

  PatternParser(String text) {
    this.s = text == null ? "" : text;
  }

  Expression parse() {
    Expression e = followedBy();
    skipSpace();
    if (pos < s.length()) {
      throw error("unexpected '" + s.charAt(pos) + "' after the pattern");
    }
    return e;
  }

  // ----------------------------------------------------------------- observation expressions

  private Expression followedBy() {
    List<Expression> parts = new ArrayList<>();
    parts.add(observationOr());
    while (keyword("FOLLOWEDBY")) {
      parts.add(observationOr());
    }
    return parts.size() == 1 ? parts.get(0) : new Junction(Operator.FOLLOWEDBY, parts);
  }

  private Expression observationOr() {
    List<Expression> parts = new ArrayList<>();
    parts.add(observationAnd());
    while (keyword("OR")) {
      parts.add(observationAnd());
    }
    return parts.size() == 1 ? parts.get(0) : new Junction(Operator.OBSERVATION_OR, parts);
  }

  private Expression observationAnd() {
    List<Expression> parts = new ArrayList<>();
    parts.add(qualified());
    while (keyword("AND")) {
      parts.add(qualified());
    }
    return parts.size() == 1 ? parts.get(0) : new Junction(Operator.OBSERVATION_AND, parts);
  }

  private Expression qualified() {
    Expression e = observation();
    while (true) {
      if (keyword("WITHIN")) {
        Literal n = number(true);
        expectKeyword("SECONDS");
        e = new Qualified(e, "WITHIN", List.of(n));
      } else if (keyword("REPEATS")) {
        Literal n = number(false);
        expectKeyword("TIMES");
        e = new Qualified(e, "REPEATS", List.of(n));
      } else if (keyword("START")) {
        Literal a = timestamp();
        expectKeyword("STOP");
        e = new Qualified(e, "START STOP", List.of(a, timestamp()));
      } else {
        return e;
      }
    }
  }

  private Expression observation() {
    enter();
    try {
      if (symbol("[")) {
        Expression c = comparisonOr();
        expect("]");
        return new Observation(c);
      }
      if (symbol("(")) {
        Expression e = followedBy();
        expect(")");
        return e;
      }
      throw error("expected '[' or '(' to start an observation expression");
    } finally {
      depth--;
    }
  }

  // ----------------------------------------------------------------- comparison expressions

  private Expression comparisonOr() {
    List<Expression> parts = new ArrayList<>();
    parts.add(comparisonAnd());
    while (keyword("OR")) {
      parts.add(comparisonAnd());
    }
    return parts.size() == 1 ? parts.get(0) : new Junction(Operator.OR, parts);
  }

  private Expression comparisonAnd() {
    List<Expression> parts = new ArrayList<>();
    parts.add(propTest());
    while (keyword("AND")) {
      parts.add(propTest());
    }
    return parts.size() == 1 ? parts.get(0) : new Junction(Operator.AND, parts);
  }

  private Expression propTest() {
    enter();
    try {
      if (symbol("(")) {
        Expression e = comparisonOr();
        expect(")");
        return e;
      }
      if (keyword("EXISTS")) {
        String type = objectType();
        return new Exists(type, path());
      }
      String type = objectType();
      List<String> path = path();
      boolean not = keyword("NOT");
      return comparison(type, path, not);
    } finally {
      depth--;
    }
  }

  private Comparison comparison(String type, List<String> path, boolean not) {
    skipSpace();
    if (keyword("IN")) {
      return new Comparison(type, path, not, "IN", set());
    }
    for (String w : WORD_OPS) {
      if (keyword(w)) {
        Literal v = literal();
        if (!v.kind().equals("string")) {
          throw error(w + " needs a string literal");
        }
        return new Comparison(type, path, not, w, List.of(v));
      }
    }
    String op = compareOperator();
    return new Comparison(type, path, not, op, List.of(literal()));
  }

  private String compareOperator() {
    skipSpace();
    for (String op : OPERATORS) {
      if (s.startsWith(op, pos)) {
        pos += op.length();
        return op;
      }
    }
    throw error("expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)");
  }

  private List<Literal> set() {
    expect("(");
    List<Literal> out = new ArrayList<>();
    if (symbol(")")) {
      return out;
    }
    do {
      out.add(literal());
    } while (symbol(","));
    expect(")");
    return out;
  }

  // ----------------------------------------------------------------- object paths

  private String objectType() {
    skipSpace();
    int start = pos;
    while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '-'
        || s.charAt(pos) == '_')) {
      pos++;
    }
    if (start == pos) {
      throw error("expected an object type such as ipv4-addr or file");
    }
    String t = s.substring(start, pos);
    if (!Character.isLetter(t.charAt(0)) || t.endsWith("-")) {
      throw error("invalid object type '" + t + "'");
    }
    if (pos >= s.length() || s.charAt(pos) != ':') {
      throw error("expected ':' after object type '" + t + "'");
    }
    pos++;
    return t;
  }

  private List<String> path() {
    List<String> out = new ArrayList<>();
    out.add(pathName());
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == '.') {
        pos++;
        out.add(pathName());
      } else if (c == '[') {
        int end = s.indexOf(']', pos);
        String idx = end < 0 ? "" : s.substring(pos + 1, end);
        if (!idx.equals("*") && !idx.matches("-?[0-9]+")) {
          throw error("list index must be an integer or *");
        }
        out.add("[" + idx + "]");
        pos = end + 1;
      } else {
        break;
      }
    }
    return out;
  }

  private String pathName() {
    if (pos < s.length() && s.charAt(pos) == '\'') {
      return string();
    }
    int start = pos;
    while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
      pos++;
    }
    if (start == pos || Character.isDigit(s.charAt(start))) {
      throw error("expected a property name");
    }
    return s.substring(start, pos);
  }

  // ----------------------------------------------------------------- literals

  private Literal literal() {
    skipSpace();
    if (pos >= s.length()) {
      throw error("expected a value");
    }
    char c = s.charAt(pos);
    if (c == '\'') {
      return new Literal("string", string());
    }
    if ((c == 't' || c == 'h' || c == 'b') && pos + 1 < s.length() && s.charAt(pos + 1) == '\'') {
      int start = pos++;
      String v = string();
      int end = pos;
      pos = start;
      Literal l = prefixed(c, v);
      pos = end;
      return l;
    }
    if (keyword("true")) {
      return new Literal("bool", "true");
    }
    if (keyword("false")) {
      return new Literal("bool", "false");
    }
    return number(true);
  }

  private Literal prefixed(char c, String v) {
    switch (c) {
      case 't' -> {
        if (!v.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z")) {
          throw error("timestamp '" + v + "' is not RFC 3339 in UTC (yyyy-mm-ddThh:mm:ss[.s+]Z)");
        }
        return new Literal("timestamp", v);
      }
      case 'h' -> {
        if (!v.matches("([0-9a-fA-F]{2})*")) {
          throw error("hex literal '" + v + "' needs an even number of hex digits");
        }
        return new Literal("hex", v);
      }
      default -> {
        if (!v.matches("([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")) {
          throw error("binary literal '" + v + "' is not base64");
        }
        return new Literal("binary", v);
      }
    }
  }

  private Literal timestamp() {
    skipSpace();
    if (!s.startsWith("t'", pos)) {
      throw error("expected a timestamp literal t'...'");
    }
    int start = pos++;
    String v = string();
    int end = pos;
    pos = start;
    Literal l = prefixed('t', v);
    pos = end;
    return l;
  }

  private Literal number(boolean allowFloat) {
    skipSpace();
    int start = pos;
    if (pos < s.length() && (s.charAt(pos) == '-' || s.charAt(pos) == '+')) {
      pos++;
    }
    int digits = pos;
    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
      pos++;
    }
    boolean isFloat = false;
    if (allowFloat && pos < s.length() && s.charAt(pos) == '.') {
      isFloat = true;
      pos++;
      while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
        pos++;
      }
    }
    if (pos == digits) {
      pos = start;
      throw error("expected a value (string, number, boolean, t'', h'' or b'' literal)");
    }
    return new Literal(isFloat ? "float" : "int", s.substring(start, pos));
  }

  /** A quoted string at pos, unescaped; {@code \'} and {@code \\} are the only escapes. */
  private String string() {
    int start = pos;
    pos++;
    StringBuilder b = new StringBuilder();
    while (pos < s.length()) {
      char c = s.charAt(pos++);
      if (c == '\'') {
        return b.toString();
      }
      if (c == '\\') {
        if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '\\')) {
          pos--;
          throw error("only \\' and \\\\ may be escaped in a string");
        }
        c = s.charAt(pos++);
      }
      b.append(c);
    }
    pos = start;
    throw error("unterminated string");
  }

  // ----------------------------------------------------------------- tokens

  private void skipSpace() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private boolean symbol(String sym) {
    skipSpace();
    if (s.startsWith(sym, pos)) {
      pos += sym.length();
      return true;
    }
    return false;
  }

  private void expect(String sym) {
    if (!symbol(sym)) {
      throw error("expected '" + sym + "'");
    }
  }

  private boolean keyword(String k) {
    skipSpace();
    if (!s.startsWith(k, pos)) {
      return false;
    }
    int end = pos + k.length();
    if (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
      return false;
    }
    pos = end;
    return true;
  }

  private void expectKeyword(String k) {
    if (!keyword(k)) {
      throw error("expected " + k);
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
  }

  private IntelException error(String reason) {
    return new IntelException("pattern", "column " + (pos + 1), reason);
  }
}
