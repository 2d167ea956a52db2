package org.lovcen.sigma;

/*
 * How and why: a regular expression can feed the prefilter when some run of plain characters
 * must appear in every string it matches. Only the top level of the pattern is read: groups and
 * character classes are skipped, a character made optional by ?, * or {..} is dropped, and any
 * top-level alternation gives up. What remains are necessary literals; the longest one is used.
 */
/** Finds a literal every match of a regular expression contains. Stateless; thread-safe. */
final class RegexLiterals {
  private RegexLiterals() {}

  /** The longest necessary literal, folded, or null when there is none. */
  static String required(String re) {
    StringBuilder run = new StringBuilder();
    String best = null;
    int n = re.length();
    int i = 0;
    while (i < n) {
      char c = re.charAt(i);
      int next = i + 1;
      boolean literal = false;
      String lit = null;
      switch (c) {
        case '\\' -> {
          if (i + 1 >= n) {
            return null;
          }
          char d = re.charAt(i + 1);
          if (d == 'Q') { // \Q..\E: plain characters; a quantifier after \E binds to the last one
            int end = re.indexOf("\\E", i + 2);
            int stop = end < 0 ? n : end;
            next = end < 0 ? n : end + 2;
            if (stop > i + 2) {
              int last = unitStart(re, i + 2, stop);
              run.append(re, i + 2, last);
              literal = true;
              lit = re.substring(last, stop);
            }
          } else {
            next = skipEscape(re, i);
            if (!Character.isLetterOrDigit(d)) {
              literal = true;
              lit = String.valueOf(d);
            }
          }
        }
        case '(' -> next = skipGroup(re, i);
        case '[' -> next = skipClass(re, i);
        case '|' -> {
          return null;
        }
        case '{' -> next = skipQuantifier(re, i);
        case '.', '^', '$' -> {}
        case '*', '?', '+' -> {}
        default -> {
          literal = true;
          next = unitEnd(re, i);
          lit = re.substring(i, next);
        }
      }
      if (next < 0) {
        return null;
      }
      // An empty quotation or a flag group such as (?i) matches nothing: a quantifier after it
      // binds to what comes before it.
      for (int skip = transparent(re, next); skip > next; skip = transparent(re, next)) {
        next = skip;
      }
      char q = next < n ? re.charAt(next) : 0;
      boolean optional = q == '*' || q == '?' || q == '{';
      if (literal && !optional) {
        run.append(lit);
      }
      if (!literal || optional || q == '+') {
        best = longer(best, run);
        run.setLength(0);
      }
      i = next;
    }
    best = longer(best, run);
    return best == null || best.isEmpty() ? null : Fold.fold(best);
  }

  /** Past an empty {@code \\Q\\E} or a flag group like {@code (?i)} at {@code at}; else {@code at}. */
  private static int transparent(String re, int at) {
    if (re.startsWith("\\Q\\E", at)) {
      return at + 4;
    }
    if (re.startsWith("(?", at)) {
      int i = at + 2;
      while (i < re.length() && (Character.isLetter(re.charAt(i)) || re.charAt(i) == '-')) {
        i++;
      }
      if (i < re.length() && re.charAt(i) == ')') {
        return i + 1;
      }
    }
    return at;
  }

  /** Start of the last character (a surrogate pair counts as one) of {@code re[from, to)}. */
  private static int unitStart(String re, int from, int to) {
    return to - 2 >= from && Character.isSurrogatePair(re.charAt(to - 2), re.charAt(to - 1)) ? to - 2 : to - 1;
  }

  /** End of the character at {@code i}: a quantifier after a surrogate pair binds to both halves. */
  private static int unitEnd(String re, int i) {
    return i + 1 < re.length() && Character.isSurrogatePair(re.charAt(i), re.charAt(i + 1)) ? i + 2 : i + 1;
  }

  /** Past the {@code \\E} that ends a quotation starting at {@code start}, or -1. */
  private static int skipQuoted(String re, int start) {
    int end = re.indexOf("\\E", start + 2);
    return end < 0 ? -1 : end + 2;
  }

  private static String longer(String best, StringBuilder run) {
    return run.length() > 0 && (best == null || run.length() > best.length()) ? run.toString() : best;
  }

  /** Past a {@code {n}}, {@code {n,}} or {@code {n,m}} quantifier; a lone brace is a literal to skip. */
  private static int skipQuantifier(String re, int start) {
    int close = re.indexOf('}', start);
    if (close > start && re.substring(start + 1, close).matches("\\d+(,\\d*)?")) {
      return close + 1;
    }
    return start + 1;
  }

  /**
   * Past the escape at {@code start}. Some escapes take arguments that are not literals of the
   * pattern: hex and Unicode code units (x41, x{41}, u0041), octal (0101), control (cA), classes
   * (p{Lu}, pL), names (N{..}, k<..>). -1 when the pattern ends inside one.
   */
  private static int skipEscape(String re, int start) {
    int n = re.length();
    int i = start + 2;
    switch (re.charAt(start + 1)) {
      case 'x' -> {
        return i < n && re.charAt(i) == '{' ? closing(re, i, '}') : Math.min(n, i + 2);
      }
      case 'u' -> {
        return Math.min(n, i + 4);
      }
      case 'c' -> {
        return Math.min(n, i + 1);
      }
      case 'p', 'P', 'N' -> {
        return i < n && re.charAt(i) == '{' ? closing(re, i, '}') : Math.min(n, i + 1);
      }
      case 'k' -> {
        return i < n && re.charAt(i) == '<' ? closing(re, i, '>') : i;
      }
      case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> {
        int end = i;
        while (end < n && end < i + 3 && re.charAt(end) >= '0' && re.charAt(end) <= '9') {
          end++;
        }
        return end;
      }
      default -> {
        return i;
      }
    }
  }

  private static int closing(String re, int from, char close) {
    int at = re.indexOf(close, from);
    return at < 0 ? -1 : at + 1;
  }

  private static int skipGroup(String re, int start) {
    int depth = 0;
    for (int i = start; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length() && re.charAt(i + 1) == 'Q') {
        i = skipQuoted(re, i) - 1;
        if (i < 0) {
          return -1;
        }
      } else if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = skipClass(re, i) - 1;
        if (i < 0) {
          return -1;
        }
      } else if (c == '(') {
        depth++;
      } else if (c == ')' && --depth == 0) {
        return i + 1;
      }
    }
    return -1;
  }

  private static int skipClass(String re, int start) {
    int i = start + 1;
    if (i < re.length() && re.charAt(i) == '^') {
      i++;
    }
    if (i < re.length() && re.charAt(i) == ']') {
      i++;
    }
    for (; i < re.length(); i++) {
      char c = re.charAt(i);
      if (c == '\\' && i + 1 < re.length() && re.charAt(i + 1) == 'Q') {
        i = skipQuoted(re, i) - 1;
        if (i < 0) {
          return -1;
        }
      } else if (c == '\\') {
        i++;
      } else if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
        int end = re.indexOf(":]", i + 2);
        if (end >= 0) {
          i = end + 1; // a POSIX class such as [:digit:]
        }
      } else if (c == ']') {
        return i + 1;
      }
    }
    return -1;
  }
}
