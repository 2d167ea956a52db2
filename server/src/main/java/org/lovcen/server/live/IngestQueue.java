package org.lovcen.server.live;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/*
 * How and why: the queue between ingest and storage is bounded by events, not by requests, so
 * memory stays bounded whatever the request sizes. A permit per queued event is taken on entry
 * and returned by the store writer once the event is committed. HTTP ingest only tries (and
 * answers 429 when full: the client retries later); syslog over TCP and uploads wait, which
 * stops reading from the socket and pushes back on the sender.
 */
/** Bounded hand-over from ingest threads to the store writer. Thread-safe. */
public final class IngestQueue {
  private final int capacity;
  private final Semaphore permits;
  private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();

  public IngestQueue(int capacityEvents) {
    this.capacity = Math.max(1, capacityEvents);
    this.permits = new Semaphore(capacity);
  }

  private int weight(Batch b) {
    return Math.max(1, Math.min(b.events().size(), capacity));
  }

  /** Queues the batch if there is room now; false means "full, retry later". */
  public boolean offer(Batch b) {
    if (!permits.tryAcquire(weight(b))) {
      return false;
    }
    queue.add(b);
    return true;
  }

  /** Queues the batch, waiting for room (backpressure). */
  public void put(Batch b) throws InterruptedException {
    permits.acquire(weight(b));
    queue.add(b);
  }

  /** The next batch, waiting up to the timeout; null when none arrived. */
  Batch poll(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  /** Returns the batch's room once it is stored (or failed). */
  void release(Batch b) {
    permits.release(weight(b));
  }

  /** Events queued and not yet stored. */
  public int queued() {
    return capacity - permits.availablePermits();
  }

  public int capacity() {
    return capacity;
  }
}
