package org.lovcen.server.live;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/*
 * How and why: the queue between ingest and storage is bounded by events, not by requests, so
 * memory stays bounded whatever the request sizes. A permit per queued event is taken on entry
 * and returned by the store writer once the event is committed. HTTP ingest only tries (and
 * answers 429 when full: the client retries later); syslog over TCP and uploads wait, which
 * stops reading from the socket and pushes back on the sender.
 *
 * One institution may hold at most a share of the queue (its quota), so that a flood of one
 * institution's events (an attack on it, or a misconfigured shipper) fills its own quota and is
 * pushed back, while the others still get in. A batch larger than the quota is let in when the
 * institution holds nothing, so no batch waits for ever.
 */
/** Bounded hand-over from ingest threads to the store writer. Thread-safe. */
public final class IngestQueue {
  private final int capacity;
  private final int quota;
  private final Semaphore permits;
  private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
  /** Events queued per institution; guarded by {@code this}. */
  private final Map<String, Integer> held = new HashMap<>();

  public IngestQueue(int capacityEvents) {
    this(capacityEvents, 100);
  }

  /** @param sharePercent the share of the capacity one institution may hold (1-100) */
  public IngestQueue(int capacityEvents, int sharePercent) {
    this.capacity = Math.max(1, capacityEvents);
    this.quota = Math.max(1, (int) ((long) capacity * Math.min(100, Math.max(1, sharePercent)) / 100));
    this.permits = new Semaphore(capacity);
  }

  private int weight(Batch b) {
    return Math.max(1, Math.min(b.events().size(), capacity));
  }

  /** Queues the batch if there is room now, in the queue and in its institution's quota; false: retry later. */
  public boolean offer(Batch b) {
    if (!reserve(b)) {
      return false;
    }
    if (!permits.tryAcquire(weight(b))) {
      unreserve(b);
      return false;
    }
    queue.add(b);
    return true;
  }

  /** Queues the batch, waiting for room in its institution's quota and in the queue (backpressure). */
  public void put(Batch b) throws InterruptedException {
    synchronized (this) {
      while (!reserve(b)) {
        wait(1000);
      }
    }
    try {
      permits.acquire(weight(b));
    } catch (InterruptedException e) {
      unreserve(b);
      throw e;
    }
    queue.add(b);
  }

  private synchronized boolean reserve(Batch b) {
    int now = held.getOrDefault(key(b), 0);
    int w = weight(b);
    if (now > 0 && now + w > quota) {
      return false;
    }
    held.put(key(b), now + w);
    return true;
  }

  private synchronized void unreserve(Batch b) {
    int left = held.getOrDefault(key(b), 0) - weight(b);
    if (left <= 0) {
      held.remove(key(b));
    } else {
      held.put(key(b), left);
    }
    notifyAll();
  }

  private static String key(Batch b) {
    return b.institution() == null ? "" : b.institution();
  }

  /** Events queued for {@code institution} and not yet stored. */
  public synchronized int queued(String institution) {
    return held.getOrDefault(institution, 0);
  }

  /** The next batch, waiting up to the timeout; null when none arrived. */
  Batch poll(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  /** Returns the batch's room once it is stored (or failed). */
  void release(Batch b) {
    permits.release(weight(b));
    unreserve(b);
  }

  /** Events queued and not yet stored. */
  public int queued() {
    return capacity - permits.availablePermits();
  }

  public int capacity() {
    return capacity;
  }
}
