package org.lovcen.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.lovcen.core.SharedData;

/**
 * ATT&CK technique names by id, read from the shared ATT&CK tables ({@code attack/techniques.tsv})
 * when they are present; ids stand alone otherwise. Loaded once; thread-safe.
 */
final class Techniques {
  private static volatile Map<String, String> names;

  private Techniques() {}

  /** The technique's name ({@code T1003.001} -> {@code LSASS Memory}), or null. */
  static String name(String id) {
    Map<String, String> m = names;
    if (m == null) {
      m = load();
      names = m;
    }
    return m.get(id);
  }

  private static Map<String, String> load() {
    Map<String, String> m = new HashMap<>();
    Path tsv = SharedData.resolve("attack/techniques.tsv");
    if (tsv == null) {
      return m;
    }
    try {
      for (String line : Files.readAllLines(tsv)) {
        String[] cols = line.split("\t");
        if (cols.length >= 2 && cols[0].startsWith("T")) {
          m.put(cols[0], cols[1]);
        }
      }
    } catch (IOException e) {
      // names are a convenience: ids alone are shown
    }
    return m;
  }
}
