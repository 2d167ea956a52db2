package org.lovcen.sigma;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/**
 * Tests one field value against one compiled Sigma value. Immutable and thread-safe; no
 * allocation in {@link #matches} except where noted (regular expressions, IPv6, time parts).
 */
abstract class ValueMatcher {
  /** Relative evaluation cost, cheapest first: used to order siblings. */
  static final int COST_EXACT = 1;
  static final int COST_AFFIX = 2;
  static final int COST_CONTAINS = 4;
  static final int COST_GLOB = 6;
  static final int COST_PARSE = 8;
  static final int COST_REGEX = 20;

  /** Whether the value at hand (never null unless {@code type} is {@link Event#NULL}) matches. */
  abstract boolean matches(String value, byte type);

  /** Whether the matcher holds when the event lacks the field. */
  boolean matchesAbsent() {
    return false;
  }

  abstract int cost();

  /**
   * A folded string that every matching value contains, for the prefilter; null when there is
   * none (regex, numbers, null, CIDR...).
   */
  String literal() {
    return null;
  }

  /** Whether {@link #literal()} must be the whole value (an exact match), not a part of it. */
  boolean wholeValue() {
    return false;
  }

  /** Sigma string patterns: exact, prefix, suffix, contains, or a general glob. */
  static final class Glob extends ValueMatcher {
    private final boolean cased;
    private final boolean startAnchored;
    private final boolean endAnchored;
    private final char[][] segments;
    private final int minLength;

    Glob(String pattern, boolean cased) {
      this.cased = cased;
      String p = cased ? pattern : foldKeepingWildcards(pattern);
      startAnchored = p.isEmpty() || p.charAt(0) != SigmaValue.STAR;
      endAnchored = p.isEmpty() || p.charAt(p.length() - 1) != SigmaValue.STAR;
      java.util.List<char[]> segs = new java.util.ArrayList<>();
      int min = 0;
      for (String s : p.split(String.valueOf(SigmaValue.STAR), -1)) {
        if (!s.isEmpty()) {
          segs.add(s.toCharArray());
          min += s.length();
        }
      }
      if (p.isEmpty()) {
        segs.add(new char[0]);
      }
      segments = segs.toArray(new char[0][]);
      minLength = min;
    }

    /** Whether {@code v} contains the folded {@code literal}, case-insensitively. */
    static boolean containsFolded(String v, String literal) {
      int m = literal.length();
      char c0 = literal.charAt(0);
      for (int i = 0, last = v.length() - m; i <= last; i++) {
        if (Fold.fold(v.charAt(i)) != c0) {
          continue;
        }
        int j = 1;
        while (j < m && Fold.fold(v.charAt(i + j)) == literal.charAt(j)) {
          j++;
        }
        if (j == m) {
          return true;
        }
      }
      return false;
    }

    private static String foldKeepingWildcards(String p) {
      StringBuilder b = new StringBuilder(p.length());
      for (int i = 0; i < p.length(); i++) {
        char c = p.charAt(i);
        b.append(c == SigmaValue.STAR || c == SigmaValue.QUESTION ? c : Fold.fold(c));
      }
      return b.toString();
    }

    @Override
    boolean matches(String v, byte type) {
      if (v == null || v.length() < minLength) {
        return false;
      }
      int n = segments.length;
      if (n == 1 && startAnchored && endAnchored) {
        return v.length() == segments[0].length && regionEquals(v, 0, segments[0]);
      }
      int from = 0;
      int to = v.length();
      int first = 0;
      int last = n - 1;
      if (startAnchored) {
        if (!regionEquals(v, 0, segments[0])) {
          return false;
        }
        from = segments[0].length;
        first = 1;
      }
      if (endAnchored && last >= first) {
        char[] s = segments[last];
        if (to - s.length < from || !regionEquals(v, to - s.length, s)) {
          return false;
        }
        to -= s.length;
        last--;
      }
      for (int i = first; i <= last; i++) {
        int at = indexOf(v, segments[i], from, to);
        if (at < 0) {
          return false;
        }
        from = at + segments[i].length;
      }
      return true;
    }

    private boolean regionEquals(String v, int off, char[] seg) {
      for (int j = 0; j < seg.length; j++) {
        char c = seg[j];
        if (c == SigmaValue.QUESTION) {
          continue;
        }
        char d = v.charAt(off + j);
        if (c != (cased ? d : Fold.fold(d))) {
          return false;
        }
      }
      return true;
    }

    private int indexOf(String v, char[] seg, int from, int to) {
      int lastStart = to - seg.length;
      if (seg.length == 0) {
        return from <= to ? from : -1;
      }
      char c0 = seg[0];
      for (int i = from; i <= lastStart; i++) {
        if (c0 != SigmaValue.QUESTION) {
          char d = v.charAt(i);
          if (c0 != (cased ? d : Fold.fold(d))) {
            continue;
          }
        }
        if (regionEquals(v, i, seg)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    int cost() {
      if (segments.length == 1 && startAnchored && endAnchored) {
        return COST_EXACT;
      }
      if (segments.length == 1 && (startAnchored || endAnchored)) {
        return COST_AFFIX;
      }
      return segments.length <= 1 ? COST_CONTAINS : COST_GLOB;
    }

    @Override
    boolean wholeValue() {
      return segments.length == 1 && startAnchored && endAnchored && segments[0].length > 0
          && String.valueOf(segments[0]).indexOf(SigmaValue.QUESTION) < 0;
    }

    @Override
    String literal() {
      String best = null;
      for (char[] s : segments) {
        int start = 0;
        for (int i = 0; i <= s.length; i++) {
          if (i == s.length || s[i] == SigmaValue.QUESTION) {
            if (i - start > 0 && (best == null || i - start > best.length())) {
              String lit = new String(s, start, i - start);
              best = cased ? Fold.fold(lit) : lit;
            }
            start = i + 1;
          }
        }
      }
      return best;
    }
  }

  /** A number: equal as text, or as a decimal or {@code 0x} hex number. */
  static final class Num extends ValueMatcher {
    private final String text;
    private final double value;

    Num(String text, double value) {
      this.text = text;
      this.value = value;
    }

    /** The value as a non-negative int when it is one (an EventID), else -1. */
    int asEventId() {
      return value >= 0 && value <= Integer.MAX_VALUE && value == Math.rint(value) ? (int) value : -1;
    }

    @Override
    boolean matches(String v, byte type) {
      if (v == null || type == Event.BOOLEAN) {
        return false;
      }
      if (v.equalsIgnoreCase(text)) {
        return true;
      }
      double d = Numbers.parse(v);
      return d == value;
    }

    @Override
    int cost() {
      return COST_EXACT;
    }
  }

  /** {@code true} / {@code false}, as a JSON boolean or as text. */
  static final class Bool extends ValueMatcher {
    private final String text;

    Bool(boolean b) {
      text = b ? "true" : "false";
    }

    @Override
    boolean matches(String v, byte type) {
      return v != null && v.equalsIgnoreCase(text);
    }

    @Override
    int cost() {
      return COST_EXACT;
    }
  }

  /** YAML null: the field is absent or null (pySigma: {@code data.get(field) is None}). */
  static final class Null extends ValueMatcher {
    @Override
    boolean matches(String v, byte type) {
      return type == Event.NULL;
    }

    @Override
    boolean matchesAbsent() {
      return true;
    }

    @Override
    int cost() {
      return COST_EXACT;
    }
  }

  /**
   * {@code re}, searched anywhere in the value. Validity and the guarantee of linear time come
   * from RE2: a pattern RE2 rejects (backreferences, lookaround) makes the rule unsupported. The
   * common case runs on the JDK's faster backtracking engine under a step budget proportional to
   * the value's length; a match that exceeds the budget (or the thread's stack, as a long value
   * can) is answered by RE2 instead, so a hostile pattern or value cannot hang or crash the engine.
   */
  static final class Regex extends ValueMatcher {
    private final Pattern pattern;
    private final java.util.regex.Pattern fast;
    private final String literal;
    /** Per thread: a reusable budgeted input and the JDK matcher over it. */
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(this::newScratch);

    private record Scratch(Budget budget, java.util.regex.Matcher matcher) {}

    private Scratch newScratch() {
      Budget b = new Budget("", 0);
      return new Scratch(b, fast.matcher(b));
    }

    Regex(SigmaValue.Re re) {
      int flags = (re.ignoreCase() ? Pattern.CASE_INSENSITIVE : 0) | (re.multiline() ? Pattern.MULTILINE : 0)
          | (re.dotAll() ? Pattern.DOTALL : 0);
      try {
        pattern = Pattern.compile(re.regex(), flags);
      } catch (PatternSyntaxException e) {
        throw new UnsupportedRuleException("regular expression '" + re.regex() + "' is not supported by the "
            + "linear-time engine: " + e.getDescription());
      }
      fast = jdk(re);
      literal = RegexLiterals.required(re.regex());
    }

    private static java.util.regex.Pattern jdk(SigmaValue.Re re) {
      // UNIX_LINES: only a line feed ends a line for '.', '^' and '$', as in RE2 and Python's re;
      // by default the JDK also stops at carriage return, NEL and the Unicode line separators.
      int flags = java.util.regex.Pattern.UNIX_LINES
          | (re.ignoreCase() ? java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE
          : 0) | (re.multiline() ? java.util.regex.Pattern.MULTILINE : 0)
          | (re.dotAll() ? java.util.regex.Pattern.DOTALL : 0);
      if (nestedClassSyntax(re.regex())) {
        return null; // '[' or '&&' inside a class: the JDK reads unions and intersections, RE2 plain characters
      }
      try {
        return java.util.regex.Pattern.compile(re.regex(), flags);
      } catch (java.util.regex.PatternSyntaxException e) {
        return null; // RE2 accepts what the JDK does not: RE2 alone then
      }
    }

    /** Whether a character class holds a '[' or '&&', which the JDK and RE2 read differently. */
    static boolean nestedClassSyntax(String re) {
      boolean inClass = false;
      for (int i = 0, n = re.length(); i < n; i++) {
        char c = re.charAt(i);
        if (c == '\\') {
          if (i + 1 < n && re.charAt(i + 1) == 'Q') {
            int end = re.indexOf("\\E", i + 2);
            i = end < 0 ? n : end + 1;
          } else {
            i++;
          }
        } else if (!inClass) {
          if (c == '[') {
            inClass = true;
            if (i + 1 < n && re.charAt(i + 1) == '^') {
              i++;
            }
            if (i + 1 < n && re.charAt(i + 1) == ']') {
              i++;
            }
          }
        } else if (c == '[' || (c == '&' && i + 1 < n && re.charAt(i + 1) == '&')) {
          return true;
        } else if (c == ']') {
          inClass = false;
        }
      }
      return false;
    }

    @Override
    String literal() {
      return literal;
    }

    @Override
    boolean matches(String v, byte type) {
      if (v == null || (literal != null && !Glob.containsFolded(v, literal))) {
        return false;
      }
      if (fast != null) {
        Scratch sc = scratch.get();
        sc.budget.reset(v, 20_000L + 50L * v.length());
        try {
          return sc.matcher.reset(sc.budget).find();
        } catch (Budget.Exceeded | StackOverflowError e) {
          // the backtracking engine recurses per repetition: a long value can exhaust the stack
          // before the budget; either way RE2 answers, in linear time and without recursion
          RegexFallbacks.count(fast.pattern());
        } finally {
          sc.budget.reset("", 0);
        }
      }
      return pattern.matcher(v).find();
    }

    @Override
    int cost() {
      return COST_REGEX;
    }
  }

  /** A string whose reads are counted; past the budget a read throws, ending a runaway match. */
  static final class Budget implements CharSequence {
    private String s;
    private long left;

    Budget(String s, long budget) {
      reset(s, budget);
    }

    void reset(String text, long budget) {
      this.s = text;
      this.left = budget;
    }

    /** The budget ran out. No stack trace: it is control flow. */
    static final class Exceeded extends RuntimeException {
      Exceeded() {
        super("regex step budget exceeded", null, false, false);
      }
    }

    @Override
    public char charAt(int index) {
      if (--left < 0) {
        throw new Exceeded();
      }
      return s.charAt(index);
    }

    @Override
    public int length() {
      return s.length();
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return s.subSequence(start, end);
    }

    @Override
    public String toString() {
      return s;
    }
  }

  /** {@code cidr}: the value is an address inside the network. */
  static final class Cidr extends ValueMatcher {
    private final Cidrs.Network network;

    Cidr(String cidr) {
      network = Cidrs.parse(cidr);
    }

    @Override
    boolean matches(String v, byte type) {
      if (v == null) {
        return false;
      }
      long ip = Cidrs.ipv4Int(v);
      if (ip != Cidrs.NOT_IPV4 || network.address().length == 4) {
        return network.address().length == 4 && ip != Cidrs.NOT_IPV4 && network.containsIpv4(ip);
      }
      return network.contains(Cidrs.address(v.trim()));
    }

    @Override
    int cost() {
      return COST_PARSE;
    }
  }

  /** {@code lt/lte/gt/gte}; an absent field counts as 0, as pySigma's matcher does. */
  static final class Compare extends ValueMatcher {
    private final SigmaValue.Op op;
    private final double bound;

    Compare(SigmaValue.Op op, double bound) {
      this.op = op;
      this.bound = bound;
    }

    @Override
    boolean matches(String v, byte type) {
      if (v == null || type == Event.BOOLEAN) {
        return false;
      }
      return holds(Numbers.parse(v));
    }

    boolean holds(double d) {
      if (Double.isNaN(d)) {
        return false;
      }
      return switch (op) {
        case LT -> d < bound;
        case LTE -> d <= bound;
        case GT -> d > bound;
        case GTE -> d >= bound;
      };
    }

    @Override
    boolean matchesAbsent() {
      return holds(0);
    }

    @Override
    int cost() {
      return COST_PARSE;
    }
  }

  /** A time-part modifier: the value parsed as a timestamp (UTC), its part compared. */
  static final class TimePart extends ValueMatcher {
    private final SigmaValue.Part part;
    private final ValueMatcher inner;

    TimePart(SigmaValue.Part part, ValueMatcher inner) {
      this.part = part;
      this.inner = inner;
    }

    @Override
    boolean matches(String v, byte type) {
      long micros = v == null ? Event.NO_TIME : Timestamps.parse(v);
      if (micros == Event.NO_TIME) {
        return false;
      }
      ZonedDateTime t = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L)).atZone(ZoneOffset.UTC);
      int n = switch (part) {
        case MINUTE -> t.getMinute();
        case HOUR -> t.getHour();
        case DAY -> t.getDayOfMonth();
        case WEEK -> t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        case MONTH -> t.getMonthValue();
        case YEAR -> t.getYear();
      };
      return inner.matches(Integer.toString(n), Event.NUMBER);
    }

    @Override
    int cost() {
      return COST_PARSE;
    }
  }
}
