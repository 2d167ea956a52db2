package org.lovcen.kafka;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.lovcen.sigma.RuleSet;
import org.lovcen.web.WebConfig;

/**
 * One detection instance ({@code lovcen worker}): reads the rules and indicators topics, then runs
 * the detection topology over its share of the events partitions. Several workers with the same
 * settings share the work; when one stops or dies, the others take over its partitions and the
 * correlation and website detection state that goes with them. {@link #close} is a clean stop.
 */
public final class Worker implements AutoCloseable {
  private final RuleBook book;
  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);

  private Worker(RuleBook book, KafkaStreams streams) {
    this.book = book;
    this.streams = streams;
  }

  /** {@link #start(KafkaSettings, RuleSet.Options, WebConfig)} with the website detectors' defaults. */
  public static Worker start(KafkaSettings settings, RuleSet.Options options) {
    return start(settings, options, WebConfig.DEFAULT);
  }

  /**
   * Creates the topics when missing, reads the rules, indicators and institution settings, and
   * starts processing.
   *
   * @param options how rule texts are compiled (placeholders, minimum level, statuses)
   * @param web the website detectors' parameters (every worker of the application needs the same)
   */
  public static Worker start(KafkaSettings settings, RuleSet.Options options, WebConfig web) {
    try (Admin admin = Clients.admin(settings)) {
      settings.topics().create(admin, settings.partitions(), settings.replication());
    }
    RuleBook book = RuleBook.start(settings, options);
    try {
      book.await(Duration.ofMinutes(5));
    } catch (RuntimeException e) {
      book.close();
      throw e;
    }
    KafkaStreams streams = new KafkaStreams(DetectionTopology.build(settings, book, web), properties(settings));
    Worker w = new Worker(book, streams);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING) {
        w.running.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.getLogger("lovcen.kafka").log(System.Logger.Level.ERROR, "stream thread failed: " + e, e);
      return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .REPLACE_THREAD;
    });
    streams.start();
    return w;
  }

  static Properties properties(KafkaSettings s) {
    Properties p = new Properties();
    p.putAll(Clients.base(s));
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, s.applicationId());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, s.threads());
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, s.standbys());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) s.replication());
    p.put(StreamsConfig.STATE_DIR_CONFIG, s.stateDir().toAbsolutePath().toString());
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // every client property given (session timeouts, security) reaches the embedded clients too
    s.client().forEach(p::put);
    return p;
  }

  /** Waits until the worker processes (its partitions assigned and its state restored). */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public KafkaStreams.State state() {
    return streams.state();
  }

  /** The rules and indicators this worker runs. */
  public RuleBook rules() {
    return book;
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    book.close();
  }
}
