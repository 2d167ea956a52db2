package org.lovcen.cli;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.lovcen.core.Event;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.kafka.ClusterStatus;
import org.lovcen.kafka.EventProducer;
import org.lovcen.kafka.KafkaSettings;
import org.lovcen.kafka.Publisher;
import org.lovcen.kafka.Worker;
import org.lovcen.sigma.RuleSet;

/*
 * How and why: measures detection on Kafka, not ingest. The demo corpus (four institutions) is
 * produced to fresh topics first; then the workers start, in this process, one stream thread
 * each, and the clock runs from the first worker's RUNNING state until the application has
 * committed every events partition to its end. CPU is this process's (the workers'); the broker's
 * is read from /proc when its process id is given, so that its share can be reported.
 */
/** {@code lovcen bench --kafka}: events/s of N workers against a cluster. */
final class KafkaBench {
  record Options(String bootstrap, int workers, long events, int partitions, List<Path> rules, long brokerPid) {}

  private KafkaBench() {}

  static int run(Options o) throws Exception {
    Path tmp = Files.createTempDirectory("lovcen-kafka-bench");
    String prefix = "bench-" + Long.toHexString(System.nanoTime()) + ".";
    KafkaSettings s = KafkaSettings.defaults(o.bootstrap()).withPrefix(prefix).withTopics(o.partitions(), (short) 1)
        .withLateness(60_000_000L, 2000).withStateDir(tmp.resolve("state"));
    ScenarioGenerator.Summary sum = ScenarioGenerator.generate(tmp.resolve("demo"), ScenarioGenerator.Options
        .defaults().withEvents(o.events()).withInstitutions(4).withHosts(300));
    try (Publisher p = new Publisher(s)) {
      for (Path dir : RuleSources.resolve(o.rules())) {
        p.publishRules(Publisher.ruleTexts(dir));
      }
    }
    long t0 = System.nanoTime();
    long produced = produce(s, tmp.resolve("demo"), sum.institutions());
    double produceSeconds = (System.nanoTime() - t0) / 1e9;
    out("produced %,d events in %.1f s (%,.0f events/s, acks=all, idempotent); %d partitions", produced,
        produceSeconds, produced / produceSeconds, o.partitions());
    List<Worker> workers = new ArrayList<>();
    try (ClusterStatus status = new ClusterStatus(s)) {
      for (int i = 0; i < o.workers(); i++) {
        workers.add(Worker.start(s.withStateDir(tmp.resolve("state-" + i)), RuleSet.Options.defaults()));
      }
      for (Worker w : workers) {
        w.awaitRunning(Duration.ofMinutes(5));
      }
      long cpu0 = cpu();
      long broker0 = brokerCpu(o.brokerPid());
      long w0 = System.nanoTime();
      while (status.lag(s.topics().events()) > 0) {
        Thread.sleep(100);
      }
      double seconds = (System.nanoTime() - w0) / 1e9;
      double workerCpu = (cpu() - cpu0) / 1e9;
      double brokerCpu = (brokerCpu(o.brokerPid()) - broker0) / 1e9;
      out("%d worker(s): %,d events in %.1f s = %,.0f events/s; worker CPU %.1f s (%,.0f events per CPU-second)",
          o.workers(), produced, seconds, produced / seconds, workerCpu, produced / workerCpu);
      if (o.brokerPid() > 0) {
        out("broker CPU %.1f s: %.0f%% of the CPU spent (%,.0f events per broker CPU-second)", brokerCpu,
            100 * brokerCpu / (brokerCpu + workerCpu), produced / brokerCpu);
      }
      out("projection: one core of workers detects %,.0f events/s%s", produced / workerCpu, o.brokerPid() > 0
          ? String.format(Locale.ROOT, "; with this broker's work (replication 1), %,.0f events/s per core of "
              + "workers and broker together, %.2f broker cores per worker core", produced / (workerCpu + brokerCpu),
              brokerCpu / workerCpu) : " (give --broker-pid for the broker's share)");
      // one line for scripts: the figures of docs/PERFORMANCE.md, "Kafka runner"
      out("result workers=%d events=%d seconds=%.3f events_per_second=%.0f worker_cpu_seconds=%.3f "
          + "broker_cpu_seconds=%.3f broker_share=%.3f cores=%d", o.workers(), produced, seconds, produced / seconds,
          workerCpu, brokerCpu, o.brokerPid() > 0 ? brokerCpu / (brokerCpu + workerCpu) : -1,
          Runtime.getRuntime().availableProcessors());
    } finally {
      workers.forEach(Worker::close);
    }
    return 0;
  }

  private static long produce(KafkaSettings s, Path demo, List<String> institutions) throws Exception {
    long n = 0;
    try (EventProducer p = new EventProducer(s)) {
      for (String inst : institutions) {
        List<Path> files;
        try (var walk = Files.walk(demo.resolve(inst))) {
          files = walk.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
        }
        for (EventSource src : Readers.openAll(files, new ReadOptions(inst, null), problem -> {})) {
          for (EventSource.Split split : src.splits()) {
            long[] c = {0};
            split.read(new Event(), e -> {
              p.send(e);
              c[0]++;
            }, problem -> {});
            n += c[0];
          }
        }
      }
      p.flush();
    }
    return n;
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** utime + stime of a process in nanoseconds, from /proc (0 when unknown). */
  static long brokerCpu(long pid) {
    if (pid <= 0) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // clock ticks of 10 ms
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void out(String format, Object... args) {
    System.out.println(String.format(Locale.ROOT, format, args));
  }
}
