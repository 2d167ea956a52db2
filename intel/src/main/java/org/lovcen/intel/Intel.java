package org.lovcen.intel;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The indicator engine's facade: load indicator files (STIX 2.1 bundles, MISP events and feeds,
 * lists and CSV), compile them into an {@link IndicatorSet} for matching, and export indicators
 * with their sightings as a STIX 2.1 bundle or a MISP event. Stateless; thread-safe.
 */
public final class Intel {
  private Intel() {}

  /**
   * What a load gave.
   *
   * @param indicators every indicator read, in file order, before merging
   * @param reports one report per file read
   */
  public record Loaded(List<Indicator> indicators, List<ImportReport> reports) {
    public Loaded {
      indicators = List.copyOf(indicators);
      reports = List.copyOf(reports);
    }

    /** The compiled live set of these indicators. */
    public IndicatorSet compile() {
      return IndicatorSet.compile(indicators);
    }
  }

  /**
   * Reads indicator files and folders (recursively; a folder with {@code manifest.json} is a
   * MISP feed). Malformed and unsupported objects are reported per file with their position and
   * skipped; everything else is loaded. Several files are read in parallel, one per core; the
   * result is in the order of the files as if read one after the other. Never throws for bad
   * content.
   */
  public static Loaded load(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      files.addAll(IndicatorFiles.expand(p));
    }
    List<Indicator> all = new ArrayList<>();
    List<ImportReport> reports = new ArrayList<>();
    for (Collector c : IndicatorFiles.readAll(files)) {
      all.addAll(c.indicators);
      reports.add(c.report());
    }
    return new Loaded(all, reports);
  }

  /** Reads one file's content, its format detected as for {@link #load}; {@code name} names it in problems. */
  public static Loaded read(byte[] content, String name) {
    try {
      Collector c = IndicatorFiles.read(content, name);
      return new Loaded(c.indicators, List.of(c.report()));
    } catch (IOException e) {
      throw new IntelException(name, "", "cannot read: " + e.getMessage());
    }
  }

  /**
   * Writes indicators and their sightings as a STIX 2.1 bundle with {@code identity} (the CERT)
   * as creator and sighter; TLP:RED indicators are never written.
   *
   * @param sightings by indicator id; indicators without one get no sighting object
   * @param now micros since the epoch, used for created/modified
   * @return the number of indicators written
   */
  public static int exportStix(Collection<Indicator> indicators, Map<String, Sighting> sightings, String identity,
      long now, Writer out) throws IOException {
    return StixExporter.write(indicators, sightings, identity, now, out);
  }

  /**
   * Writes indicators as one MISP event created by {@code org}; TLP:RED indicators are never
   * written.
   *
   * @return the number of attributes written
   */
  public static int exportMisp(Collection<Indicator> indicators, Map<String, Sighting> sightings, String org,
      long now, Writer out) throws IOException {
    return MispExporter.write(indicators, sightings, org, now, out);
  }

  /**
   * One indicator as a STIX 2.1 indicator object (JSON text), its sources with their confidence
   * and marking in the custom property {@code x_lovcen_sources}, so that {@link #indicator} gives
   * it back equal. {@code now} (micros) is its created/modified when it has no modified of its own.
   */
  public static String stixObject(Indicator indicator, long now) {
    return StixExporter.object(indicator, now);
  }

  /**
   * Reads one STIX 2.1 indicator object; {@code source} names where it came from when the object
   * does not list its sources ({@code x_lovcen_sources}). A valid_from at the epoch reads as open.
   *
   * @throws IntelException when the object is malformed, or valid but not matched ({@link
   *     IntelException#unsupported()}), naming the reason
   */
  public static Indicator indicator(com.fasterxml.jackson.databind.JsonNode object, String source) {
    if (object == null || !object.isObject()) {
      throw new IntelException(source, "", "a STIX object must be a JSON object");
    }
    // one object read as a bundle of one, through the same importer as files
    String bundle = "{\"type\":\"bundle\",\"id\":\"bundle--00000000-0000-4000-8000-000000000000\",\"objects\":["
        + object + "]}";
    Loaded l = read(bundle.getBytes(java.nio.charset.StandardCharsets.UTF_8), source);
    if (l.indicators().size() != 1) {
      for (ImportReport r : l.reports()) {
        if (!r.errors().isEmpty()) {
          throw new IntelException(source, "", r.errors().get(0).reason());
        }
        if (!r.unsupported().isEmpty()) {
          throw new IntelException(source, "", r.unsupported().get(0).reason(), true);
        }
      }
      throw new IntelException(source, "", "not a STIX indicator with a pattern Lovcen matches", true);
    }
    Indicator i = l.indicators().get(0);
    return i.validFrom() == 0 ? i.withValidity(Long.MIN_VALUE, i.validUntil()) : i;
  }

  /** {@link #indicator(com.fasterxml.jackson.databind.JsonNode, String)} of JSON text. */
  public static Indicator indicator(String object, String source) {
    try {
      return indicator(StixImporter.JSON.readTree(object), source);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IntelException(source, "", "malformed JSON: " + e.getOriginalMessage());
    }
  }

  /** Compiles the live set (see {@link IndicatorSet#compile}). */
  public static IndicatorSet compile(Collection<Indicator> indicators) {
    return IndicatorSet.compile(indicators);
  }
}
