package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Resolves {@code x of pattern} to search identifiers. Stateless; thread-safe. */
final class Identifiers {
  private Identifiers() {}

  /**
   * The identifiers a pattern names, in rule order: {@code them} is every identifier not starting
   * with an underscore; otherwise {@code *} matches any run of characters.
   */
  static List<String> matching(String pattern, Collection<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (pattern.equals("them") ? !n.startsWith("_") : glob(pattern, n)) {
        out.add(n);
      }
    }
    return out;
  }

  static boolean glob(String pattern, String s) {
    return glob(pattern, 0, s, 0);
  }

  private static boolean glob(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        for (int k = si; k <= s.length(); k++) {
          if (glob(p, pi + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (si >= s.length() || s.charAt(si) != c) {
        return false;
      }
      pi++;
      si++;
    }
    return si == s.length();
  }
}
