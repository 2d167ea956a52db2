package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The automaton against {@code indexOf} on folded text, on seeded random patterns and texts. */
class AhoCorasickTest {
  private static final String ALPHABET = "abcAB\\:. -/žŽ\u0130i\u00e9";

  @Test
  void scan_findsExactlyThePatternsIndexOfFinds() {
    Random rnd = new Random(42);
    for (int round = 0; round < 300; round++) {
      List<String> patterns = new ArrayList<>();
      for (int i = 0, n = 1 + rnd.nextInt(60); i < n; i++) {
        patterns.add(Fold.fold(random(rnd, 1 + rnd.nextInt(6))));
      }
      AhoCorasick ac = new AhoCorasick(patterns);
      for (int t = 0; t < 20; t++) {
        String text = random(rnd, rnd.nextInt(80));
        TreeSet<String> found = new TreeSet<>();
        ac.scan(text, p -> found.add(patterns.get(p)));
        TreeSet<String> expected = new TreeSet<>();
        String folded = Fold.fold(text);
        for (String p : patterns) {
          if (folded.contains(p)) {
            expected.add(p);
          }
        }
        assertThat(found).as("patterns %s in '%s'", patterns, text).isEqualTo(expected);
      }
    }
  }

  @Test
  void scan_handlesNestedAndOverlappingPatterns() {
    List<String> patterns = List.of("he", "she", "his", "hers", "c:\\windows\\", "\\windows\\system32\\");
    AhoCorasick ac = new AhoCorasick(patterns);
    TreeSet<String> found = new TreeSet<>();
    ac.scan("USHERS at C:\\Windows\\System32\\cmd.exe", p -> found.add(patterns.get(p)));
    assertThat(found).containsExactly("\\windows\\system32\\", "c:\\windows\\", "he", "hers", "she");
  }

  private static String random(Random rnd, int len) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < len; i++) {
      b.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
