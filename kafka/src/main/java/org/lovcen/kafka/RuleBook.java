package org.lovcen.kafka;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.Intel;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.RuleUploads;

/*
 * How and why: every worker needs the whole rule set, the whole indicator set, every
 * institution's rule switches and filters and every rule uploaded through the server's API, so all
 * four are compacted topics that each worker reads from the beginning with its own group-less
 * consumer (not a partitioned input). The latest text per key is kept; a tombstone removes it. Once the
 * reader has caught up with the end offsets it found at start, it compiles the first snapshot;
 * afterwards, whenever a poll brings changes and the next poll is empty (the publisher has
 * finished a burst), it compiles a new snapshot and swaps it in. Processors read the snapshot per
 * record: an event in flight finishes on the snapshot it started with, as in serve.
 *
 * The uploads are compiled apart from the rules, as serve compiles them (RuleUploads): an upload
 * neither recompiles the rule set nor changes its fingerprint, so correlation windows go on. An
 * institution's filters are compiled against the rules and the uploads that run for it, with the
 * uploads' owners (InstitutionRules), again whenever the rules, the uploads or the settings change,
 * so a snapshot's switches, filters and owners always fit its rules.
 *
 * The snapshot carries a fingerprint of the rule texts (SHA-256 of the sorted names and texts):
 * every worker that has read the same texts computes the same one, which is what lets a
 * correlation hit computed on one worker be used on another.
 */
/**
 * The live rules, uploaded rules, indicators and institution settings of a worker, read from the
 * compacted topics. Thread-safe.
 */
public final class RuleBook implements AutoCloseable {
  /**
   * One compiled state of the topics.
   *
   * @param uploads the rules uploaded through the server's API, compiled apart from {@code rules}
   * @param rulesFingerprint the same on every worker that has read the same rule texts
   * @param institutions which rules run for which institution: rule switches and filters, compiled
   *     against {@code rules} and {@code uploads}, and the owners of the uploads
   * @param version counts the snapshots of this book, from 1
   */
  public record Snapshot(RuleSet rules, RuleUploads uploads, IndicatorSet indicators, InstitutionRules institutions,
      long rulesFingerprint, long version, int ruleTexts, int indicatorSources) {}

  private static final System.Logger LOG = System.getLogger("lovcen.kafka.rules");
  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final RuleSet.Options options;
  private final Map<String, String> ruleTexts = new TreeMap<>();
  private final Map<String, byte[]> indicatorFiles = new TreeMap<>();
  private final Map<String, InstitutionSettings> settings = new TreeMap<>();
  private final Map<String, RuleUploads.File> uploadFiles = new TreeMap<>();
  private final AtomicReference<Snapshot> current = new AtomicReference<>();
  private final CountDownLatch first = new CountDownLatch(1);
  private final List<Consumer<Snapshot>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile RuntimeException failure;
  private long fingerprint;
  private boolean indicatorsChanged = true;
  private boolean settingsChanged = true;
  private boolean uploadsChanged = true;
  private RuleUploads uploads = RuleUploads.NONE;
  private InstitutionRules institutions = InstitutionRules.NONE;
  private IndicatorSet indicators = IndicatorSet.EMPTY;

  private RuleBook(KafkaSettings settings, RuleSet.Options options) {
    this.topics = settings.topics();
    this.options = options;
    this.consumer = Clients.consumer(settings, null);
    this.thread = new Thread(this::run, "lovcen-rulebook");
    this.thread.setDaemon(true);
  }

  /** Starts reading the compacted topics (which must exist). */
  public static RuleBook start(KafkaSettings settings, RuleSet.Options options) {
    RuleBook b = new RuleBook(settings, options);
    b.thread.start();
    return b;
  }

  /** The current snapshot, or null before the topics have been read to their end once. */
  public Snapshot current() {
    return current.get();
  }

  /** Waits for the first snapshot. */
  public Snapshot await(Duration timeout) {
    try {
      if (!first.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new KafkaRunnerException("rules and indicators topics not read within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaRunnerException("interrupted");
    }
    if (failure != null) {
      throw failure;
    }
    return current.get();
  }

  /** Called on the book's thread after every swap. */
  public void onSwap(Consumer<Snapshot> listener) {
    listeners.add(listener);
  }

  private void run() {
    try {
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : List.of(topics.rules(), topics.indicators(), topics.settings(), topics.uploads())) {
        for (PartitionInfo p : consumer.partitionsFor(t, Duration.ofSeconds(30))) {
          parts.add(new TopicPartition(t, p.partition()));
        }
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      boolean changed = false;
      while (running) {
        ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, byte[]> r : records) {
          take(r);
          changed = true;
        }
        if (end != null && caughtUp(end)) {
          end = null;
          swap();
          first.countDown();
          changed = false;
        } else if (end == null && changed && records.isEmpty()) {
          swap();
          changed = false;
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      failure = e instanceof KafkaRunnerException k ? k
          : new KafkaRunnerException("cannot read the rules topics: " + e.getMessage(), e);
      LOG.log(System.Logger.Level.ERROR, failure.getMessage(), e);
    } finally {
      first.countDown();
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private boolean caughtUp(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void take(ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (r.topic().equals(topics.rules())) {
      if (r.value() == null) {
        ruleTexts.remove(r.key());
      } else {
        ruleTexts.put(r.key(), new String(r.value(), StandardCharsets.UTF_8));
      }
    } else if (r.topic().equals(topics.settings())) {
      settingsChanged = true;
      if (r.value() == null) {
        settings.remove(r.key());
      } else {
        try {
          settings.put(r.key(), InstitutionSettings.decode(r.value()));
        } catch (KafkaRunnerException e) {
          LOG.log(System.Logger.Level.WARNING, "settings of " + r.key() + " skipped: " + e.getMessage());
        }
      }
    } else if (r.topic().equals(topics.uploads())) {
      uploadsChanged = true;
      uploadFiles.remove(r.key());
      if (r.value() != null) {
        try {
          uploadFiles.put(r.key(), UploadCodec.decode(r.key(), r.value()));
        } catch (KafkaRunnerException e) {
          LOG.log(System.Logger.Level.WARNING, "upload " + r.key() + " skipped: " + e.getMessage());
        }
      }
    } else {
      indicatorsChanged = true;
      if (r.value() == null) {
        indicatorFiles.remove(r.key());
      } else {
        indicatorFiles.put(r.key(), r.value());
      }
    }
  }

  /** Compiles what has been read and publishes it (the rule set only when its texts changed). */
  private void swap() {
    Snapshot old = current.get();
    long fp = fingerprint(ruleTexts);
    boolean sameRules = old != null && fp == fingerprint;
    RuleSet rules = sameRules ? old.rules() : RuleSet.loadTexts(ruleTexts, options);
    fingerprint = fp;
    if (uploadsChanged) {
      uploads = RuleUploads.compile(uploadFiles.values());
      uploads.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, "uploaded rule not run: " + p));
    }
    if (!sameRules || settingsChanged || uploadsChanged) {
      institutions = compile(rules);
      settingsChanged = false;
      uploadsChanged = false;
    }
    if (indicatorsChanged) {
      List<Indicator> all = new ArrayList<>();
      indicatorFiles.forEach((name, bytes) -> {
        try {
          all.addAll(Intel.read(bytes, name).indicators());
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "indicator source " + name + " skipped: " + e.getMessage());
        }
      });
      indicators = Intel.compile(all);
      indicatorsChanged = false;
    }
    Snapshot s = new Snapshot(rules, uploads, indicators, institutions, fp, old == null ? 1 : old.version() + 1,
        ruleTexts.size(), indicatorFiles.size());
    current.set(s);
    LOG.log(System.Logger.Level.INFO, "rules snapshot " + s.version() + ": " + rules.rules().size() + " rules from "
        + ruleTexts.size() + " texts, " + (uploads.rules() == null ? 0 : uploads.rules().rules().size())
        + " uploaded rules from " + uploadFiles.size() + " uploads, " + indicators.size() + " indicators, settings of "
        + settings.size() + " institutions");
    listeners.forEach(l -> l.accept(s));
  }

  /**
   * The institutions' switches and filters compiled against {@code rules} and the uploads, with the
   * uploads' owners; bad filters are logged and left out.
   */
  private InstitutionRules compile(RuleSet rules) {
    Map<String, java.util.Set<String>> disabled = new TreeMap<>();
    Map<String, Map<String, String>> filters = new TreeMap<>();
    settings.forEach((institution, s) -> {
      disabled.put(institution, s.disabled());
      filters.put(institution, s.filters());
    });
    List<org.lovcen.sigma.SigmaRule> all = new ArrayList<>(rules.rules());
    if (uploads.rules() != null) {
      all.addAll(uploads.rules().rules());
    }
    return InstitutionRules.compile(all, uploads.owners(), disabled, filters,
        problem -> LOG.log(System.Logger.Level.WARNING, "filters not applied: " + problem));
  }

  static long fingerprint(Map<String, String> texts) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<String, String> e : new TreeMap<>(texts).entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      return java.nio.ByteBuffer.wrap(md.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
