package org.lovcen.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.lovcen.core.Alert;
import org.lovcen.web.WebStream;

/**
 * Reads the alerts topic in a consumer group, committed records only ({@code read_committed}),
 * with offsets committed by the caller once it has stored what it polled: a crash between the
 * two redelivers the alerts, so the store must treat them as idempotent (the server's
 * fingerprints do). Not thread-safe, except {@link #wakeup}.
 */
public final class AlertConsumer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("lovcen.kafka");
  private final KafkaConsumer<String, byte[]> consumer;
  private long malformed;

  /** Joins {@code groupId} on {@code <prefix>alerts}; a new group starts at the beginning of the topic. */
  public AlertConsumer(KafkaSettings settings, String groupId) {
    this.consumer = Clients.consumer(settings, groupId);
    consumer.subscribe(List.of(settings.topics().alerts()));
  }

  /**
   * What one poll brought: alerts, and the website decisions proposed or changed, each in
   * partition order (a decision comes after the alert of its site in the same partition, so in the
   * same poll or an earlier one).
   */
  public record Polled(List<Alert> alerts, List<WebStream.DecisionChange> decisions) {
    public boolean isEmpty() {
      return alerts.isEmpty() && decisions.isEmpty();
    }
  }

  /**
   * The records that arrived within {@code timeout}; records that are neither alerts nor
   * decisions are skipped and counted. Empty after {@link #wakeup}.
   */
  public Polled poll(Duration timeout) {
    List<Alert> out = new ArrayList<>();
    List<WebStream.DecisionChange> decisions = new ArrayList<>();
    try {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
        try {
          switch (AlertCodec.decodeItem(r.value())) {
            case AlertCodec.AlertItem a -> out.add(a.alert());
            case AlertCodec.DecisionItem d -> decisions.add(d.change());
          }
        } catch (KafkaRunnerException e) {
          malformed++;
          LOG.log(System.Logger.Level.WARNING, "skipped a record of " + r.topic() + "-" + r.partition() + " at "
              + r.offset() + ": " + e.getMessage());
        }
      }
    } catch (WakeupException e) {
      return new Polled(List.of(), List.of());
    }
    return new Polled(out, decisions);
  }

  /** Commits the position after everything polled so far. */
  public void commit() {
    consumer.commitSync();
  }

  /** Records skipped because they were neither alerts nor decisions. */
  public long malformed() {
    return malformed;
  }

  /** Makes a blocked {@link #poll} return (from any thread). */
  public void wakeup() {
    consumer.wakeup();
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
