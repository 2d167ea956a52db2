package org.lovcen.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lovcen.core.Level;
import org.lovcen.core.LovcenException;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.RuleSet;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.WebConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen hunt}: offline triage of collected logs. */
@Command(name = "hunt", mixinStandardHelpOptions = true,
    description = {"Runs Sigma rules over event log files and folders and prints a timeline of detections.",
        "Exit code: 0 nothing found, 1 detections found, 2 bad usage or input, 3 internal error."})
final class HuntCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or folders (recursive): .json, .jsonl, "
      + ".ndjson (gzip too), .evtx")
  List<Path> paths;

  @Option(names = "--rules", paramLabel = "DIR", description = "Rule files or folders (repeatable). Default: "
      + "LOVCEN_RULES, else the project's rules/ plus the SigmaHQ corpus when present.")
  List<Path> rules;

  @Option(names = "--indicators", paramLabel = "FILE_OR_DIR", description = "Indicator files or folders "
      + "(repeatable): STIX 2.1 bundles, MISP events and feeds, lists and CSV; formats detected. Every event is "
      + "also matched against them.")
  List<Path> indicators;

  @Option(names = "--min-level", paramLabel = "LEVEL", defaultValue = "informational",
      description = "Lowest rule level to run: informational, low, medium, high, critical (default: ${DEFAULT-VALUE}).")
  String minLevel;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
      description = "table, csv or jsonl (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write detections here instead of stdout.")
  Path output;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
  Integer threads;

  @Option(names = "--all-statuses", description = "Also run rules whose status is deprecated or unsupported.")
  boolean allStatuses;

  @Option(names = "--placeholders", paramLabel = "FILE", description = "YAML: placeholder name -> values, for "
      + "rules using the expand modifier.")
  Path placeholders;

  @Option(names = "--mapping", paramLabel = "FILE", description = "Extra logsource mapping (repeatable).")
  List<Path> mappings;

  @Option(names = "--institution", paramLabel = "ID", description = "Institution the logs belong to.")
  String institution;

  @Option(names = "--host", paramLabel = "NAME", description = "Host name to set on every event.")
  String host;

  @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "auto",
      description = "Access logs: auto, clf, json, or an nginx log_format string with $variables "
          + "(default: ${DEFAULT-VALUE}; see docs/WEB.md).")
  String logFormat;

  @Option(names = "--web-config", paramLabel = "FILE", description = "YAML parameters of the website detectors "
      + "(defaults in docs/WEB.md).")
  Path webConfig;

  @Option(names = "--no-summary", description = "Do not print the summary.")
  boolean noSummary;

  @Option(names = "--quiet", description = "No progress bar and no warnings about skipped input on stderr.")
  boolean quiet;

  @Override
  public Integer call() throws IOException {
    AlertWriter.Format fmt = parseFormat(format);
    Level level = Level.parse(minLevel);
    PrintStream err = System.err;
    long t0 = System.nanoTime();
    RuleSet set = RuleSet.load(RuleSources.resolve(rules), RuleSources.options(placeholders, mappings)
        .withMinLevel(level).withAllStatuses(allStatuses));
    RuleSet.Report rep = set.report();
    if (!quiet && !rep.errors().isEmpty()) {
      err.println("lovcen: " + rep.errors().size() + " rule file problem(s); see 'lovcen rules check'");
    }
    if (set.variants() == 0) {
      throw new LovcenException("no rules to run (" + rep.loaded() + " loaded, " + rep.active() + " active)");
    }
    IndicatorSet intel = IntelCommand.load(indicators, quiet ? null : err);
    long t1 = System.nanoTime();
    Problems problems = new Problems(quiet ? null : err, 20);
    List<Path> files = new ArrayList<>(Readers.expand(paths));
    files.addAll(WebHunt.logsInFolders(paths, files));
    List<Path> eventFiles = new ArrayList<>();
    List<EventSource> sources = new ArrayList<>(WebHunt.open(files, AccessLogFormat.parse(logFormat), institution,
        eventFiles));
    WebHunt web = sources.isEmpty() ? null
        : new WebHunt(webConfig == null ? WebConfig.DEFAULT : WebConfig.load(webConfig), institution);
    sources.addAll(Readers.openAll(eventFiles, new ReadOptions(institution, host), problems));
    long total = sources.stream().mapToLong(EventSource::size).sum();
    int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
    Hunt.Result result;
    boolean tty = System.console() != null && !quiet;
    try (ProgressBar bar = tty ? progress(total) : null) {
      AtomicLong done = new AtomicLong();
      result = new Hunt(set, n).web(web).indicators(intel).run(sources, problems, bytes -> {
        long d = done.addAndGet(bytes);
        if (bar != null) {
          bar.stepTo(d);
        }
      });
    }
    long t2 = System.nanoTime();
    try (Writer out = output == null ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
        : Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
      AlertWriter.write(result.alerts(), fmt, out, output == null && tty && fmt == AlertWriter.Format.TABLE);
      if (web != null) {
        AlertWriter.writeDecisions(web.decisions(), fmt, out);
      }
      if (!noSummary && fmt == AlertWriter.Format.TABLE && output == null) {
        Summary.print(result, problems.count(), files.size(), set, (t1 - t0) / 1e9, (t2 - t1) / 1e9, out, tty);
      }
    }
    if (!noSummary && (fmt != AlertWriter.Format.TABLE || output != null) && !quiet) {
      Writer w = new OutputStreamWriter(err, StandardCharsets.UTF_8);
      Summary.print(result, problems.count(), files.size(), set, (t1 - t0) / 1e9, (t2 - t1) / 1e9, w, false);
      w.flush();
    }
    return result.alerts().isEmpty() && (web == null || web.decisions().isEmpty()) ? Main.CLEAN : Main.DETECTIONS;
  }

  private static ProgressBar progress(long total) {
    return new ProgressBarBuilder().setTaskName("hunt").setInitialMax(Math.max(1, total))
        .setStyle(ProgressBarStyle.ASCII).setUnit(" MB", 1 << 20).setConsumer(
            new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
  }

  static AlertWriter.Format parseFormat(String f) {
    try {
      return AlertWriter.Format.valueOf(f.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new LovcenException("unknown format '" + f + "' (table, csv or jsonl)");
    }
  }
}
