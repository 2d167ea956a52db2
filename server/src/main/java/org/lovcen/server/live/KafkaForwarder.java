package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.lovcen.core.Event;
import org.lovcen.kafka.EventProducer;
import org.lovcen.store.Database;
import org.lovcen.store.EventStore;
import org.lovcen.store.Scope;
import org.lovcen.store.Settings;
import org.lovcen.store.StoredEvent;

/*
 * How and why: in Kafka mode the store still keeps every event (search, retention, retro-hunts),
 * and detection runs on the workers. The store writer commits as always but leaves its requests
 * unanswered; this thread produces each committed transaction's events to the events topic
 * (idempotent, acks=all) and answers the requests only when the broker has acknowledged all of
 * them: an answered request is both in the store and on the broker. The events carry their store
 * id (source "event", record = id), as the embedded detection sets them, so the workers' alerts
 * point at stored events and have the fingerprints the embedded detection would give them.
 *
 * The cursor "kafka" in the cursors table is the last event id the broker acknowledged, moved in
 * order. When the broker fails a send, the waiting requests are answered 503 (their events are
 * stored: a retry with the same Idempotency-Key is answered from the receipt, once forwarded), and
 * the thread sends again everything after the cursor, read back from the store, until the broker
 * takes it; the same happens at start-up before ingest opens. A stored event thus reaches Kafka at
 * least once; a repeat yields alerts with the same fingerprints, which the store ignores.
 *
 * The site statistics of access-log events (requests, errors, bytes, sources per site and minute)
 * are counted here, as the events are sent, and written in the transaction that moves the cursor
 * over them: a resend after a failure neither loses nor counts twice.
 */
/** Produces committed events to Kafka and then answers their requests. Thread-safe to start and stop. */
public final class KafkaForwarder implements AutoCloseable {
  /** The forwarding cursor's name in the cursors table: the last event id the broker acknowledged. */
  public static final String CURSOR = "kafka";
  private static final System.Logger LOG = System.getLogger("lovcen.kafka");
  private static final int PAGE = 5000;

  private final Database db;
  private final Settings settings;
  private final org.lovcen.store.SiteStats siteStats;
  private final EventProducer producer;
  private final BlockingQueue<StoreWriter.Committed> input;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long cursor;
  private volatile long failures;

  public KafkaForwarder(Database db, EventProducer producer, BlockingQueue<StoreWriter.Committed> input) {
    this.db = db;
    this.settings = new Settings(db);
    this.siteStats = new org.lovcen.store.SiteStats(db);
    this.producer = producer;
    this.input = input;
    this.cursor = settings.cursor(CURSOR);
    this.thread = new Thread(this::run, "lovcen-kafka-forwarder");
    this.thread.setDaemon(true);
  }

  public KafkaForwarder start() {
    thread.start();
    return this;
  }

  /** The id of the last event the broker acknowledged. */
  public long cursor() {
    return cursor;
  }

  /** Sends that the broker failed (each answered 503, then sent again from the store). */
  public long failures() {
    return failures;
  }

  /** Committed transactions waiting to be produced. */
  public int backlog() {
    return input.size();
  }

  /**
   * Produces every stored event after the cursor up to {@code upTo} (inclusive; all when
   * negative), read back from the store; returns when the broker has them. Used at start-up and
   * after a failed send.
   */
  public void resend(long upTo) throws InterruptedException {
    EventStore events = new EventStore(db);
    while (true) {
      List<StoredEvent> page = events.after(Scope.NATIONAL, cursor, PAGE);
      List<StoreWriter.Stored> batch = new ArrayList<>(page.size());
      for (StoredEvent s : page) {
        if (upTo >= 0 && s.id() > upTo) {
          break;
        }
        batch.add(new StoreWriter.Stored(s.id(), s.toEvent(new Event()), 0));
      }
      if (batch.isEmpty()) {
        return;
      }
      send(batch);
    }
  }

  private void run() {
    while (running) {
      StoreWriter.Committed c;
      try {
        c = input.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (c == null) {
        continue;
      }
      try {
        if (!c.stored().isEmpty()) {
          send(c.stored());
        }
        for (int i = 0; i < c.batches().size(); i++) {
          c.batches().get(i).done().complete(c.receipts().get(i));
        }
      } catch (InterruptedException e) {
        fail(c, new BrokerUnavailable("the server is stopping", e));
        return;
      } catch (RuntimeException e) {
        failures++;
        LOG.log(System.Logger.Level.WARNING, "Kafka did not take " + c.stored().size() + " events: " + e.getMessage());
        fail(c, e instanceof BrokerUnavailable ? e : new BrokerUnavailable(e.getMessage(), e));
        recover(c.stored().isEmpty() ? -1 : c.stored().get(c.stored().size() - 1).id());
      }
    }
  }

  /** Sends again, from the store, everything up to {@code upTo}, until the broker takes it. */
  private void recover(long upTo) {
    while (running) {
      try {
        pause();
        resend(upTo);
        return;
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "Kafka is still unavailable: " + e.getMessage());
      }
    }
  }

  private static void fail(StoreWriter.Committed c, RuntimeException e) {
    for (Batch b : c.batches()) {
      b.done().completeExceptionally(e);
    }
  }

  /** Produces the events (in id order), waits for every acknowledgement, then moves the cursor. */
  private void send(List<StoreWriter.Stored> stored) throws InterruptedException {
    List<CompletableFuture<Void>> acks = new ArrayList<>(stored.size());
    SiteCounts sites = new SiteCounts();
    for (StoreWriter.Stored s : stored) {
      Event e = s.event();
      e.source("event");
      e.record(s.id());
      acks.add(producer.send(e));
      if (org.lovcen.web.Request.isRequest(e)) {
        sites.add(e);
      }
    }
    try {
      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
    } catch (ExecutionException e) {
      throw new BrokerUnavailable(e.getCause().getMessage(), e.getCause());
    }
    long last = stored.get(stored.size() - 1).id();
    // unsynced: a cursor lost to a power failure only makes events be sent again
    List<org.lovcen.store.SiteMinute> minutes = sites.drain();
    db.inUnsyncedTransaction(h -> {
      if (!minutes.isEmpty()) {
        siteStats.add(h, minutes);
      }
      settings.setCursor(h, CURSOR, last);
      return null;
    });
    cursor = last;
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(1000);
  }

  /** The broker did not acknowledge events (they are stored and will be sent again). */
  public static final class BrokerUnavailable extends RuntimeException {
    BrokerUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
