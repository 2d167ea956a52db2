package org.lovcen.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * Test fixture: a real single-node Kafka (broker and controller in one process, KRaft) inside the
 * test JVM, from the Maven artifacts, on free ports, with its log in a temporary folder that is
 * deleted on close. Settings are those of a test cluster: replication 1, short group and
 * transaction timeouts so that a dead worker is noticed in seconds.
 */
public final class KafkaBroker implements AutoCloseable {
  private final KafkaConfig config;
  private KafkaRaftServer server;
  private final Path dir;
  private final String bootstrap;

  private KafkaBroker(KafkaConfig config, KafkaRaftServer server, Path dir, String bootstrap) {
    this.config = config;
    this.server = server;
    this.dir = dir;
    this.bootstrap = bootstrap;
  }

  /** Formats a log folder and starts the node; returns when it answers metadata requests. */
  public static KafkaBroker start() throws Exception {
    Path dir = Files.createTempDirectory("lovcen-kafka-");
    int port = freePort();
    int controller = freePort();
    Properties p = new Properties();
    p.putAll(Map.ofEntries(
        Map.entry("process.roles", "broker,controller"),
        Map.entry("node.id", "1"),
        Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controller),
        Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller),
        Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port),
        Map.entry("controller.listener.names", "CONTROLLER"),
        Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        Map.entry("inter.broker.listener.name", "PLAINTEXT"),
        Map.entry("log.dirs", dir.toString()),
        Map.entry("num.partitions", "1"),
        Map.entry("auto.create.topics.enable", "false"),
        Map.entry("offsets.topic.replication.factor", "1"),
        Map.entry("offsets.topic.num.partitions", "2"),
        Map.entry("transaction.state.log.replication.factor", "1"),
        Map.entry("transaction.state.log.min.isr", "1"),
        Map.entry("transaction.state.log.num.partitions", "2"),
        Map.entry("share.coordinator.state.topic.replication.factor", "1"),
        Map.entry("share.coordinator.state.topic.min.isr", "1"),
        Map.entry("group.initial.rebalance.delay.ms", "0"),
        Map.entry("group.min.session.timeout.ms", "1000"),
        Map.entry("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000"),
        Map.entry("log.cleaner.backoff.ms", "1000"),
        Map.entry("num.network.threads", "2"),
        Map.entry("num.io.threads", "2"),
        Map.entry("background.threads", "2"),
        Map.entry("log.flush.interval.messages", Long.toString(Long.MAX_VALUE))));
    KafkaConfig config = KafkaConfig.fromProps(p);
    new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
        .setClusterId(Uuid.randomUuid().toString()).setNodeId(1).setDirectories(List.of(dir.toString()))
        .setMetadataLogDirectory(dir.toString()).setControllerListenerName("CONTROLLER")
        .setReleaseVersion(MetadataVersion.latestProduction()).run();
    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    KafkaBroker b = new KafkaBroker(config, server, dir, "127.0.0.1:" + port);
    b.awaitReady();
    return b;
  }

  private void awaitReady() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() > deadline) {
            throw e;
          }
        }
        Thread.sleep(100);
      }
    }
  }

  /** Stops the node, keeping its log (a broker that went away); {@link #restart} brings it back. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /** Starts a stopped node again on the same ports and log; returns when it answers. */
  public synchronized void restart() throws Exception {
    if (server == null) {
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      awaitReady();
    }
  }

  /** {@code host:port} of the broker. */
  public String bootstrap() {
    return bootstrap;
  }

  /**
   * Lovcen's settings for this broker: topics under {@code prefix}, replication 1, client
   * timeouts short enough to notice a dead worker in seconds.
   */
  public KafkaSettings settings(String prefix, Path stateDir) {
    return KafkaSettings.defaults(bootstrap).withPrefix(prefix).withTopics(2, (short) 1).withStateDir(stateDir)
        .withClient(Map.of("session.timeout.ms", "6000", "heartbeat.interval.ms", "1000",
            "metadata.max.age.ms", "5000"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    stop();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  /** Waits for {@code d}. */
  static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
