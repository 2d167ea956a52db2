package org.lovcen.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.RuleUploads;

/**
 * Publishes rules, indicators, institution settings and uploaded rules to their compacted topics;
 * every worker swaps them in without a restart. A rule's key is its name (a path below the folder
 * it came from); publishing the same name again replaces it, {@link #deleteRule} removes it.
 * Thread-safe.
 */
public final class Publisher implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final Topics topics;
  private final KafkaSettings settings;

  public Publisher(KafkaSettings settings) {
    try (Admin admin = Clients.admin(settings)) {
      settings.topics().create(admin, settings.partitions(), settings.replication());
    }
    this.producer = Clients.producer(settings, "lovcen-publisher", Topics.MAX_UPLOAD_BYTES);
    this.topics = settings.topics();
    this.settings = settings;
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
    List<Future<?>> sent = new ArrayList<>();
    byInstitution.forEach((institution, s) -> sent.add(producer.send(new ProducerRecord<>(topics.settings(),
        institution, s.isEmpty() ? null : s.encode()))));
    await(sent, "settings");
  }

  /**
   * Makes the uploads topic hold exactly {@code uploads} (the rule files uploaded through the
   * server's API, each with the institution it runs for): reads what the topic holds, publishes
   * the uploads that are new or changed, a tombstone for each upload it holds that is no longer
   * given, and waits for the broker's acknowledgement. Every worker compiles the uploads apart
   * from its rules and runs each for its institution only (national ones for all). Safe to repeat:
   * what the topic already holds is not sent again. Returns the number of records sent.
   */
  public int publishUploads(Collection<RuleUploads.File> uploads) {
    Map<String, byte[]> held = read(topics.uploads());
    List<Future<?>> sent = new ArrayList<>();
    Set<String> given = new HashSet<>();
    for (RuleUploads.File f : uploads) {
      String key = UploadCodec.key(f);
      byte[] value = UploadCodec.encode(f);
      given.add(key);
      if (!Arrays.equals(held.get(key), value)) {
        sent.add(producer.send(new ProducerRecord<>(topics.uploads(), key, value)));
      }
    }
    for (String key : held.keySet()) {
      if (!given.contains(key)) {
        sent.add(producer.send(new ProducerRecord<>(topics.uploads(), key, null)));
      }
    }
    await(sent, "uploaded rules");
    return sent.size();
  }

  /** The latest value of every key of a compacted topic (tombstoned keys left out), read to its end. */
  private Map<String, byte[]> read(String topic) {
    Map<String, byte[]> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer = Clients.consumer(settings, null)) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer.partitionsFor(topic, Duration.ofSeconds(30))
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new KafkaRunnerException(topic + " not read to its end within 60 s");
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            out.remove(r.key());
          } else {
            out.put(r.key(), r.value());
          }
        }
      }
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new KafkaRunnerException("cannot read " + topic + ": " + e.getMessage(), e);
    }
    return out;
  }

  /** Waits for the broker to acknowledge every send. */
  private void await(List<Future<?>> sent, String what) {
    flush();
    try {
      for (Future<?> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new KafkaRunnerException(what + " not accepted by Kafka: " + e.getCause().getMessage(), e.getCause());
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
