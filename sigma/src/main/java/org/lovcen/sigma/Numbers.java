package org.lovcen.sigma;

/** Parses event values as numbers without exceptions. Stateless; thread-safe. */
final class Numbers {
  private Numbers() {}

  /** The value as a decimal or {@code 0x} hex number, or NaN. */
  static double parse(String s) {
    int n = s.length();
    if (n == 0 || n > 40) {
      return Double.NaN;
    }
    if (n > 2 && s.charAt(0) == '0' && (s.charAt(1) == 'x' || s.charAt(1) == 'X')) {
      if (n > 18) {
        return Double.NaN;
      }
      long v = 0;
      for (int i = 2; i < n; i++) {
        int d = Character.digit(s.charAt(i), 16);
        if (d < 0) {
          return Double.NaN;
        }
        v = v * 16 + d;
      }
      return v >= 0 ? v : (double) (v >>> 1) * 2 + (v & 1); // 16 digits: unsigned
    }
    boolean digitsOnly = true;
    int start = s.charAt(0) == '-' || s.charAt(0) == '+' ? 1 : 0;
    if (start == n) {
      return Double.NaN;
    }
    for (int i = start; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
          return Double.NaN;
        }
        digitsOnly = false;
      }
    }
    if (digitsOnly && n - start <= 18) {
      long v = 0;
      for (int i = start; i < n; i++) {
        v = v * 10 + (s.charAt(i) - '0');
      }
      return s.charAt(0) == '-' ? -v : v;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
