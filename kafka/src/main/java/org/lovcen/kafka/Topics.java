package org.lovcen.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics of a Lovcen deployment, all under one prefix.
 *
 * <ul>
 *   <li>{@code events}: every ingested event, keyed by institution and host;
 *   <li>{@code hits}: matches of rules that correlations reference, keyed by institution (the
 *       detection application's own hand-over from evaluation to correlation);
 *   <li>{@code alerts}: every alert, keyed by institution, read by the server;
 *   <li>{@code rules}: compacted, rule name to YAML text (a tombstone removes the rule);
 *   <li>{@code indicators}: compacted, indicator source name to its file content;
 *   <li>{@code settings}: compacted, institution to its rule switches and Sigma filters
 *       ({@link InstitutionSettings}), published by the server;
 *   <li>{@code uploads}: compacted, upload id to a rule file uploaded through the server's API
 *       with the institution it runs for ({@link UploadCodec}), published by the server;
 *   <li>{@code requests}: access-log requests on their way from evaluation to the website
 *       detectors (the detection application's own hand-over), one partition.
 * </ul>
 */
public record Topics(String prefix) {
  /**
   * The largest record of the uploads topic: an uploaded rule file is at most a million
   * characters, which JSON may write in up to six bytes each.
   */
  public static final int MAX_UPLOAD_BYTES = 8 << 20;

  public String events() {
    return prefix + "events";
  }

  public String hits() {
    return prefix + "hits";
  }

  public String alerts() {
    return prefix + "alerts";
  }

  public String rules() {
    return prefix + "rules";
  }

  public String indicators() {
    return prefix + "indicators";
  }

  public String settings() {
    return prefix + "settings";
  }

  public String uploads() {
    return prefix + "uploads";
  }

  public String requests() {
    return prefix + "requests";
  }

  /**
   * Creates the topics that do not exist yet: events and hits with {@code partitions}
   * partitions, alerts with as many, rules, indicators, settings and uploads compacted with one
   * partition (they are read whole by every worker; an upload's record may take up to
   * {@link #MAX_UPLOAD_BYTES}), requests with one partition (the website detectors see every
   * site at once). Existing topics are left as they are.
   */
  public void create(Admin admin, int partitions, short replication) {
    Map<String, String> compacted = Map.of("cleanup.policy", "compact", "min.compaction.lag.ms", "0");
    Map<String, String> oneDay = Map.of("retention.ms", Long.toString(TimeUnit.DAYS.toMillis(1)));
    List<NewTopic> all = new ArrayList<>(List.of(
        new NewTopic(events(), partitions, replication),
        new NewTopic(hits(), partitions, replication).configs(oneDay),
        new NewTopic(alerts(), partitions, replication),
        new NewTopic(rules(), 1, replication).configs(compacted),
        new NewTopic(indicators(), 1, replication).configs(compacted),
        new NewTopic(settings(), 1, replication).configs(compacted),
        new NewTopic(uploads(), 1, replication).configs(Map.of("cleanup.policy", "compact",
            "min.compaction.lag.ms", "0", "max.message.bytes", Integer.toString(MAX_UPLOAD_BYTES))),
        new NewTopic(requests(), 1, replication).configs(oneDay)));
    try {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      all.removeIf(t -> existing.contains(t.name()));
      if (all.isEmpty()) {
        return;
      }
      admin.createTopics(all).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new KafkaRunnerException("cannot create topics: " + e.getCause().getMessage(), e.getCause());
      }
    } catch (TimeoutException e) {
      throw new KafkaRunnerException("cannot create topics: the cluster did not answer in 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaRunnerException("interrupted");
    }
  }
}
