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

  /** The longest host, channel and provider the store keeps (and the alerts, incidents and sites made of them). */
  public static final int MAX_HEADER = 512;
  /** The longest source the store keeps. */
  public static final int MAX_SOURCE = 1024;

  /**
   * Cuts the header of {@code e} to what the store's columns hold (host, channel and provider
   * {@value #MAX_HEADER} characters, source {@value #MAX_SOURCE}), in place, before it is stored
   * and detected: PostgreSQL refuses longer text, and an event refused would fail every request
   * stored in the same transaction, and every alert of it. The field table keeps the whole value.
   */
  public static Event fit(Event e) {
    e.host(cut(e.host(), MAX_HEADER));
    e.channel(cut(e.channel(), MAX_HEADER));
    e.provider(cut(e.provider(), MAX_HEADER));
    e.source(cut(e.source(), MAX_SOURCE));
    return e;
  }

  private static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max; // never half a character
    return s.substring(0, end);
  }

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
