package org.lovcen.intel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed STIX 2.1 pattern: the syntax tree of the whole patterning language (observation
 * expressions with AND, OR, FOLLOWEDBY and qualifiers; comparison expressions with every
 * operator), and its reduction to the {@link Observable} clauses Lovcen matches. Immutable and
 * thread-safe.
 *
 * @param text the pattern as given
 * @param root the syntax tree
 */
public record Pattern(String text, Expression root) {
  /** Upper bound on clauses after distributing AND over OR. */
  static final int MAX_CLAUSES = 1024;

  /**
   * Parses a pattern.
   *
   * @throws IntelException with the column and reason when it is not valid STIX patterning
   */
  public static Pattern parse(String text) {
    return new Pattern(text, new PatternParser(text).parse());
  }

  /**
   * The clauses of a pattern's text: the same as {@code parse(text).clauses()}, with the same
   * exceptions, but the common pattern of one equality on a known object path ({@code
   * [domain-name:value = 'example.com']}, as exporters write a million of them) is read without
   * building the syntax tree.
   */
  public static List<List<Observable>> clausesOf(String text) {
    List<List<Observable>> c = text == null ? null : single(text);
    return c != null ? c : parse(text).clauses();
  }

  /**
   * {@code [path = 'value']} with optional white space, for the paths in {@link
   * ObservableType#stixPath()}, a value without escapes and nothing after the bracket; null for
   * anything else, which the full parser then reads.
   */
  private static List<List<Observable>> single(String s) {
    int i = skipSpace(s, 0);
    if (i >= s.length() || s.charAt(i) != '[') {
      return null;
    }
    i = skipSpace(s, i + 1);
    ObservableType type = null;
    for (ObservableType t : TYPES) {
      if (s.startsWith(t.stixPath(), i)) {
        type = t;
        break;
      }
    }
    if (type == null) {
      return null;
    }
    i = skipSpace(s, i + type.stixPath().length());
    if (i >= s.length() || s.charAt(i) != '=') {
      return null;
    }
    i = skipSpace(s, i + 1);
    if (i >= s.length() || s.charAt(i) != '\'') {
      return null;
    }
    int start = i + 1;
    int end = start;
    while (end < s.length() && s.charAt(end) != '\'' && s.charAt(end) != '\\') {
      end++;
    }
    if (end >= s.length() || s.charAt(end) != '\'') {
      return null;
    }
    i = skipSpace(s, end + 1);
    if (i >= s.length() || s.charAt(i) != ']' || skipSpace(s, i + 1) != s.length()) {
      return null;
    }
    return List.of(List.of(Observable.of(type, s.substring(start, end))));
  }

  private static final ObservableType[] TYPES = ObservableType.values();

  private static int skipSpace(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** A node of the pattern's syntax tree. */
  public sealed interface Expression permits Comparison, Exists, Junction, Observation, Qualified {}

  /** {@code object:path [NOT] op value} or {@code [NOT] IN (v, ...)}. */
  public record Comparison(String objectType, List<String> path, boolean negated, String operator,
      List<Literal> values) implements Expression {
    /** The object path as written, e.g. {@code file:hashes.'SHA-256'}. */
    public String objectPath() {
      StringBuilder b = new StringBuilder(objectType).append(':');
      for (int i = 0; i < path.size(); i++) {
        String p = path.get(i);
        if (p.startsWith("[")) {
          b.append(p);
        } else {
          b.append(i > 0 ? "." : "").append(p.matches("[A-Za-z_][A-Za-z0-9_]*") ? p : "'" + p + "'");
        }
      }
      return b.toString();
    }
  }

  /** {@code EXISTS object:path}. */
  public record Exists(String objectType, List<String> path) implements Expression {}

  /** AND / OR between comparisons, or AND / OR / FOLLOWEDBY between observations. */
  public record Junction(Operator operator, List<Expression> operands) implements Expression {}

  /** {@code [comparison expression]}. */
  public record Observation(Expression comparison) implements Expression {}

  /** An observation expression with a qualifier: {@code WITHIN n SECONDS}, {@code REPEATS n TIMES}, {@code START t STOP t}. */
  public record Qualified(Expression observation, String qualifier, List<Literal> arguments) implements Expression {}

  /** A literal: its kind (string, int, float, bool, timestamp, binary, hex) and its value as text (unescaped). */
  public record Literal(String kind, String value) {}

  /** The junction operators. */
  public enum Operator {
    /** AND inside an observation. */
    AND,
    /** OR inside an observation. */
    OR,
    /** AND between observations. */
    OBSERVATION_AND,
    /** OR between observations. */
    OBSERVATION_OR,
    /** FOLLOWEDBY between observations. */
    FOLLOWEDBY
  }

  /**
   * The clauses (OR of AND) of observables this pattern matches on a single event.
   *
   * @throws IntelException (unsupported) naming the construct Lovcen does not match, e.g. an
   *     observation operator that needs several events, a qualifier, a negation, an operator
   *     other than {@code =}, {@code IN} and {@code ISSUBSET}, or an object path it does not know
   */
  public List<List<Observable>> clauses() {
    return observations(root);
  }

  private static List<List<Observable>> observations(Expression e) {
    return switch (e) {
      case Observation o -> comparisons(o.comparison());
      case Junction j when j.operator() == Operator.OBSERVATION_OR -> union(j.operands(), Pattern::observations);
      case Junction j when j.operator() == Operator.OBSERVATION_AND -> throw unsupported(
          "observation operator AND needs several events (correlation), not matched per event");
      case Junction j when j.operator() == Operator.FOLLOWEDBY -> throw unsupported(
          "observation operator FOLLOWEDBY needs an ordered sequence of events, not matched per event");
      case Qualified q -> throw unsupported("qualifier " + q.qualifier() + " needs several events or a time "
          + "window, not matched per event");
      case Junction j -> comparisons(j);
      case Comparison c -> comparisons(c);
      case Exists x -> comparisons(x);
    };
  }

  private static List<List<Observable>> comparisons(Expression e) {
    return switch (e) {
      case Comparison c -> comparison(c);
      case Exists x -> throw unsupported("EXISTS " + x.objectType() + " is not matched");
      case Junction j when j.operator() == Operator.OR -> union(j.operands(), Pattern::comparisons);
      case Junction j when j.operator() == Operator.AND -> product(j.operands());
      case Junction j -> throw unsupported("observation operator " + j.operator() + " inside brackets");
      case Observation o -> comparisons(o.comparison());
      case Qualified q -> throw unsupported("qualifier " + q.qualifier());
    };
  }

  private interface Reducer {
    List<List<Observable>> apply(Expression e);
  }

  private static List<List<Observable>> union(List<Expression> parts, Reducer r) {
    List<List<Observable>> out = new ArrayList<>();
    for (Expression p : parts) {
      out.addAll(r.apply(p));
      requireSize(out.size());
    }
    return out;
  }

  private static List<List<Observable>> product(List<Expression> parts) {
    List<List<Observable>> acc = List.of(List.of());
    for (Expression p : parts) {
      List<List<Observable>> next = new ArrayList<>();
      for (List<Observable> left : acc) {
        for (List<Observable> right : comparisons(p)) {
          List<Observable> c = new ArrayList<>(left);
          c.addAll(right);
          next.add(c);
          requireSize(next.size());
        }
      }
      acc = next;
    }
    return acc;
  }

  private static void requireSize(int n) {
    if (n > MAX_CLAUSES) {
      throw unsupported("more than " + MAX_CLAUSES + " clauses after expanding AND over OR");
    }
  }

  private static List<List<Observable>> comparison(Comparison c) {
    if (c.negated()) {
      throw unsupported("NOT " + c.operator() + " on " + c.objectPath() + " is not matched");
    }
    String op = c.operator();
    if (!op.equals("=") && !op.equals("IN") && !op.equals("ISSUBSET")) {
      throw unsupported("operator " + op + " on " + c.objectPath() + " is not matched");
    }
    List<List<Observable>> out = new ArrayList<>();
    for (Literal v : c.values()) {
      if (!v.kind().equals("string")) {
        throw unsupported(v.kind() + " literal compared with " + c.objectPath());
      }
      ObservableType t = typeOf(c, v.value());
      if (op.equals("ISSUBSET") && !t.isAddress()) {
        throw unsupported("ISSUBSET on " + c.objectPath() + " (only addresses)");
      }
      out.add(List.of(Observable.of(t, v.value())));
    }
    return out;
  }

  /** The observable type of an object path, or throws unsupported. */
  private static ObservableType typeOf(Comparison c, String value) {
    String obj = c.objectType();
    List<String> p = c.path();
    String first = p.get(0);
    if (p.size() == 1 && first.equals("value")) {
      switch (obj) {
        case "ipv4-addr" -> {
          return ObservableType.IPV4;
        }
        case "ipv6-addr" -> {
          return ObservableType.IPV6;
        }
        case "domain-name" -> {
          return ObservableType.DOMAIN;
        }
        case "url" -> {
          return ObservableType.URL;
        }
        default -> {}
      }
    }
    if (obj.equals("file") && p.size() == 1 && first.equals("name")) {
      return ObservableType.FILE_NAME;
    }
    if (obj.equals("file") && p.size() == 2 && first.equals("hashes")) {
      ObservableType t = hashType(p.get(1));
      if (t != null) {
        return t;
      }
    }
    if (obj.equals("network-traffic") && p.size() == 2 && (first.equals("src_ref") || first.equals("dst_ref"))
        && p.get(1).equals("value")) {
      return value.indexOf(':') >= 0 ? ObservableType.IPV6 : ObservableType.IPV4;
    }
    throw unsupported("object path " + c.objectPath() + " is not matched");
  }

  private static ObservableType hashType(String name) {
    return switch (name.toUpperCase(Locale.ROOT).replace("-", "")) {
      case "MD5" -> ObservableType.MD5;
      case "SHA1" -> ObservableType.SHA1;
      case "SHA256" -> ObservableType.SHA256;
      case "SHA512" -> ObservableType.SHA512;
      default -> null;
    };
  }

  private static IntelException unsupported(String reason) {
    return new IntelException("pattern", "", reason, true);
  }
}
