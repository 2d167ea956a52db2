package org.lovcen.kafka;

import org.lovcen.sigma.CorrelationHit;

/**
 * A {@link CorrelationHit} on the hits topic, with the fingerprint of the rule texts it was
 * computed under (its input index means something only under those rules).
 */
final class HitCodec {
  private HitCodec() {}

  /** A decoded hit and the rules it belongs to. */
  record Tagged(long rules, CorrelationHit hit) {}

  static byte[] encode(Codec.Writer out, long rules, CorrelationHit h) {
    out.reset().varint(rules).varint(h.input()).varint(h.timestamp()).str(h.institution()).str(h.host())
        .varint(h.values().length);
    for (String v : h.values()) {
      out.str(v);
    }
    return out.str(h.source()).varint(h.record()).toBytes();
  }

  static Tagged decode(byte[] value) {
    Codec.Reader in = new Codec.Reader(value);
    long rules = in.varint();
    int input = (int) in.varint();
    long ts = in.varint();
    String institution = in.str();
    String host = in.str();
    String[] values = new String[(int) in.varint()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.str();
    }
    return new Tagged(rules, new CorrelationHit(input, ts, institution, host, values, in.str(), in.varint()));
  }
}
