package org.lovcen.server.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.lovcen.core.Alert;
import org.lovcen.kafka.AlertConsumer;
import org.lovcen.kafka.KafkaSettings;
import org.lovcen.store.AlertRow;

/*
 * How and why: in Kafka mode the workers detect and the server stores. This thread reads
 * <prefix>alerts in the consumer group <prefix>server (committed transactions only), turns each
 * alert into the row the embedded detection would have stored (the same fingerprints: a Sigma or
 * indicator alert by rule and stored event id, which the event carries as its record; a
 * correlation alert by rule, first event time and group) and stores a poll's alerts through the
 * AlertSink, incidents included, in one transaction. The consumer's offsets are committed after
 * that transaction: a crash in between redelivers alerts whose fingerprints are stored, a no-op.
 * Web alerts get the rows the embedded WebLoop makes (a web alert sent again while its attack goes
 * on has its stored row's fingerprint, and the sink widens that row as it completes a correlation
 * episode; a redelivered one widens it to the same extent again), and the website decisions that
 * come with them on the topic are written in the same transaction, after the alerts (so that a
 * proposal finds its alert), timed on the server's clock as the embedded detection times them. The
 * workers apply the institutions' switches and filters; alerts of a rule the server knows is
 * turned off (detected before the change reached the workers) are dropped here too.
 */
/** Stores the alerts of the Kafka workers. Thread-safe to start and stop. */
public final class KafkaAlerts implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("lovcen.kafka");
  private final AlertConsumer consumer;
  private final AlertSink sink;
  private final AtomicReference<Engine> engine;
  private final DetectionLoop.Observer observer;
  private final java.util.function.LongSupplier nowMicros;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long stored;
  private volatile long received;

  /** @param nowMicros the server's clock, for decisions' times */
  public KafkaAlerts(KafkaSettings settings, AlertSink sink, AtomicReference<Engine> engine,
      DetectionLoop.Observer observer, java.util.function.LongSupplier nowMicros) {
    this.consumer = new AlertConsumer(settings, settings.prefix() + "server");
    this.nowMicros = nowMicros;
    this.sink = sink;
    this.engine = engine;
    this.observer = observer;
    this.thread = new Thread(this::run, "lovcen-kafka-alerts");
    this.thread.setDaemon(true);
  }

  public KafkaAlerts start() {
    thread.start();
    return this;
  }

  /** Alerts read from the topic since start. */
  public long received() {
    return received;
  }

  /** Alerts stored since start (repeats of stored fingerprints not counted). */
  public long stored() {
    return stored;
  }

  private void run() {
    try {
      while (running) {
        AlertConsumer.Polled polled;
        try {
          polled = consumer.poll(Duration.ofMillis(200));
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "cannot read alerts from Kafka: " + e.getMessage());
          pause();
          continue;
        }
        if (polled.isEmpty()) {
          continue;
        }
        received += polled.alerts().size();
        List<AlertRow> rows = rows(polled.alerts(), engine.get());
        WebChanges web = decisions(polled.decisions(), nowMicros.getAsLong());
        while (running) {
          try {
            long t0 = System.nanoTime();
            int n = sink.write(rows, web, -1);
            stored += n;
            observer.batch(0, n, 0, System.nanoTime() - t0);
            consumer.commit();
            break;
          } catch (RuntimeException e) {
            // the store (or the commit) failed: store again; fingerprints make the repeat safe
            LOG.log(System.Logger.Level.WARNING, "cannot store alerts from Kafka, retrying: " + e.getMessage());
            pause();
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      consumer.close();
    }
  }

  /** The store rows of alerts from the workers, as the embedded detection makes them. */
  static List<AlertRow> rows(List<Alert> alerts, Engine e) {
    List<AlertRow> rows = new ArrayList<>(alerts.size());
    for (Alert a : alerts) {
      if (a.institution() != null && e.disabled(a.institution(), a.ruleId())) {
        continue;
      }
      if (a.kind().equals("correlation")) {
        rows.add(AlertRows.correlation(a));
      } else if (a.kind().equals("web")) {
        rows.add(WebLoop.row(a));
      } else if ("event".equals(a.source())) {
        rows.add(AlertRows.single(a, a.record()));
      } else {
        LOG.log(System.Logger.Level.WARNING, "skipped an alert not on a stored event: " + a.ruleId());
      }
    }
    return rows;
  }

  /** The decision changes as the store takes them, in order, lasting from {@code now} (server clock). */
  static WebChanges decisions(List<org.lovcen.web.WebStream.DecisionChange> changes, long now) {
    if (changes.isEmpty()) {
      return WebChanges.NONE;
    }
    List<org.lovcen.store.DecisionStore.Detected> out = new ArrayList<>(changes.size());
    changes.forEach(c -> out.add(WebLoop.detected(c, now, false)));
    return new WebChanges(out, List.of());
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(1000);
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
