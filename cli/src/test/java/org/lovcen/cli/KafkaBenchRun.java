package org.lovcen.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lovcen.kafka.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: runs {@code lovcen bench --kafka} for one and two workers in child JVMs against a
 * single-node broker in this JVM, whose CPU is then the broker's (docs/PERFORMANCE.md). Enabled
 * with {@code -Dlovcen.kafkaBench=EVENTS}; the output is in
 * {@code cli/target/kafka-bench-1.txt} and {@code -2.txt}.
 */
@EnabledIfSystemProperty(named = "lovcen.kafkaBench", matches = "\\d+")
class KafkaBenchRun {
  @Test
  void bench() throws Exception {
    String events = System.getProperty("lovcen.kafkaBench");
    try (KafkaBroker broker = KafkaBroker.start()) {
      for (String workers : List.of("1", "2")) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"), "org.lovcen.cli.Main",
            "bench", "--kafka", broker.bootstrap(), "--workers", workers, "--events", events, "--partitions", "12",
            "--rules", Project.ownRules().toString(), "--broker-pid", Long.toString(ProcessHandle.current().pid())));
        String shared = System.getProperty("lovcen.shared");
        if (shared != null && java.nio.file.Files.isDirectory(Path.of(shared, "sigma/rules"))) {
          cmd.addAll(List.of("--rules", Path.of(shared, "sigma/rules").toString()));
        }
        Path out = Path.of("target", "kafka-bench-" + workers + ".txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (p.waitFor() != 0) {
          throw new AssertionError("bench exited with " + p.exitValue() + ":\n" + java.nio.file.Files.readString(out));
        }
      }
    }
  }
}
