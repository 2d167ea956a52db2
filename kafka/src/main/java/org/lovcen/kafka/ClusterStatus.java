package org.lovcen.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the detection application is doing: its workers (group members) with the partitions each
 * holds, and per partition of its input topics (events, hits, requests) the committed offset, the
 * end offset and the lag. Read from the cluster on every call. Thread-safe.
 */
public final class ClusterStatus implements AutoCloseable {
  /** One stream thread of a worker: its client id, host and partitions. */
  public record Member(String clientId, String host, List<String> partitions) {}

  /** One input partition of the application. */
  public record Partition(String topic, int partition, long committed, long end, long lag, String owner) {}

  /** The application's state: group state, members, partitions and the total lag. */
  public record Status(String application, String state, List<Member> members, List<Partition> partitions,
      long lag) {}

  private final Admin admin;
  private final KafkaSettings settings;

  public ClusterStatus(KafkaSettings settings) {
    this.settings = settings;
    this.admin = Clients.admin(settings);
  }

  /** The current status. */
  public Status status() {
    try {
      String app = settings.applicationId();
      ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(app)).all().get(10, TimeUnit.SECONDS)
          .get(app);
      Map<TopicPartition, String> owners = new HashMap<>();
      List<Member> members = new ArrayList<>();
      for (MemberDescription m : group.members()) {
        List<String> parts = new ArrayList<>();
        for (TopicPartition tp : m.assignment().topicPartitions()) {
          parts.add(tp.toString());
          owners.put(tp, m.clientId());
        }
        parts.sort(null);
        members.add(new Member(m.clientId(), m.host(), parts));
      }
      members.sort(java.util.Comparator.comparing(Member::clientId));
      List<Partition> partitions = new ArrayList<>();
      long lag = 0;
      for (String topic : List.of(settings.topics().events(), settings.topics().hits(),
          settings.topics().requests())) {
        for (Partition p : partitions(topic, owners)) {
          partitions.add(p);
          lag += p.lag();
        }
      }
      return new Status(app, group.groupState().toString(), members, partitions, lag);
    } catch (ExecutionException e) {
      throw new KafkaRunnerException("cannot read the detection application's state: " + e.getCause().getMessage(),
          e.getCause());
    } catch (TimeoutException e) {
      throw new KafkaRunnerException("the Kafka cluster did not answer in 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaRunnerException("interrupted");
    }
  }

  /** The total lag of the application on one topic (events not yet detected). */
  public long lag(String topic) {
    try {
      return partitions(topic, Map.of()).stream().mapToLong(Partition::lag).sum();
    } catch (ExecutionException | TimeoutException e) {
      throw new KafkaRunnerException("cannot read offsets: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaRunnerException("interrupted");
    }
  }

  private List<Partition> partitions(String topic, Map<TopicPartition, String> owners)
      throws ExecutionException, TimeoutException, InterruptedException {
    int n = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
        .size();
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    for (int i = 0; i < n; i++) {
      request.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(settings.applicationId())
        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    var ends = admin.listOffsets(request).all().get(10, TimeUnit.SECONDS);
    List<Partition> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TopicPartition tp = new TopicPartition(topic, i);
      OffsetAndMetadata c = committed.get(tp);
      long done = c == null ? 0 : c.offset();
      long end = ends.get(tp).offset();
      // on the topics the application writes itself, a transaction's commit marker takes the
      // offset after its last record
      boolean transactional = !topic.equals(settings.topics().events());
      long lag = Math.max(0, end - done - (transactional && end > done ? 1 : 0));
      out.add(new Partition(topic, i, done, end, lag, owners.get(tp)));
    }
    return out;
  }

  @Override
  public void close() {
    admin.close();
  }
}
