package org.lovcen.server.live;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.lovcen.core.Event;
import org.lovcen.store.EventJson;

/**
 * One ingest request's events, all of one institution, on their way to the store. Completed
 * once they are committed (or failed when the store failed).
 *
 * @param key the request's idempotency key, or null
 * @param rejected lines of the request that were not events (counted in the receipt)
 * @param fields each event's field table as stored ({@link EventJson}), encoded by the thread that
 *     made the batch, so that the single store writer does not spend its time on it
 * @param unanswered nobody awaits the answer (syslog: the sender has no acknowledgement to wait
 *     for and cannot resend): when the store fails for a while (full, away), the store writer keeps
 *     the batch and tries again instead of failing it
 */
public record Batch(String institution, List<Event> events, String key, int rejected, long receivedNanos,
    List<String> fields, boolean unanswered, CompletableFuture<Receipt> done) {
  public static Batch of(String institution, List<Event> events, String key, int rejected) {
    return of(institution, events, key, rejected, System.nanoTime());
  }

  /** A batch of a request that arrived at {@code receivedNanos} ({@link System#nanoTime()}). */
  public static Batch of(String institution, List<Event> events, String key, int rejected, long receivedNanos) {
    return new Batch(institution, events, key, rejected, receivedNanos, encode(events), false,
        new CompletableFuture<>());
  }

  /** A batch nobody awaits (syslog): kept and written again while the store fails, never dropped. */
  public static Batch unanswered(String institution, List<Event> events) {
    return new Batch(institution, events, null, 0, System.nanoTime(), encode(events), true,
        new CompletableFuture<>());
  }

  /** Each event's field table as stored; the events' headers are cut to what the store holds first. */
  private static List<String> encode(List<Event> events) {
    String[] fields = new String[events.size()];
    for (int i = 0; i < fields.length; i++) {
      fields[i] = EventJson.write(org.lovcen.store.StoredEvent.fit(events.get(i)));
    }
    return List.of(fields);
  }
}
