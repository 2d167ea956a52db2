package org.lovcen.store;

import org.lovcen.core.Event;

/**
 * A raw event as stored.
 *
 * @param id dense store id, in ingest order
 * @param ts event time, micros since the epoch
 * @param fields the field table as a JSON object ({@link EventJson})
 */
public record StoredEvent(long id, String institution, long ts, String host, String channel, String provider,
    int eventId, String source, long record, String fields) {

  /** The stored form of {@code e} (which must carry its institution) under {@code id}. */
  public static StoredEvent of(long id, Event e) {
    return of(id, e, EventJson.write(e));
  }

  /** The same with the field table already encoded ({@link EventJson#write}). */
  public static StoredEvent of(long id, Event e, String fields) {
    long ts = e.timestamp() == Event.NO_TIME ? System.currentTimeMillis() * 1000 : e.timestamp();
    return new StoredEvent(id, e.institution(), ts, e.host(), e.channel(), e.provider(), e.eventId(), e.source(),
        e.record(), fields);
  }

  /** Fills {@code into} (cleared first) with this event: header and fields. */
  public Event toEvent(Event into) {
    into.clear();
    into.timestamp(ts);
    into.institution(institution);
    into.host(host);
    into.channel(channel);
    into.provider(provider);
    into.eventId(eventId);
    into.source(source);
    into.record(record);
    EventJson.read(fields, into);
    return into;
  }

  /** Days since the epoch of {@code ts}: the retention partition. */
  static int day(long ts) {
    return (int) Math.floorDiv(ts, 86_400_000_000L);
  }
}
