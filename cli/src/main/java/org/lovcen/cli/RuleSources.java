package org.lovcen.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.LovcenException;
import org.lovcen.sigma.RuleSet;

/** Where rules come from when the command line does not say, and placeholder files. */
final class RuleSources {
  private RuleSources() {}

  /** The installation folder (set by the launcher), else the working directory. */
  static Path home() {
    String h = System.getProperty("lovcen.home");
    return Path.of(h == null ? "." : h).toAbsolutePath().normalize();
  }

  /**
   * The rule folders to use: those given; else {@code LOVCEN_RULES} (path-separated); else the
   * project's own rules plus the SigmaHQ corpus at {@code ../shared/sigma/rules} or in the data
   * folder when present.
   */
  static List<Path> resolve(List<Path> given) {
    if (given != null && !given.isEmpty()) {
      return given;
    }
    String env = System.getenv("LOVCEN_RULES");
    List<Path> out = new ArrayList<>();
    if (env != null && !env.isBlank()) {
      for (String p : env.split(java.io.File.pathSeparator)) {
        if (!p.isBlank()) {
          out.add(Path.of(p));
        }
      }
      return out;
    }
    Path own = home().resolve("rules");
    if (Files.isDirectory(own)) {
      out.add(own);
    }
    Path corpus = sigmaCorpus();
    if (corpus != null) {
      out.add(corpus);
    }
    if (out.isEmpty()) {
      throw new LovcenException("no rules: give --rules DIR, set LOVCEN_RULES, or run 'lovcen rules update'");
    }
    return out;
  }

  /** The SigmaHQ corpus: ../shared/sigma/rules beside the installation, else the data folder's copy. */
  static Path sigmaCorpus() {
    Path shared = home().resolve("../shared/sigma/rules").normalize();
    if (Files.isDirectory(shared)) {
      return shared;
    }
    Path data = dataDir().resolve("sigma/rules");
    return Files.isDirectory(data) ? data : null;
  }

  /** The data folder: {@code LOVCEN_DATA}, else {@code data/} in the installation folder. */
  static Path dataDir() {
    String d = System.getenv("LOVCEN_DATA");
    return d == null || d.isBlank() ? home().resolve("data") : Path.of(d);
  }

  /** Reads a placeholders file: YAML mapping of name -> list of values. */
  static Map<String, List<String>> placeholders(Path file) {
    if (file == null) {
      return Map.of();
    }
    try {
      Object doc = new org.snakeyaml.engine.v2.api.Load(org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
          .loadFromString(Files.readString(file));
      if (!(doc instanceof Map<?, ?> m)) {
        throw new LovcenException(file + ": placeholders must be a mapping of name to list of values");
      }
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        List<String> vals = new ArrayList<>();
        if (e.getValue() instanceof List<?> l) {
          l.forEach(v -> vals.add(String.valueOf(v)));
        } else if (e.getValue() != null) {
          vals.add(String.valueOf(e.getValue()));
        }
        out.put(String.valueOf(e.getKey()).replace("%", ""), vals);
      }
      return out;
    } catch (IOException e) {
      throw new LovcenException(file + ": cannot read: " + e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof LovcenException le) {
        throw le;
      }
      throw new LovcenException(file + ": invalid placeholders file: " + e.getMessage());
    }
  }

  static RuleSet.Options options(Path placeholders, List<Path> mappings) {
    return RuleSet.Options.defaults().withPlaceholders(placeholders(placeholders))
        .withMappings(mappings == null ? List.of() : mappings);
  }
}
