package org.lovcen.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.lovcen.core.LovcenException;
import org.lovcen.kafka.KafkaSettings;
import org.lovcen.kafka.Publisher;
import org.lovcen.kafka.Worker;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lovcen worker}: one detection instance of the Kafka runner (docs/KAFKA.md). */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = {"Runs one detection instance on Kafka: the same rules, correlations, indicators and website "
        + "detectors as hunt and serve, over this instance's share of the events topic's partitions. Start several, "
        + "on one machine or many, with the same settings; when one dies the others take over its partitions and "
        + "their correlation and website detection state.",
        "Rules and indicators come from the compacted topics ('lovcen worker publish'). Stops cleanly on SIGTERM."},
    subcommands = {WorkerCommand.Publish.class})
final class WorkerCommand implements Callable<Integer> {
  /** Cluster and topic options shared by the worker and its subcommands. */
  static final class Cluster {
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT,...",
        description = "Kafka brokers (default: LOVCEN_KAFKA_BOOTSTRAP).")
    String bootstrap;

    @Option(names = "--prefix", defaultValue = "lovcen.", description = "Topic and application-id prefix "
        + "(default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--partitions", defaultValue = "12", description = "Partitions of the events and hits topics "
        + "when they are created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--replication", defaultValue = "3", description = "Replication factor of created topics and "
        + "state changelogs (default: ${DEFAULT-VALUE}).")
    short replication;

    @Option(names = "--client", paramLabel = "KEY=VALUE", description = "A Kafka client property (security, "
        + "timeouts), repeatable.")
    Map<String, String> client = new LinkedHashMap<>();

    KafkaSettings settings() {
      String b = bootstrap != null ? bootstrap : System.getenv("LOVCEN_KAFKA_BOOTSTRAP");
      if (b == null || b.isBlank()) {
        throw new LovcenException("no Kafka brokers: give --bootstrap or set LOVCEN_KAFKA_BOOTSTRAP");
      }
      return KafkaSettings.defaults(b).withPrefix(prefix).withTopics(partitions, replication).withClient(client);
    }
  }

  @CommandLine.Mixin
  Cluster cluster = new Cluster();

  @Option(names = "--threads", defaultValue = "1", description = "Stream threads, one per core to use "
      + "(default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--standbys", defaultValue = "0", description = "Warm standby copies of each task's state on "
      + "other workers (default: ${DEFAULT-VALUE}).")
  int standbys;

  @Option(names = "--lateness", defaultValue = "60", description = "Seconds a correlation hit may arrive behind the "
      + "newest of its institution (default: ${DEFAULT-VALUE}).")
  long lateness;

  @Option(names = "--idle-close", defaultValue = "10", description = "Seconds without hits after which open "
      + "correlation episodes are emitted (default: ${DEFAULT-VALUE}).")
  double idleClose;

  @Option(names = "--state-dir", paramLabel = "DIR", description = "Local state stores (default: "
      + "<data>/kafka-state).")
  Path stateDir;

  @Option(names = "--web-config", paramLabel = "FILE", description = "Website detectors' parameters (YAML, "
      + "docs/WEB.md); give every worker the same file (default: the documented defaults).")
  Path webConfig;

  @Override
  public Integer call() throws Exception {
    KafkaSettings s = cluster.settings().withThreads(threads, standbys)
        .withLateness(lateness * 1_000_000L, Math.max(1, Math.round(idleClose * 1000)))
        .withStateDir(stateDir != null ? stateDir : RuleSources.dataDir().resolve("kafka-state"));
    Files.createDirectories(s.stateDir());
    CountDownLatch stop = new CountDownLatch(1);
    org.lovcen.web.WebConfig web = webConfig == null ? org.lovcen.web.WebConfig.DEFAULT
        : org.lovcen.web.WebConfig.load(webConfig);
    try (Worker w = Worker.start(s, org.lovcen.sigma.RuleSet.Options.defaults(), web)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        w.close();
        stop.countDown();
      }, "lovcen-worker-stop"));
      if (!w.awaitRunning(Duration.ofMinutes(10))) {
        throw new LovcenException("the worker did not start within 10 minutes (state " + w.state() + ")");
      }
      org.lovcen.kafka.RuleBook.Snapshot r = w.rules().current();
      System.err.printf(java.util.Locale.ROOT, "lovcen: worker running (%s, %d rules, %d indicators, %d threads)%n",
          s.applicationId(), r.rules().rules().size(), r.indicators().size(), threads);
      stop.await();
    }
    return 0;
  }

  /** {@code lovcen worker publish}: rules and indicators to the compacted topics. */
  @Command(name = "publish", mixinStandardHelpOptions = true,
      description = "Publishes rule folders and indicator files to the rules and indicators topics; every worker "
          + "swaps them in without a restart. A rule is named by its folder's name and its path below it; "
          + "publishing a name again replaces the rule.")
  static final class Publish implements Callable<Integer> {
    @CommandLine.Mixin
    Cluster cluster = new Cluster();

    @Option(names = "--rules", paramLabel = "DIR", description = "A rule folder, repeatable.")
    List<Path> rules = List.of();

    @Option(names = "--indicators", paramLabel = "FILE", description = "An indicator file (STIX, MISP, list, CSV), "
        + "repeatable; its file name names the source.")
    List<Path> indicators = List.of();

    @Option(names = "--delete-rule", paramLabel = "NAME", description = "Removes a rule by name, repeatable.")
    List<String> deletes = List.of();

    @Parameters(hidden = true)
    List<String> none = List.of();

    @Override
    public Integer call() throws Exception {
      try (Publisher p = new Publisher(cluster.settings())) {
        int n = 0;
        for (Path dir : rules) {
          Map<String, String> texts = Publisher.ruleTexts(dir);
          p.publishRules(texts);
          n += texts.size();
        }
        for (Path f : indicators) {
          p.publishIndicators(f.getFileName().toString(), Files.readAllBytes(f));
        }
        deletes.forEach(p::deleteRule);
        System.out.printf(java.util.Locale.ROOT, "published %d rules, %d indicator sources, %d deletions%n", n,
            indicators.size(), deletes.size());
      }
      return 0;
    }
  }
}
