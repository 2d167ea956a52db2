package org.lovcen.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the checkout for tests (Surefire passes {@code lovcen.root}). */
final class Project {
  private Project() {}

  static Path root() {
    String r = System.getProperty("lovcen.root");
    Path p = r == null ? Path.of("..").toAbsolutePath().normalize() : Path.of(r);
    if (!Files.isDirectory(p.resolve("rules"))) {
      p = Path.of(".").toAbsolutePath().normalize().getParent();
    }
    return p;
  }

  static Path ownRules() {
    return root().resolve("rules");
  }
}
