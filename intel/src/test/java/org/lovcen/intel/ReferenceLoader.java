package org.lovcen.intel;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The loader as it was before the load was optimised: one JSON tree per STIX object, the list
 * reader with its per-line allocations, and merging through two linked hash maps (newest version
 * per id, then equal clauses). Plain and slow on purpose: {@link LoaderDifferentialTest} checks
 * the optimised loader against it.
 */
final class ReferenceLoader {
  private ReferenceLoader() {}

  /** What the reference read: the indicators in file order and one report per file. */
  record Result(List<Indicator> indicators, List<ImportReport> reports) {}

  static Result load(List<Path> files) throws IOException {
    List<Indicator> all = new ArrayList<>();
    List<ImportReport> reports = new ArrayList<>();
    for (Path f : files) {
      Collector c = read(f);
      all.addAll(c.indicators);
      reports.add(c.report());
    }
    return new Result(all, reports);
  }

  private static Collector read(Path f) throws IOException {
    String display = f.toString();
    String text = Files.readString(f, StandardCharsets.UTF_8);
    String start = text.stripLeading();
    if (start.startsWith("{") || start.startsWith("[")) {
      boolean stix = text.substring(0, Math.min(text.length(), 1 << 16)).matches("(?s).*\"type\"\\s*:\\s*\"bundle\".*");
      Collector c = new Collector(display, stix ? "stix" : "misp");
      if (stix) {
        try {
          ReferenceStixImporter.read(Files.newInputStream(f), c);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          c.error(e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + " column "
              + e.getLocation().getColumnNr(), "malformed JSON: " + e.getOriginalMessage());
        }
      } else {
        JsonNode root = StixImporter.JSON.readTree(text);
        MispImporter.read(root, c);
      }
      return c;
    }
    String name = f.getFileName().toString();
    Collector c = new Collector(display, name.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "list");
    ReferenceListImporter.read(new BufferedReader(new StringReader(text)), c, name);
    return c;
  }

  /** The live indicators: newest version per id, revoked dropped, equal clauses merged. */
  static List<Indicator> merge(Collection<Indicator> all) {
    Map<String, Indicator> newest = new LinkedHashMap<>();
    for (Indicator i : all) {
      newest.merge(i.id(), i, ReferenceLoader::newer);
    }
    Map<List<List<Observable>>, Indicator> byClauses = new LinkedHashMap<>();
    for (Indicator i : newest.values()) {
      if (!i.revoked()) {
        byClauses.merge(i.clauses(), i, ReferenceLoader::combine);
      }
    }
    return new ArrayList<>(byClauses.values());
  }

  private static Indicator newer(Indicator a, Indicator b) {
    int cmp = a.modified().compareTo(b.modified());
    if (cmp != 0) {
      return cmp > 0 ? a : b;
    }
    return combine(a, b);
  }

  private static Indicator combine(Indicator a, Indicator b) {
    LinkedHashSet<Source> sources = new LinkedHashSet<>(a.sources());
    sources.addAll(b.sources());
    LinkedHashSet<String> labels = new LinkedHashSet<>(a.labels());
    labels.addAll(b.labels());
    LinkedHashSet<String> phases = new LinkedHashSet<>(a.killChainPhases());
    phases.addAll(b.killChainPhases());
    LinkedHashSet<String> refs = new LinkedHashSet<>(a.markingRefs());
    refs.addAll(b.markingRefs());
    return new Indicator(a.id(), a.name().isEmpty() ? b.name() : a.name(), a.description().isEmpty()
        ? b.description() : a.description(), a.clauses(), Math.min(a.validFrom(), b.validFrom()),
        Math.max(a.validUntil(), b.validUntil()), false, List.copyOf(labels), a.indicatorTypes(),
        List.copyOf(phases), a.createdByRef(), List.copyOf(refs), a.modified(), List.copyOf(sources));
  }
}
