package org.lovcen.ingest.evtx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;
import org.lovcen.ingest.EventSource;

/** Finds the shared regression material and reads sources into lists, for tests. */
final class Shared {
  private Shared() {}

  /** The shared folder, or null when absent (tests needing it then skip). */
  static Path dir() {
    String prop = System.getProperty("lovcen.shared");
    Path p;
    if (prop != null) {
      p = Path.of(prop);
    } else {
      String root = System.getProperty("lovcen.root");
      Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath();
      if (Files.exists(base.resolve("pom.xml")) && base.getFileName() != null
          && base.getFileName().toString().equals("ingest")) {
        base = base.getParent();
      }
      p = base.resolve("../shared");
    }
    return Files.isDirectory(p.resolve("sigma/regression")) ? p.normalize() : null;
  }

  /** Every regression EVTX file, sorted. */
  static List<Path> evtxFiles(Path shared) throws IOException {
    try (Stream<Path> s = Files.walk(shared.resolve("sigma/regression"))) {
      return s.filter(f -> f.toString().endsWith(".evtx")).sorted().toList();
    }
  }

  static List<Event> readAll(EventSource source, List<Problem> problems) {
    List<Event> out = new ArrayList<>();
    Event reuse = new Event();
    for (EventSource.Split split : source.splits()) {
      split.read(reuse, e -> out.add(e.copy()), problems::add);
    }
    return out;
  }
}
