package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.lovcen.core.Event;
import org.lovcen.store.Database;
import org.lovcen.store.EventStore;
import org.lovcen.store.Settings;
import org.lovcen.store.StoredEvent;

/*
 * How and why: one thread writes every event. It takes the batches that are waiting (up to a
 * size, or what arrived within a few milliseconds) and stores them in one transaction: group
 * commit, so that one disk sync covers many requests. Event ids are assigned here, densely and in
 * commit order, which makes "every event after id N" a complete replay for detection after a
 * restart. A request with an idempotency key writes its receipt in the same transaction as its
 * events, so a retried request is either fully stored once or not at all. Only after the commit
 * are requests answered and the events handed to detection; when detection falls behind, the
 * hand-over blocks, the ingest queue fills, and ingest answers 429. With detection on Kafka the
 * writer defers the answers: the committed transaction goes to the KafkaForwarder, which answers
 * once the broker has the events too.
 *
 * When a transaction fails (the disk full, the database away), it is rolled back whole: the
 * requests waiting for it are answered 503 and resend, and batches nobody waits for (syslog) are
 * kept and written again a second later, so the syslog senders wait instead of losing events. The
 * writer then counts as failing (readiness says so) until a write succeeds. So that readiness comes
 * back even when nobody sends, the idle writer probes the store every second meanwhile: a row of
 * a batch's size inserted and rolled back (which fails while SQLite may not grow or PostgreSQL
 * cannot extend its files), and, on SQLite, enough free space on the file system, since a full
 * disk only shows when a commit writes the log.
 */
/** The single writer between the ingest queue and the store. Thread-safe to start and stop. */
public final class StoreWriter implements AutoCloseable {
  /** An event as stored, with its id, on its way to detection. */
  public record Stored(long id, Event event, long receivedNanos) {}

  /**
   * One committed transaction whose requests are not answered yet ({@link #deferAcknowledgements}):
   * its stored events, and each batch with the receipt it is to be answered.
   */
  public record Committed(List<Stored> stored, List<Batch> batches, List<Receipt> receipts) {}

  /**
   * Why the last write failed, since when (millis), and whether the store's disk is full; cleared
   * by the next write that succeeds (or a successful probe).
   */
  public record Failure(boolean full, String reason, long sinceMillis) {}

  private static final System.Logger LOG = System.getLogger("lovcen.store");
  private static final long RETRY_MILLIS = 1000;
  private static final long PROBE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The probe's row: about one large ingest request's worth of events. */
  private static final int PROBE_BYTES = 1 << 20;
  /** Free space an SQLite store's file system needs before a probe calls the store writable again. */
  private static final long PROBE_FREE_BYTES = 64L << 20;
  private final Database db;
  private final EventStore events;
  private final Settings settings;
  private final IngestQueue queue;
  private final int batchEvents;
  private final long batchNanos;
  private final BlockingQueue<List<Stored>> detection;
  private final BlockingQueue<Committed> committed;
  private volatile boolean deferred;
  private final Consumer<Long> commitTimer;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long nextId;
  private volatile long storedEvents;
  private volatile long failedBatches;
  private volatile Failure failure;
  /** Batches nobody awaits that a failed transaction held; written again first. Writer thread only. */
  private final List<Batch> held = new ArrayList<>();
  private long probedAt;

  public StoreWriter(Database db, IngestQueue queue, int batchEvents, int batchMillis, int detectionBacklog,
      Consumer<Long> commitTimer) {
    this.db = db;
    this.events = new EventStore(db);
    this.settings = new Settings(db);
    this.queue = queue;
    this.batchEvents = Math.max(1, batchEvents);
    this.batchNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, batchMillis));
    this.detection = new ArrayBlockingQueue<>(Math.max(1, detectionBacklog));
    this.committed = new ArrayBlockingQueue<>(Math.max(1, detectionBacklog));
    this.commitTimer = commitTimer;
    this.nextId = events.maxId() + 1;
    this.thread = new Thread(this::run, "lovcen-store-writer");
    this.thread.setDaemon(true);
  }

  public StoreWriter start() {
    thread.start();
    return this;
  }

  /**
   * From now on, committed transactions go to {@link #committed()} with their requests unanswered,
   * instead of being answered and handed to {@link #detection()}: whoever takes them (the Kafka
   * forwarder) answers the requests once the events are also elsewhere. Call before {@link #start}.
   */
  public StoreWriter deferAcknowledgements() {
    deferred = true;
    return this;
  }

  /** Committed transactions with their requests unanswered, in commit order (deferred mode only). */
  public BlockingQueue<Committed> committed() {
    return committed;
  }

  /** Stored events for detection, in id order. */
  public BlockingQueue<List<Stored>> detection() {
    return detection;
  }

  /** The id of the last stored event (0 when none). */
  public long lastId() {
    return nextId - 1;
  }

  public long storedEvents() {
    return storedEvents;
  }

  /** Transactions that failed since start. */
  public long failedBatches() {
    return failedBatches;
  }

  /** Why the store cannot be written now, or null when the last write (or probe) succeeded. */
  public Failure failure() {
    return failure;
  }

  private void run() {
    List<Batch> group = new ArrayList<>();
    while (running) {
      try {
        group.clear();
        if (!held.isEmpty()) {
          Thread.sleep(RETRY_MILLIS); // the store failed a moment ago
          group.addAll(held);
          held.clear();
        } else {
          Batch first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) {
            probe();
            continue;
          }
          group.add(first);
        }
        int n = 0;
        for (Batch b : group) {
          n += b.events().size();
        }
        long deadline = System.nanoTime() + batchNanos;
        while (n < batchEvents) {
          long wait = deadline - System.nanoTime();
          Batch b = wait <= 0 ? queue.poll(0, TimeUnit.NANOSECONDS) : queue.poll(wait, TimeUnit.NANOSECONDS);
          if (b == null) {
            break;
          }
          group.add(b);
          n += b.events().size();
        }
        write(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** While failing and idle: whether the store takes writes again (at most every second). */
  private void probe() {
    if (failure == null || System.nanoTime() - probedAt < PROBE_NANOS) {
      return;
    }
    probedAt = System.nanoTime();
    try {
      if (db.freeBytes() >= PROBE_FREE_BYTES && events.roomFor(nextId, PROBE_BYTES)) {
        LOG.log(System.Logger.Level.INFO, "the store takes writes again");
        failure = null;
      }
    } catch (RuntimeException e) {
      // still away
    }
  }

  private void write(List<Batch> group) throws InterruptedException {
    int sum = 0;
    for (Batch b : group) {
      sum += b.events().size();
    }
    int size = sum;
    List<Stored> stored = new ArrayList<>(size);
    Receipt[] receipts = new Receipt[group.size()];
    long t0 = System.nanoTime();
    long before = nextId;
    try {
      db.jdbi().useTransaction(h -> {
        List<StoredEvent> rows = new ArrayList<>(size);
        long id = nextId;
        for (int i = 0; i < group.size(); i++) {
          Batch b = group.get(i);
          Settings.Receipt earlier = b.key() == null ? null : settings.receipt(h, b.institution(), b.key());
          if (earlier != null) {
            receipts[i] = new Receipt(earlier.accepted(), earlier.rejected(), earlier.firstEvent(), true);
            continue;
          }
          long first = id;
          for (int k = 0; k < b.events().size(); k++) {
            Event e = b.events().get(k);
            rows.add(StoredEvent.of(id, e, b.fields().get(k)));
            stored.add(new Stored(id, e, b.receivedNanos()));
            id++;
          }
          receipts[i] = new Receipt(b.events().size(), b.rejected(), first, false);
          if (b.key() != null) {
            settings.recordReceipt(h, b.institution(), b.key(),
                new Settings.Receipt(b.events().size(), b.rejected(), first));
          }
        }
        events.insert(h, rows);
        nextId = id;
      });
    } catch (RuntimeException e) {
      failed(group, e);
      nextId = before; // rolled back: the ids are free again
      return;
    }
    if (failure != null) {
      LOG.log(System.Logger.Level.INFO, "the store takes writes again");
      failure = null;
    }
    commitTimer.accept(System.nanoTime() - t0);
    storedEvents += stored.size();
    if (deferred) {
      for (Batch b : group) {
        queue.release(b);
      }
      committed.put(new Committed(stored, List.copyOf(group), List.of(receipts)));
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      queue.release(group.get(i));
      group.get(i).done().complete(receipts[i]);
    }
    if (!stored.isEmpty()) {
      detection.put(stored);
    }
  }

  /**
   * A transaction failed (rolled back whole): its requests are answered with the failure; batches
   * nobody awaits are held for the next attempt when the store is full or away, and failed
   * otherwise (a store that refuses the data itself would refuse it again).
   */
  private void failed(List<Batch> group, RuntimeException e) {
    boolean full = Database.isFull(e);
    boolean transientFailure = full || Database.isTransient(e);
    Failure was = failure;
    failure = new Failure(full, Database.rootMessage(e), was == null ? System.currentTimeMillis() : was.sinceMillis());
    failedBatches++;
    if (was == null) {
      LOG.log(System.Logger.Level.WARNING, (full ? "the store is full: " : "the store failed: ") + "cannot store "
          + group.size() + " ingest batches: " + e);
    }
    for (Batch b : group) {
      if (b.unanswered() && transientFailure) {
        held.add(b); // keeps its room in the queue: the senders wait
      } else {
        queue.release(b);
        b.done().completeExceptionally(e);
      }
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
