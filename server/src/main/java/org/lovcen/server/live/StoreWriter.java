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

  private static final System.Logger LOG = System.getLogger("lovcen.store");
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

  public long failedBatches() {
    return failedBatches;
  }

  private void run() {
    List<Batch> group = new ArrayList<>();
    while (running) {
      try {
        Batch first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.clear();
        group.add(first);
        int n = first.events().size();
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
      LOG.log(System.Logger.Level.WARNING, "cannot store " + group.size() + " ingest batches: " + e);
      failedBatches++;
      nextId = before; // rolled back: the ids are free again
      for (Batch b : group) {
        queue.release(b);
        b.done().completeExceptionally(e);
      }
      return;
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
