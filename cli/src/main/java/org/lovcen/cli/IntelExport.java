package org.lovcen.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lovcen.core.InputException;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Timestamps;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.intel.Intel;
import org.lovcen.intel.Marking;
import org.lovcen.intel.Pattern;
import org.lovcen.intel.Sighting;
import org.lovcen.intel.Source;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lovcen intel export}: a hunt's sighted indicators as a STIX 2.1 bundle or a MISP event. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Exports the indicators a hunt sighted (its JSONL output), with sightings and markings, as a "
        + "STIX 2.1 bundle or a MISP event. TLP:RED indicators are never exported."})
final class IntelExport implements Callable<Integer> {
  @Option(names = "--from", required = true, paramLabel = "FILE", description = "JSONL output of 'lovcen hunt "
      + "--format jsonl'.")
  Path from;

  @Option(names = "--format", defaultValue = "stix", description = "stix or misp (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--identity", defaultValue = "Lovcen CERT", paramLabel = "NAME",
      description = "The CERT's name, creator and sighter of the export (default: ${DEFAULT-VALUE}).")
  String identity;

  @Option(names = "--indicators", paramLabel = "FILE_OR_DIR", description = "The indicator files of the hunt "
      + "(repeatable): indicators found there are exported with all their fields, not only what the alerts carry.")
  List<Path> indicators;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of stdout.")
  Path output;

  @Override
  public Integer call() throws IOException {
    String f = format.toLowerCase(Locale.ROOT);
    if (!f.equals("stix") && !f.equals("misp")) {
      throw new LovcenException("unknown format '" + format + "' (stix or misp)");
    }
    IndicatorSet known = IntelCommand.load(indicators, null);
    Map<String, Indicator> found = new LinkedHashMap<>();
    Map<String, Sighting> sightings = read(from, known, found);
    long now = System.currentTimeMillis() * 1000;
    try (Writer out = output == null ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
        : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      int n = f.equals("stix") ? Intel.exportStix(found.values(), sightings, identity, now, out)
          : Intel.exportMisp(found.values(), sightings, identity, now, out);
      out.flush();
      System.err.printf(Locale.ROOT, "lovcen: %d of %d sighted indicators exported (TLP:RED withheld)%n",
          f.equals("stix") ? n : (int) found.values().stream().filter(i -> i.marking() != Marking.RED).count(),
          found.size());
    }
    return 0;
  }

  /** Indicator alerts of a hunt's JSONL: the indicators (into {@code found}) and a sighting each. */
  static Map<String, Sighting> read(Path jsonl, IndicatorSet known, Map<String, Indicator> found) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, long[]> stats = new LinkedHashMap<>();
    Map<String, LinkedHashSet<String>> where = new LinkedHashMap<>();
    try (BufferedReader r = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode a = json.readTree(line);
        if (!"indicator".equals(a.path("kind").asText())) {
          continue;
        }
        JsonNode ind = a.path("indicator");
        String id = ind.path("id").asText("");
        if (!found.containsKey(id)) {
          found.put(id, known.find(id) != null ? known.find(id) : fromAlert(ind, jsonl + ":" + n));
        }
        long t = Timestamps.parse(a.path("timestamp").asText(""));
        long[] s = stats.computeIfAbsent(id, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
        s[0] = Math.min(s[0], t);
        s[1] = Math.max(s[1], t);
        s[2]++;
        String inst = a.path("institution").asText("");
        where.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(inst.isEmpty() ? a.path("host").asText("") : inst);
      }
    }
    Map<String, Sighting> out = new LinkedHashMap<>();
    stats.forEach((id, s) -> out.put(id, new Sighting(id, s[0], s[1], (int) s[2], new ArrayList<>(where.get(id)))));
    return out;
  }

  private static Indicator fromAlert(JsonNode ind, String position) {
    try {
      List<Source> sources = new ArrayList<>();
      for (JsonNode s : ind.path("sources")) {
        Marking m = Marking.ofLabel(s.path("marking").asText(""));
        sources.add(new Source(s.path("name").asText(""), "", s.path("confidence").asInt(-1),
            m == null ? Marking.NONE : m, -1));
      }
      Marking m = Marking.ofLabel(ind.path("marking").asText(""));
      return new Indicator(ind.path("id").asText(""), "", "", Pattern.parse(ind.path("pattern").asText("")).clauses(),
          Long.MIN_VALUE, Long.MAX_VALUE, false, List.of(), List.of(), List.of(), "",
          m == null ? List.of() : List.of(m.stixId()), "", sources);
    } catch (LovcenException e) {
      throw new InputException(position, "", "indicator alert without a usable pattern: " + e.getMessage());
    }
  }
}
