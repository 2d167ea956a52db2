package org.lovcen.kafka;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.lovcen.core.Event;

/**
 * Writes ingested events to the events topic, keyed by institution and host, with an idempotent
 * producer that waits for every in-sync replica. A caller acknowledges its sender only when the
 * futures of its events have completed. Thread-safe (the encoder is per thread).
 */
public final class EventProducer implements AutoCloseable {
  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final ThreadLocal<EventCodec> codecs = ThreadLocal.withInitial(EventCodec::new);

  public EventProducer(KafkaSettings settings) {
    try (Admin admin = Clients.admin(settings)) {
      settings.topics().create(admin, settings.partitions(), settings.replication());
    }
    this.producer = Clients.producer(settings, "lovcen-ingest");
    this.topic = settings.topics().events();
  }

  /** Sends one event (copied at once; {@code e} may be reused). Completes when the broker has it. */
  public CompletableFuture<Void> send(Event e) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    producer.send(new ProducerRecord<>(topic, EventCodec.key(e), codecs.get().encode(e)), (meta, error) -> {
      if (error == null) {
        done.complete(null);
      } else {
        done.completeExceptionally(new KafkaRunnerException("event not accepted by Kafka: " + error.getMessage(),
            error));
      }
    });
    return done;
  }

  /** Sends everything buffered now and waits for it. */
  public void flush() {
    producer.flush();
  }

  /** Closes, giving records not yet acknowledged at most {@code timeout}; the rest fail. */
  public void close(java.time.Duration timeout) {
    producer.close(timeout);
  }

  @Override
  public void close() {
    producer.close();
  }
}
