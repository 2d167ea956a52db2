package org.lovcen.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.lovcen.kafka.KafkaSettings;

/**
 * Test fixture: {@code lovcen worker} processes in child JVMs (with the test's class path), to be
 * killed like a machine that dies, and what the detection application has done, read from the
 * broker. Each worker's output is in {@code <dir>/<name>.log}.
 */
final class KafkaWorkers {
  private KafkaWorkers() {}

  /** Starts a worker on one-partition topics; {@code name} is its client id (and its log's name). */
  static Process start(KafkaSettings s, Path dir, String name, int latenessSeconds, int idleCloseSeconds)
      throws IOException {
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        "org.lovcen.cli.Main", "worker", "--bootstrap", s.bootstrap(), "--prefix", s.prefix(), "--partitions", "1",
        "--replication", "1", "--lateness", Integer.toString(latenessSeconds), "--idle-close",
        Integer.toString(idleCloseSeconds), "--state-dir", dir.resolve(name + "-state").toString(), "--client",
        "client.id=" + name));
    s.client().forEach((k, v) -> cmd.addAll(List.of("--client", k + "=" + v)));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("LOVCEN_"));
    return pb.start();
  }

  /** Waits until the worker's log says {@code text}. */
  static void awaitLog(Process p, Path dir, String name, String text) throws Exception {
    Path log = dir.resolve(name + ".log");
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      if (!p.isAlive()) {
        throw new AssertionError(name + " exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " did not say '" + text + "' in 90 s:\n" + Files.readString(log));
  }

  /** Stops every worker (SIGTERM, then kill after 30 s). */
  static void stopAll(Iterable<Process> workers) throws InterruptedException {
    for (Process p : workers) {
      p.destroy();
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  /**
   * Waits until the detection application has committed everything on its one-partition input
   * topics: events, hits and requests.
   */
  static void awaitCaughtUp(KafkaSettings s) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", s.bootstrap()))) {
      List<TopicPartition> parts = List.of(new TopicPartition(s.topics().events(), 0),
          new TopicPartition(s.topics().hits(), 0), new TopicPartition(s.topics().requests(), 0));
      long deadline = System.nanoTime() + 90_000_000_000L;
      while (System.nanoTime() < deadline) {
        var committed = admin.listConsumerGroupOffsets(s.applicationId()).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        parts.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(request).all().get();
        boolean done = true;
        for (TopicPartition tp : parts) {
          var c = committed.get(tp);
          long end = ends.get(tp).offset();
          // on the topics the application writes, a transaction's commit marker takes an offset after the last record
          boolean transactional = !tp.topic().equals(s.topics().events());
          done &= (c == null ? 0 : c.offset()) >= end - (transactional && end > 0 ? 1 : 0);
        }
        if (done) {
          return;
        }
        Thread.sleep(200);
      }
      throw new AssertionError("the workers did not catch up in 90 s");
    }
  }

  /** The worker (one of {@code names}, by client id prefix) that holds a partition of {@code topic}. */
  static String owner(KafkaSettings s, String topic, List<String> names) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", s.bootstrap()))) {
      var group = admin.describeConsumerGroups(List.of(s.applicationId())).all().get().get(s.applicationId());
      for (var m : group.members()) {
        for (var tp : m.assignment().topicPartitions()) {
          if (tp.topic().equals(topic)) {
            return names.stream().filter(n -> m.clientId().startsWith(n)).findFirst().orElseThrow();
          }
        }
      }
      throw new AssertionError("nobody holds " + topic + ": " + group);
    }
  }
}
