package org.lovcen.kafka;

import org.lovcen.core.Event;

/**
 * An {@link Event} as the value of an events-topic record: the typed header (time, institution,
 * host, channel, provider, EventID, source, record) and every field with its type tag, so that a
 * worker evaluates exactly the event the reader produced. One instance per thread (it reuses its
 * buffer).
 */
public final class EventCodec {
  private static final int VERSION = 1;
  private final Codec.Writer out = new Codec.Writer();

  /** The record value of {@code e}. */
  public byte[] encode(Event e) {
    out.reset().u8(VERSION).varint(e.timestamp()).str(e.institution()).str(e.host()).str(e.channel())
        .str(e.provider()).varint(e.eventId()).str(e.source()).varint(e.record()).varint(e.size());
    for (int i = 0; i < e.size(); i++) {
      out.u8(e.type(i)).str(e.name(i)).str(e.value(i));
    }
    return out.toBytes();
  }

  /**
   * Fills {@code reuse} from a record value.
   *
   * @throws KafkaRunnerException when the bytes are not an encoded event
   */
  public static void decode(byte[] value, Event reuse) {
    Codec.Reader in = new Codec.Reader(value);
    if (in.u8() != VERSION) {
      throw new KafkaRunnerException("malformed event: unknown version");
    }
    reuse.clear();
    reuse.timestamp(in.varint());
    reuse.institution(in.str());
    reuse.host(in.str());
    reuse.channel(in.str());
    reuse.provider(in.str());
    reuse.eventId((int) in.varint());
    reuse.source(in.str());
    reuse.record(in.varint());
    for (long n = in.varint(); n > 0; n--) {
      byte type = (byte) in.u8();
      String name = in.str();
      reuse.add(name, in.str(), type);
    }
  }

  /** The record key of an event: institution and host, so that one host's events stay in order. */
  public static String key(Event e) {
    return (e.institution() == null ? "" : e.institution()) + "/" + (e.host() == null ? "" : e.host());
  }
}
