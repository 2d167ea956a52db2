package org.lovcen.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lovcen.kafka.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: runs {@code lovcen bench --kafka} for one and two workers in child JVMs against a
 * single-node broker in this JVM, whose CPU is then the broker's (docs/PERFORMANCE.md). Enabled
 * with {@code -Dlovcen.kafkaBench=EVENTS}; the output is in {@code cli/target/kafka-bench-1.txt}
 * and {@code -2.txt}, and the figures side by side in {@code cli/target/kafka-bench.txt}: events/s
 * of one and of two workers, the scaling, the broker's share of the CPU and the projection per
 * core.
 */
@EnabledIfSystemProperty(named = "lovcen.kafkaBench", matches = "\\d+")
class KafkaBenchRun {
  @Test
  void bench() throws Exception {
    String events = System.getProperty("lovcen.kafkaBench");
    List<Map<String, Double>> results = new ArrayList<>();
    try (KafkaBroker broker = KafkaBroker.start()) {
      for (String workers : List.of("1", "2")) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), "org.lovcen.cli.Main",
            "bench", "--kafka", broker.bootstrap(), "--workers", workers, "--events", events, "--partitions", "12",
            "--rules", Project.ownRules().toString(), "--broker-pid", Long.toString(ProcessHandle.current().pid())));
        String shared = System.getProperty("lovcen.shared");
        if (shared != null && Files.isDirectory(Path.of(shared, "sigma/rules"))) {
          cmd.addAll(List.of("--rules", Path.of(shared, "sigma/rules").toString()));
        }
        Path out = Path.of("target", "kafka-bench-" + workers + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (p.waitFor() != 0) {
          throw new AssertionError("bench exited with " + p.exitValue() + ":\n" + Files.readString(out));
        }
        results.add(result(Files.readString(out)));
      }
    }
    String summary = summary(results);
    Files.writeString(Path.of("target", "kafka-bench.txt"), summary);
    System.out.print(summary);
  }

  /** The {@code result key=value ...} line of a bench's output. */
  static Map<String, Double> result(String output) {
    String line = output.lines().filter(l -> l.startsWith("result ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no result line in:\n" + output));
    Map<String, Double> m = new LinkedHashMap<>();
    for (String kv : line.substring(7).split(" ")) {
      int eq = kv.indexOf('=');
      m.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
    }
    return m;
  }

  static String summary(List<Map<String, Double>> r) {
    Map<String, Double> one = r.get(0);
    Map<String, Double> two = r.get(1);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "cores on this machine: %.0f; events per run: %,.0f%n", one.get("cores"),
        one.get("events")));
    b.append("| | 1 worker | 2 workers |\n|---|---|---|\n");
    row(b, "throughput (events/s)", "%,.0f", one.get("events_per_second"), two.get("events_per_second"));
    row(b, "wall time (s)", "%.1f", one.get("seconds"), two.get("seconds"));
    row(b, "worker CPU (s)", "%.1f", one.get("worker_cpu_seconds"), two.get("worker_cpu_seconds"));
    row(b, "events per worker CPU-second", "%,.0f", one.get("events") / one.get("worker_cpu_seconds"),
        two.get("events") / two.get("worker_cpu_seconds"));
    row(b, "broker CPU (s)", "%.1f", one.get("broker_cpu_seconds"), two.get("broker_cpu_seconds"));
    row(b, "broker share of the CPU", "%.0f%%", 100 * one.get("broker_share"), 100 * two.get("broker_share"));
    row(b, "events per CPU-second, workers and broker", "%,.0f",
        one.get("events") / (one.get("worker_cpu_seconds") + one.get("broker_cpu_seconds")),
        two.get("events") / (two.get("worker_cpu_seconds") + two.get("broker_cpu_seconds")));
    b.append(String.format(Locale.ROOT, "two workers / one: %.2f%n", two.get("events_per_second")
        / one.get("events_per_second")));
    return b.toString();
  }

  private static void row(StringBuilder b, String name, String format, double a, double c) {
    b.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, format, a)).append(" | ")
        .append(String.format(Locale.ROOT, format, c)).append(" |\n");
  }
}
