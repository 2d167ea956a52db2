package org.lovcen.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.core.SharedData;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/*
 * How and why: the figure that matters is events per second per core for the whole rule corpus
 * with parsing included, so the benchmark runs the real hunt pipeline (readers, evaluators,
 * correlations) and divides by the CPU time of its threads, which other load on the machine
 * does not inflate. The
 * corpus is the demo generator's ordinary activity with the intrusion mixed in, plus the SigmaHQ
 * regression samples, written to a temporary JSON-lines file first so that generation is not
 * timed. A second pass over the first events with the prefilter and indexes off must give the
 * same detections.
 */
/** {@code lovcen bench}: throughput of detection with the full rule corpus. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measures events/s and MB/s per core of reading plus detection with all rules.")
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--events", description = "Ordinary events to generate (default: 1,000,000; with --serve "
      + "200,000, sent round and round).")
  Long events;

  @Option(names = "--input", paramLabel = "PATH", description = "Measure over these files or folders (JSON or "
      + "EVTX) instead of generated data (repeatable).")
  List<Path> input;

  @Option(names = "--rules", paramLabel = "DIR", description = "Rules (default as for hunt).")
  List<Path> rules;

  @Option(names = "--threads", defaultValue = "1", description = "Worker threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--check", defaultValue = "50000", description = "Events compared against a run with the "
      + "prefilter off (default: ${DEFAULT-VALUE}; 0 skips).")
  int check;

  @Option(names = "--no-correlations", description = "Do not run correlation rules (to measure what they cost).")
  boolean noCorrelations;

  @Option(names = "--repeat", defaultValue = "2", description = "Timed passes; the best is reported (default: "
      + "${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--web", description = "Measure access-log parsing plus all website detectors instead.")
  boolean web;

  @Option(names = "--serve", description = "Measure the server instead: ingest over HTTP, storage and detection "
      + "(with --clients, --seconds, --warmup, --batch, --database).")
  boolean serve;

  @Option(names = "--kafka", paramLabel = "HOST:PORT,...", description = "Measure the Kafka runner instead: the "
      + "demo corpus produced to fresh topics on these brokers, then detected by --workers workers.")
  String kafka;

  @Option(names = "--workers", defaultValue = "1", description = "With --kafka: workers in this process, one stream "
      + "thread each (default: ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--partitions", defaultValue = "12", description = "With --kafka: partitions of the events topic "
      + "(default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--broker-pid", defaultValue = "0", description = "With --kafka: the broker's process id on this "
      + "machine, to report its share of the CPU.")
  long brokerPid;

  @Option(names = "--clients", defaultValue = "4", description = "With --serve: concurrent HTTP clients (default: "
      + "${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--seconds", defaultValue = "60", description = "With --serve: length of the measured phase "
      + "(default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup", defaultValue = "30", description = "With --serve: seconds of warm-up before it "
      + "(default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--batch", defaultValue = "1000", description = "With --serve: events per ingest request "
      + "(default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--rate", defaultValue = "0", description = "With --serve: events/s the clients offer in all "
      + "(default: 0, as fast as the server answers).")
  int rate;

  @Option(names = "--database", paramLabel = "URL", description = "With --serve: the store (default: embedded "
      + "SQLite in a temporary folder), e.g. postgresql://user:password@host:port/db.")
  String database;

  @Option(names = "--indicators", paramLabel = "FILE_OR_DIR", description = "Also match every event against these "
      + "indicators (repeatable), as hunt --indicators does.")
  List<Path> indicators;

  private org.lovcen.intel.IndicatorSet intel = org.lovcen.intel.IndicatorSet.EMPTY;

  @Override
  public Integer call() throws Exception {
    if (web) {
      return WebBench.run(repeat + 1);
    }
    if (kafka != null) {
      return KafkaBench.run(new KafkaBench.Options(kafka, workers, events == null ? 200_000 : events, partitions,
          rules, brokerPid));
    }
    if (serve) {
      return ServeBench.run(new ServeBench.Options(events == null ? 200_000 : events, rules, clients, seconds, warmup,
          batch, database, rate));
    }
    if (indicators != null && !indicators.isEmpty()) {
      long i0 = System.nanoTime();
      intel = IntelCommand.load(indicators, null);
      out("indicators: %,d live, loaded and compiled in %.1f s", intel.size(), (System.nanoTime() - i0) / 1e9);
    }
    List<Path> rulePaths = RuleSources.resolve(rules);
    long t0 = System.nanoTime();
    RuleSet set = RuleSet.load(rulePaths, RuleSet.Options.defaults());
    double load = (System.nanoTime() - t0) / 1e9;
    out("rules: %,d rules, %,d variants, loaded in %.1f s; %s", set.rules().size(), set.variants(), load,
        set.prefilterSummary());
    Path tmp = null;
    List<Path> files;
    if (input != null && !input.isEmpty()) {
      files = Readers.expand(input);
    } else {
      tmp = Files.createTempDirectory("lovcen-bench");
      files = List.of(corpus(tmp.resolve("corpus.jsonl")));
    }
    try {
      long bytes = 0;
      for (Path f : files) {
        bytes += Files.size(f);
      }
      out("input: %d file(s), %,.1f MB", files.size(), bytes / 1e6);
      Pass best = null;
      for (int i = 0; i < repeat; i++) {
        resetPeaks();
        Pass p = pass(set, files, !noCorrelations);
        out("pass %d: %,d events, %,d detections, %.2f s wall, %,.0f events/s per core, %,.1f MB/s per core, "
            + "heap peak %,d MB", i + 1, p.events, p.detections, p.wall, p.events / p.cpu, bytes / 1e6 / p.cpu,
            heapPeak() >> 20);
        if (best == null || p.cpu < best.cpu) {
          best = p;
        }
      }
      out("result: %,.0f events/s per core, %,.1f MB/s per core (%s, %d thread(s), %,d rules); %,.0f events/s "
          + "wall", best.events / best.cpu, bytes / 1e6 / best.cpu, System.getProperty("java.vm.version"), threads,
          set.rules().size(), best.events / best.wall);
      return check > 0 ? differential(set, rulePaths, files) : 0;
    } finally {
      if (tmp != null) {
        RulesCommand.Update.deleteTree(tmp);
      }
    }
  }

  private record Pass(long events, long detections, double wall, double cpu) {}

  /** One pass of the hunt pipeline; per-core figures divide by the CPU time of its threads. */
  private Pass pass(RuleSet set, List<Path> files, boolean correlate) {
    long w0 = System.nanoTime();
    Hunt hunt = new Hunt(set, threads).indicators(intel).countOnly();
    if (!correlate) {
      hunt.withoutCorrelations();
    }
    Hunt.Result r = hunt.run(Readers.openAll(files, ReadOptions.DEFAULT, p -> {}), p -> {}, b -> {});
    double wall = (System.nanoTime() - w0) / 1e9;
    return new Pass(r.events(), r.detections(), wall, r.cpuNanos() / 1e9);
  }

  /** Detections of the first {@code check} events with and without prefilter and indexes. */
  private int differential(RuleSet fast, List<Path> rulePaths, List<Path> files) {
    RuleSet plain = RuleSet.load(rulePaths, RuleSet.Options.defaults().withPrefilter(false));
    Map<String, Integer> a = detections(fast, files);
    Map<String, Integer> b = detections(plain, files);
    int total = a.values().stream().mapToInt(Integer::intValue).sum();
    if (!a.equals(b)) {
      out("check: FAILED: %,d detections with the prefilter, %,d without, over the first %,d events", total,
          b.values().stream().mapToInt(Integer::intValue).sum(), check);
      return 1;
    }
    out("check: the first %,d events give the same %,d detections with the prefilter and indexes off", check, total);
    return 0;
  }

  private Map<String, Integer> detections(RuleSet set, List<Path> files) {
    Map<String, Integer> out = new HashMap<>();
    Evaluator ev = set.evaluator();
    long[] n = {0};
    for (EventSource src : Readers.openAll(files, ReadOptions.DEFAULT, p -> {})) {
      for (EventSource.Split s : src.splits()) {
        s.read(new Event(), e -> {
          if (n[0]++ < check) {
            ev.evaluate(e, (r, x) -> out.merge(r.id() + "@" + x.source() + ":" + x.record(), 1, Integer::sum));
          }
        }, p -> {});
      }
    }
    return out;
  }

  /** Writes the generator's stream, then the regression samples as JSON lines. */
  private Path corpus(Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      ScenarioGenerator.Summary s = ScenarioGenerator.writeTo(out, ScenarioGenerator.Options.defaults()
          .withEvents(events == null ? 1_000_000 : events).withInstitutions(4).withHosts(300));
      long samples = regressionSamples(out);
      out("corpus: %,d generated events (%,d of the intrusion) + %,d SigmaHQ regression events", s.events(),
          s.attackEvents(), samples);
    }
    return file;
  }

  private static long regressionSamples(OutputStream out) throws IOException {
    Path dir = SharedData.resolve("sigma/regression");
    if (dir == null) {
      return 0;
    }
    JsonFactory f = new JsonFactory();
    long n = 0;
    List<Path> jsons;
    try (Stream<Path> s = Files.walk(dir)) {
      jsons = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path p : jsons) {
      try (JsonParser in = f.createParser(p.toFile())) {
        while (in.nextToken() == JsonToken.START_OBJECT) {
          java.io.StringWriter w = new java.io.StringWriter();
          try (JsonGenerator g = f.createGenerator(w)) {
            g.copyCurrentStructure(in);
          }
          out.write(w.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          out.write('\n');
          n++;
        }
      }
    }
    return n;
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      p.resetPeakUsage();
    }
  }

  private static long heapPeak() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static void out(String fmt, Object... args) {
    System.out.println(String.format(Locale.ROOT, fmt, args));
    System.out.flush();
  }

  static {
    if (Runtime.version().feature() < 21) {
      throw new LovcenException("Java 21 or newer is needed");
    }
  }
}
