package org.lovcen.sigma;

/**
 * Case folding for Sigma's case-insensitive matching: one table lookup per character, shared by
 * the matchers and the prefilter so both agree exactly. Thread-safe.
 */
final class Fold {
  private static final char[] TABLE = new char[65536];

  static {
    for (int c = 0; c < 65536; c++) {
      TABLE[c] = Character.toLowerCase(Character.toUpperCase((char) c));
    }
  }

  private Fold() {}

  static char fold(char c) {
    return TABLE[c];
  }

  static String fold(String s) {
    char[] out = new char[s.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = TABLE[s.charAt(i)];
    }
    return new String(out);
  }
}
