package org.lovcen.kafka;

import java.nio.file.Path;
import java.util.Map;

/**
 * How Lovcen uses a Kafka cluster: where it is, the topic names, and the detection application's
 * settings. Immutable. Every field is documented in docs/KAFKA.md.
 *
 * @param bootstrap broker addresses, {@code host:port,...}
 * @param prefix prefix of every topic name and of the application id (default {@code lovcen.})
 * @param partitions partitions of the events and hits topics when Lovcen creates them
 * @param replication replication factor of the topics Lovcen creates
 * @param latenessMicros how far behind the newest hit of an institution a correlation hit may arrive,
 *     and behind the newest request an access-log request (website detection)
 * @param idleCloseMillis after this long without hits, a worker emits the open correlation episodes
 *     (and without requests, releases the requests it holds back for ordering)
 * @param threads stream threads per worker
 * @param standbys standby replicas of each task's state (a warm copy on another worker)
 * @param stateDir where a worker keeps its local state stores
 * @param client extra Kafka client properties (security, timeouts), passed to every client as given
 */
public record KafkaSettings(String bootstrap, String prefix, int partitions, short replication, long latenessMicros,
    long idleCloseMillis, int threads, int standbys, Path stateDir, Map<String, String> client) {

  public KafkaSettings {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new KafkaRunnerException("kafka: no bootstrap servers configured");
    }
    if (partitions < 1 || replication < 1 || threads < 1 || standbys < 0 || latenessMicros < 0 || idleCloseMillis < 1) {
      throw new KafkaRunnerException("kafka: partitions, replication, threads must be at least 1, standbys and "
          + "lateness at least 0, idle close at least 1 ms");
    }
    client = Map.copyOf(client);
  }

  /**
   * Defaults: prefix {@code lovcen.}, 12 partitions, replication 3, one minute of lateness, 10 s
   * idle close, one thread, no standby, state under {@code data/kafka-state}.
   */
  public static KafkaSettings defaults(String bootstrap) {
    return new KafkaSettings(bootstrap, "lovcen.", 12, (short) 3, 60_000_000L, 10_000, 1, 0,
        Path.of("data", "kafka-state"), Map.of());
  }

  public KafkaSettings withPrefix(String p) {
    return new KafkaSettings(bootstrap, p, partitions, replication, latenessMicros, idleCloseMillis, threads, standbys,
        stateDir, client);
  }

  public KafkaSettings withTopics(int parts, short repl) {
    return new KafkaSettings(bootstrap, prefix, parts, repl, latenessMicros, idleCloseMillis, threads, standbys,
        stateDir, client);
  }

  public KafkaSettings withLateness(long micros, long idleMillis) {
    return new KafkaSettings(bootstrap, prefix, partitions, replication, micros, idleMillis, threads, standbys,
        stateDir, client);
  }

  public KafkaSettings withThreads(int n, int standby) {
    return new KafkaSettings(bootstrap, prefix, partitions, replication, latenessMicros, idleCloseMillis, n, standby,
        stateDir, client);
  }

  public KafkaSettings withStateDir(Path dir) {
    return new KafkaSettings(bootstrap, prefix, partitions, replication, latenessMicros, idleCloseMillis, threads,
        standbys, dir, client);
  }

  public KafkaSettings withClient(Map<String, String> props) {
    return new KafkaSettings(bootstrap, prefix, partitions, replication, latenessMicros, idleCloseMillis, threads,
        standbys, stateDir, props);
  }

  /** The topic names. */
  public Topics topics() {
    return new Topics(prefix);
  }

  /** The detection application's id (its consumer group): {@code <prefix>detection}. */
  public String applicationId() {
    return prefix + "detection";
  }
}
