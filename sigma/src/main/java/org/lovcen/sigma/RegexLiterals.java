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
      char lit = 0;
      switch (c) {
        case '\\' -> {
          if (i + 1 >= n) {
            return null;
          }
          char d = re.charAt(i + 1);
          next = skipEscape(re, i);
          if (!Character.isLetterOrDigit(d)) {
            literal = true;
            lit = d;
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
          lit = c;
        }
      }
      if (next < 0) {
        return null;
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
      if (c == '\\') {
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
      if (c == '\\') {
        i++;
      } else if (c == ']') {
        return i + 1;
      }
    }
    return -1;
  }
}
