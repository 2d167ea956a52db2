package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/SECURITY.md names, for every requirement and fault it lists, the tests that cover it: each
 * row names at least one test (or says why none: "by design", or the build checks it), and every test it names exists in
 * the checkout, down to the method when it names one. A renamed or deleted test breaks this, not
 * the document's truth.
 */
class SecurityDocTest {
  /** `SomethingTest` or `SomethingTest.method_name`. */
  private static final Pattern TEST = Pattern.compile("`([A-Z][A-Za-z0-9]*Test)(?:\\.([A-Za-z0-9_]+))?`");

  @Test
  void everyRow_namesTestsThatExist() throws IOException {
    Path root = TestServer.root();
    Map<String, Path> classes = new HashMap<>();
    try (Stream<Path> files = Files.walk(root, 12)) {
      files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith("Test.java"))
          .forEach(p -> classes.put(p.getFileName().toString().replace(".java", ""), p));
    }
    List<String> rows = Files.readAllLines(root.resolve("docs/SECURITY.md")).stream()
        .filter(l -> l.startsWith("| ") && !l.startsWith("| ASVS") && !l.startsWith("| fault") && !l.startsWith("|---"))
        .toList();
    assertThat(rows).hasSizeGreaterThan(40);
    List<String> problems = new ArrayList<>();
    for (String row : rows) {
      String[] cells = row.split(" \\| ");
      String tests = cells[cells.length - 1];
      Matcher m = TEST.matcher(tests);
      int named = 0;
      while (m.find()) {
        named++;
        Path file = classes.get(m.group(1));
        if (file == null) {
          problems.add("no test class " + m.group(1) + " in: " + row);
        } else if (m.group(2) != null && !Files.readString(file).contains("void " + m.group(2) + "(")) {
          problems.add("no test " + m.group(1) + "." + m.group(2) + " in: " + row);
        }
      }
      boolean says = row.contains("by design") || tests.startsWith("no test: the build checks it");
      if (named == 0 && !tests.contains("FuzzTest") && !says) {
        problems.add("names no test: " + row);
      }
    }
    assertThat(problems).isEmpty();
  }
}
