package org.lovcen.core;

import java.util.Arrays;

/**
 * One normalised log event: a few typed header fields plus an ordered list of named fields.
 *
 * <p>Field names are the names Sigma rules use ({@code Image}, {@code CommandLine},
 * {@code EventID}, {@code Provider_Name}, dotted paths for nested JSON). A name may occur more
 * than once (the elements of a JSON array); matching treats that as "any of". Values are kept
 * as text with a small type tag, so that nothing is boxed on the matching path.
 *
 * <p>Instances are mutable and meant to be reused: a reader fills one event per record and the
 * consumer copies what it wants to keep ({@link #copy()}). Not thread-safe.
 */
public final class Event {
  /** Type tag of a text value. */
  public static final byte STRING = 0;
  /** Type tag of a number rendered in decimal (or hex with a {@code 0x} prefix). */
  public static final byte NUMBER = 1;
  /** Type tag of {@code true} / {@code false}. */
  public static final byte BOOLEAN = 2;
  /** Type tag of an explicit null; the value is {@code null}. */
  public static final byte NULL = 3;

  /** Marks an unknown timestamp. */
  public static final long NO_TIME = Long.MIN_VALUE;

  private long timestamp = NO_TIME;
  private String institution;
  private String host;
  private String channel;
  private String provider;
  private int eventId = -1;
  private String source;
  private long record;

  private String[] names = new String[32];
  private String[] values = new String[32];
  private byte[] types = new byte[32];
  private int size;

  /** Forgets every field and header value except institution and source. */
  public void clear() {
    Arrays.fill(names, 0, size, null);
    Arrays.fill(values, 0, size, null);
    size = 0;
    timestamp = NO_TIME;
    host = null;
    channel = null;
    provider = null;
    eventId = -1;
    record = 0;
  }

  /** Appends a field. */
  public void add(String name, String value, byte type) {
    if (size == names.length) {
      int n = size * 2;
      names = Arrays.copyOf(names, n);
      values = Arrays.copyOf(values, n);
      types = Arrays.copyOf(types, n);
    }
    names[size] = name;
    values[size] = value;
    types[size] = type;
    size++;
  }

  /** Appends a text field. */
  public void add(String name, String value) {
    add(name, value, value == null ? NULL : STRING);
  }

  /** Number of fields (repeated names counted each time). */
  public int size() {
    return size;
  }

  /** Name of field {@code i}. */
  public String name(int i) {
    return names[i];
  }

  /** Value of field {@code i}; {@code null} for {@link #NULL}. */
  public String value(int i) {
    return values[i];
  }

  /** Type tag of field {@code i}. */
  public byte type(int i) {
    return types[i];
  }

  /**
   * First value of the named field, or {@code null}. A linear scan: for display and tests, not
   * for the matching path (which reads fields by interned id).
   */
  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : values[i];
  }

  /** Index of the first field with this name, or -1. */
  public int indexOf(String name) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Replaces the value of the first field with this name, or appends it. */
  public void set(String name, String value, byte type) {
    int i = indexOf(name);
    if (i < 0) {
      add(name, value, type);
    } else {
      values[i] = value;
      types[i] = type;
    }
  }

  /** A deep copy that stays valid after this instance is reused. */
  public Event copy() {
    Event e = new Event();
    e.names = Arrays.copyOf(names, Math.max(size, 1));
    e.values = Arrays.copyOf(values, Math.max(size, 1));
    e.types = Arrays.copyOf(types, Math.max(size, 1));
    e.size = size;
    e.timestamp = timestamp;
    e.institution = institution;
    e.host = host;
    e.channel = channel;
    e.provider = provider;
    e.eventId = eventId;
    e.source = source;
    e.record = record;
    return e;
  }

  /** Event time in microseconds since the epoch (UTC), or {@link #NO_TIME}. */
  public long timestamp() {
    return timestamp;
  }

  public void timestamp(long micros) {
    this.timestamp = micros;
  }

  /** The institution the event belongs to (tenancy starts at the reader); may be null. */
  public String institution() {
    return institution;
  }

  public void institution(String institution) {
    this.institution = institution;
  }

  /** The host (Windows {@code Computer}, syslog hostname, site for web logs); may be null. */
  public String host() {
    return host;
  }

  public void host(String host) {
    this.host = host;
  }

  /** The Windows event log channel ({@code Security}, {@code Microsoft-Windows-Sysmon/Operational}); may be null. */
  public String channel() {
    return channel;
  }

  public void channel(String channel) {
    this.channel = channel;
  }

  /** The event provider ({@code Provider_Name}); may be null. */
  public String provider() {
    return provider;
  }

  public void provider(String provider) {
    this.provider = provider;
  }

  /**
   * The Windows EventID: the decimal value of the {@code EventID} field; -1 when absent, not
   * decimal, or ambiguous (several different values). Detection narrows rules by it.
   */
  public int eventId() {
    return eventId;
  }

  public void eventId(int eventId) {
    this.eventId = eventId;
  }

  /** Where the event was read from: the input path as given, an upload name, a listener. */
  public String source() {
    return source;
  }

  public void source(String source) {
    this.source = source;
  }

  /** The record number (EVTX) or line (text formats) within {@link #source()}. */
  public long record() {
    return record;
  }

  public void record(long record) {
    this.record = record;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Event{");
    b.append(Timestamps.format(timestamp)).append(' ').append(host).append(' ').append(channel).append(' ')
        .append(eventId);
    for (int i = 0; i < size; i++) {
      b.append(", ").append(names[i]).append('=').append(values[i]);
    }
    return b.append('}').toString();
  }
}
