package org.lovcen.kafka;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka clients configured from {@link KafkaSettings}: the one place client properties are set. */
final class Clients {
  private Clients() {}

  static Map<String, Object> base(KafkaSettings s) {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, s.bootstrap());
    p.putAll(s.client());
    return p;
  }

  static Admin admin(KafkaSettings s) {
    return Admin.create(base(s));
  }

  /** An idempotent producer that waits for every in-sync replica (acks=all). */
  static KafkaProducer<String, byte[]> producer(KafkaSettings s, String clientId) {
    return producer(s, clientId, 0);
  }

  /**
   * The same, also sending records of up to {@code maxRecordBytes} (when above Kafka's 1 MB
   * default, and unless the client properties set {@code max.request.size}).
   */
  static KafkaProducer<String, byte[]> producer(KafkaSettings s, String clientId, int maxRecordBytes) {
    Map<String, Object> p = base(s);
    if (maxRecordBytes > 1 << 20) {
      p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes + (64 << 10));
    }
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** A consumer that sees committed records only (the detection application writes in transactions). */
  static KafkaConsumer<String, byte[]> consumer(KafkaSettings s, String groupId) {
    Map<String, Object> p = base(s);
    if (groupId != null) {
      p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }
}
