package org.lovcen.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Problem;
import org.lovcen.intel.ImportReport;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.intel.Intel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen intel}: check indicator files, export a hunt's indicators. */
@Command(name = "intel", mixinStandardHelpOptions = true, description = "Indicators from partner CERTs.",
    subcommands = {IntelCommand.Check.class, IntelExport.class, IntelBench.class})
final class IntelCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /**
   * Loads and compiles the indicators of {@code paths} for hunt; a one-line note on {@code err}
   * (when not null) when some objects were skipped. Empty set when no paths are given.
   */
  static IndicatorSet load(List<Path> paths, PrintStream err) {
    if (paths == null || paths.isEmpty()) {
      return IndicatorSet.EMPTY;
    }
    Intel.Loaded l = Intel.load(paths);
    int errors = l.reports().stream().mapToInt(r -> r.errors().size()).sum();
    int unsupported = l.reports().stream().mapToInt(r -> r.unsupported().size()).sum();
    IndicatorSet set = l.compile();
    if (err != null) {
      err.printf(Locale.ROOT, "lovcen: %,d indicators loaded (%,d live after merging)%s%n", l.indicators().size(),
          set.size(), errors + unsupported == 0 ? "" : String.format(Locale.ROOT,
              "; %d unsupported, %d malformed: see 'lovcen intel check'", unsupported, errors));
    }
    return set;
  }

  /** {@code lovcen intel check}. */
  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Reads indicator files and folders; counts what loads, what is unsupported and what is "
          + "malformed, with reasons. Exit 0 when nothing is malformed, 1 otherwise.")
  static final class Check implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "STIX bundles, MISP events or feed folders, "
        + "lists, CSV.")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws IOException {
      Intel.Loaded l = Intel.load(paths);
      Writer out = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
      switch (format.toLowerCase(Locale.ROOT)) {
        case "json" -> json(l, out);
        case "text" -> text(l, out);
        default -> throw new LovcenException("unknown format '" + format + "' (text or json)");
      }
      out.flush();
      return l.reports().stream().allMatch(r -> r.errors().isEmpty()) ? 0 : 1;
    }

    /** The contract: {"files":[{file,format,loaded,skipped,unsupported:[{position,reason}],errors:[...]}],"live":N}. */
    static void json(Intel.Loaded l, Writer out) throws IOException {
      try (JsonGenerator g = AlertWriter.JSON.createGenerator(out)) {
        g.useDefaultPrettyPrinter();
        g.writeStartObject();
        g.writeArrayFieldStart("files");
        for (ImportReport r : l.reports()) {
          g.writeStartObject();
          g.writeStringField("file", r.file());
          g.writeStringField("format", r.format());
          g.writeNumberField("loaded", r.loaded());
          g.writeNumberField("skipped", r.skipped());
          problems(g, "unsupported", r.unsupported());
          problems(g, "errors", r.errors());
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNumberField("loaded", l.indicators().size());
        g.writeNumberField("live", l.compile().size());
        g.writeEndObject();
      }
      out.write('\n');
    }

    private static void problems(JsonGenerator g, String name, List<Problem> ps) throws IOException {
      g.writeArrayFieldStart(name);
      for (Problem p : ps) {
        g.writeStartObject();
        g.writeStringField("position", p.position());
        g.writeStringField("reason", p.reason());
        g.writeEndObject();
      }
      g.writeEndArray();
    }

    private static void text(Intel.Loaded l, Writer out) throws IOException {
      for (ImportReport r : l.reports()) {
        out.write(String.format(Locale.ROOT, "%s (%s): %,d loaded, %,d skipped, %,d unsupported, %,d malformed%n",
            r.file(), r.format(), r.loaded(), r.skipped(), r.unsupported().size(), r.errors().size()));
        for (Problem p : r.unsupported()) {
          out.write("  unsupported " + p + "\n");
        }
        for (Problem p : r.errors()) {
          out.write("  error " + p + "\n");
        }
      }
      out.write(String.format(Locale.ROOT, "total: %,d indicators, %,d live after merging sources%n",
          l.indicators().size(), l.compile().size()));
    }
  }
}
