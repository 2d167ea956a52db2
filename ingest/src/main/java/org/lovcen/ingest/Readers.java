package org.lovcen.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.lovcen.core.InputException;
import org.lovcen.core.ProblemSink;
import org.lovcen.ingest.evtx.EvtxEventSource;

/** The ingest facade: finds input files and opens each with the reader for its format. */
public final class Readers {
  private Readers() {}

  /** Formats Lovcen reads. */
  public enum Format {
    JSON,
    EVTX
  }

  /**
   * Expands files and folders (recursively, in name order) into the readable files below them.
   * Files given explicitly are always kept; inside folders only known extensions are taken.
   *
   * @throws InputException when a given path does not exist
   */
  public static List<Path> expand(List<Path> roots) {
    List<Path> out = new ArrayList<>();
    for (Path root : roots) {
      if (Files.isRegularFile(root)) {
        out.add(root);
      } else if (Files.isDirectory(root)) {
        try (Stream<Path> s = Files.walk(root)) {
          s.filter(Files::isRegularFile).filter(Readers::knownExtension).sorted().forEach(out::add);
        } catch (IOException e) {
          throw new InputException(root.toString(), "", "cannot list folder: " + e.getMessage());
        }
      } else {
        throw new InputException(root.toString(), "", "no such file or folder");
      }
    }
    return out;
  }

  static boolean knownExtension(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    return n.endsWith(".json") || n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".evtx");
  }

  /** Detects the format from the first bytes (EVTX magic), else from the name, else JSON. */
  public static Format detect(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      byte[] head = in.readNBytes(8);
      if (head.length == 8 && new String(head, 0, 7, java.nio.charset.StandardCharsets.US_ASCII).equals("ElfFile")) {
        return Format.EVTX;
      }
    } catch (IOException e) {
      throw new InputException(path.toString(), "", "cannot read: " + e.getMessage());
    }
    return path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".evtx") ? Format.EVTX : Format.JSON;
  }

  /**
   * Opens one file with the reader for its format.
   *
   * @param path the file
   * @param name the path as the user gave it (events carry it as their source)
   */
  public static EventSource open(Path path, String name, ReadOptions options) {
    return switch (detect(path)) {
      case JSON -> new JsonEventSource(path, name, options);
      case EVTX -> new EvtxEventSource(path, name, options);
    };
  }

  /**
   * Reads JSON events from a stream: JSON lines, one array or concatenated objects, plain or gzip
   * (detected by its magic bytes), in any of the layouts the file reader knows. For HTTP bulk
   * ingest: malformed records go to {@code problems} with their line, reading continues.
   *
   * @param name the name events carry as their source, and problems as their file
   */
  public static void readJson(java.io.InputStream in, String name, ReadOptions options, org.lovcen.core.Event reuse,
      org.lovcen.core.EventSink sink, org.lovcen.core.ProblemSink problems) throws IOException {
    JsonEventSource.read(in, name, options, reuse, sink, problems);
  }

  /** Opens every file, reporting the ones that cannot be opened and leaving them out. */
  public static List<EventSource> openAll(List<Path> files, ReadOptions options, ProblemSink problems) {
    List<EventSource> out = new ArrayList<>();
    for (Path f : files) {
      try {
        out.add(open(f, f.toString(), options));
      } catch (InputException e) {
        problems.report(e.file(), e.position(), e.getMessage().substring(e.getMessage().lastIndexOf(": ") + 2));
      }
    }
    return out;
  }
}
