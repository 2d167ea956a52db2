package org.lovcen.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.lovcen.sigma.RuleSet;

/**
 * Publishes rules and indicators to their compacted topics; every worker swaps them in without a
 * restart. A rule's key is its name (a path below the folder it came from); publishing the same
 * name again replaces it, {@link #deleteRule} removes it. Thread-safe.
 */
public final class Publisher implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;

  public Publisher(KafkaSettings settings) {
    try (Admin admin = Clients.admin(settings)) {
      settings.topics().create(admin, settings.partitions(), settings.replication());
    }
    this.producer = Clients.producer(settings, "lovcen-publisher");
    this.topics = settings.topics();
  }

  /** The rule files below {@code root} by name: the folder's own name, then the path below it. */
  public static Map<String, String> ruleTexts(Path root) {
    Map<String, String> out = new LinkedHashMap<>();
    Path base = Files.isDirectory(root) ? root : root.getParent();
    String prefix = base.getFileName() == null ? "" : base.getFileName() + "/";
    for (Path f : RuleSet.ruleFiles(java.util.List.of(root))) {
      try {
        out.put(prefix + base.relativize(f).toString().replace('\\', '/'), Files.readString(f, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new KafkaRunnerException(f + ": cannot read: " + e.getMessage(), e);
      }
    }
    return out;
  }

  /** Publishes rule texts (name to YAML) and waits for the broker's acknowledgement. */
  public void publishRules(Map<String, String> texts) {
    texts.forEach((name, yaml) -> producer.send(new ProducerRecord<>(topics.rules(), name,
        yaml.getBytes(StandardCharsets.UTF_8))));
    flush();
  }

  /** Removes a rule from every worker. */
  public void deleteRule(String name) {
    producer.send(new ProducerRecord<>(topics.rules(), name, null));
    flush();
  }

  /** Publishes one indicator source (a STIX bundle, MISP event, list or CSV, as {@code hunt --indicators} reads). */
  public void publishIndicators(String source, byte[] content) {
    producer.send(new ProducerRecord<>(topics.indicators(), source, content));
    flush();
  }

  /** Removes an indicator source. */
  public void deleteIndicators(String source) {
    producer.send(new ProducerRecord<>(topics.indicators(), source, null));
    flush();
  }

  /**
   * Publishes the rule switches and filters of institutions (an empty value removes them): every
   * worker applies them to that institution's matches from its next snapshot on.
   */
  public void publishSettings(Map<String, InstitutionSettings> byInstitution) {
    java.util.List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
    byInstitution.forEach((institution, s) -> sent.add(producer.send(new ProducerRecord<>(topics.settings(),
        institution, s.isEmpty() ? null : s.encode()))));
    flush();
    try {
      for (java.util.concurrent.Future<?> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new KafkaRunnerException("settings not accepted by Kafka: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaRunnerException("interrupted");
    }
  }

  private void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
