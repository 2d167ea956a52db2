package org.lovcen.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.lovcen.core.Alert;
import org.lovcen.web.WebStream;

/**
 * Test fixture: reads the committed alerts of a topic from the beginning, as the server would,
 * and the website decisions beside them. Not thread-safe.
 */
public final class AlertReader implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Alert> alerts = new ArrayList<>();
  private final List<WebStream.DecisionChange> decisions = new ArrayList<>();

  public AlertReader(KafkaSettings settings) {
    consumer = Clients.consumer(settings, null);
    List<TopicPartition> parts = consumer.partitionsFor(settings.topics().alerts()).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
  }

  /** Every alert read so far, after polling for what arrived. */
  public List<Alert> poll() {
    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
      switch (AlertCodec.decodeItem(r.value())) {
        case AlertCodec.AlertItem a -> alerts.add(a.alert());
        case AlertCodec.DecisionItem d -> decisions.add(d.change());
      }
    }
    return List.copyOf(alerts);
  }

  /** The decision changes read so far, in topic order. */
  public List<WebStream.DecisionChange> decisions() {
    return List.copyOf(decisions);
  }

  /**
   * Polls until {@code done} holds for the alerts read and then stays unchanged for {@code quiet}
   * (later alerts would show up), or the timeout passes; returns the alerts.
   */
  public List<Alert> until(Predicate<List<Alert>> done, Duration quiet, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long stableSince = -1;
    int size = -1;
    while (System.nanoTime() < deadline) {
      List<Alert> now = poll();
      if (done.test(now)) {
        if (now.size() != size) {
          size = now.size();
          stableSince = System.nanoTime();
        } else if (System.nanoTime() - stableSince >= quiet.toNanos()) {
          return now;
        }
      } else {
        size = -1;
      }
    }
    return poll();
  }

  @Override
  public void close() {
    consumer.close();
  }
}
