package org.lovcen.intel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Finds indicator files under the given paths and reads each in the format its content shows: a
 * folder with {@code manifest.json} is a MISP feed; JSON with {@code "type": "bundle"} is STIX;
 * other JSON with {@code Event}, {@code response} or {@code Attribute} is MISP; anything else is a
 * list or CSV. Stateless; thread-safe.
 */
final class IndicatorFiles {
  private static final int PEEK = 1 << 16;

  private IndicatorFiles() {}

  /** The files and MISP feed folders under {@code p}, sorted; hidden files are left out. */
  static List<Path> expand(Path p) {
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    List<Path> out = new ArrayList<>();
    try {
      Files.walkFileTree(p, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          if (Files.isRegularFile(dir.resolve("manifest.json"))) {
            out.add(dir);
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(".")) {
            out.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(null);
    return out;
  }

  /**
   * Reads the files, in parallel on up to one platform thread per core when there are several
   * (each file has its own Collector, so nothing is shared); the Collectors in file order.
   */
  static List<Collector> readAll(List<Path> files) {
    int threads = Math.min(files.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      List<Collector> out = new ArrayList<>();
      files.forEach(f -> out.add(read(f, f.toString())));
      return out;
    }
    ThreadFactory named = Thread.ofPlatform().name("lovcen-intel-read-", 0).daemon().factory();
    ExecutorService pool = Executors.newFixedThreadPool(threads, named);
    try {
      List<Future<Collector>> reads = new ArrayList<>();
      for (Path f : files) {
        reads.add(pool.submit(() -> read(f, f.toString())));
      }
      List<Collector> out = new ArrayList<>();
      for (Future<Collector> r : reads) {
        out.add(result(r));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static Collector result(Future<Collector> r) {
    try {
      return r.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IntelException("", "", "interrupted while reading indicator files");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  static Collector read(Path p, String display) {
    try {
      if (Files.isDirectory(p)) {
        Collector c = new Collector(display, "misp-feed");
        MispImporter.readFeed(p, display, c);
        return finish(c);
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(p), PEEK)) {
        return read(in, display, p.getFileName().toString());
      }
    } catch (IOException e) {
      Collector c = new Collector(display, "unknown");
      c.error("", "cannot read: " + e.getMessage());
      return c;
    }
  }

  /** Reads one stream; {@code in} must support mark/reset. */
  static Collector read(InputStream in, String display, String fileName) throws IOException {
    in.mark(PEEK);
    byte[] head = in.readNBytes(PEEK);
    in.reset();
    String text = new String(head, StandardCharsets.UTF_8);
    String start = text.stripLeading();
    if (start.startsWith("{") || start.startsWith("[")) {
      return json(in, display, text);
    }
    Collector c = new Collector(display, fileName.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "list");
    ListImporter.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), c, fileName);
    return finish(c);
  }

  private static Collector json(InputStream in, String display, String head) throws IOException {
    boolean stix = head.matches("(?s).*\"type\"\\s*:\\s*\"bundle\".*");
    Collector c = new Collector(display, stix ? "stix" : "misp");
    try {
      if (stix) {
        StixImporter.read(in, c);
      } else {
        JsonNode root = StixImporter.JSON.readTree(in);
        if (root == null || !(root.isArray() || root.has("Event") || root.has("response") || root.has("Attribute"))) {
          c.error("", "neither a STIX 2.1 bundle nor a MISP event");
        } else {
          MispImporter.read(root, c);
        }
      }
    } catch (JsonProcessingException e) {
      c.error(e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + " column "
          + e.getLocation().getColumnNr(), "malformed JSON: " + e.getOriginalMessage());
    } catch (CharConversionException e) {
      // the bytes are no text in the encoding JSON's first bytes announce (UTF-8, 16 or 32)
      c.error("", "malformed JSON: " + e.getMessage());
    }
    return finish(c);
  }

  private static Collector finish(Collector c) {
    return c;
  }

  static Collector read(byte[] bytes, String display) throws IOException {
    return read(new ByteArrayInputStream(bytes), display, display);
  }
}
