package org.lovcen.core;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared reference material (the SigmaHQ corpus, its regression cases, ATT&CK
 * tables) that lives beside a checkout in {@code ../shared}: the {@code lovcen.shared} system
 * property, else {@code ../shared} from the working directory or its parent.
 */
public final class SharedData {
  private SharedData() {}

  /** The shared folder, or null when it is not there. */
  public static Path root() {
    String p = System.getProperty("lovcen.shared");
    if (p != null && Files.isDirectory(Path.of(p))) {
      return Path.of(p).toAbsolutePath().normalize();
    }
    for (Path base = Path.of("").toAbsolutePath(); base != null; base = base.getParent()) {
      Path s = base.resolve("../shared").normalize();
      if (Files.isDirectory(s.resolve("sigma"))) {
        return s;
      }
    }
    return null;
  }

  /** A path inside the shared folder, or null when the folder or the path is missing. */
  public static Path resolve(String relative) {
    Path r = root();
    if (r == null) {
      return null;
    }
    Path p = r.resolve(relative);
    return Files.exists(p) ? p : null;
  }
}
