package org.lovcen.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/*
 * How and why: events and correlation hits cross Kafka in a small binary form rather than JSON:
 * they are written once by ingest (or the evaluation stage) and read once per worker, and the
 * reader must not pay for JSON parsing a second time. Strings are length-prefixed UTF-8 (-1 for
 * null), integers little-endian varints where they are usually small.
 */
/** A growable byte writer and a cursor reader for the binary records on Lovcen's topics. Not thread-safe. */
final class Codec {
  private Codec() {}

  /** Appends values to a reusable buffer. */
  static final class Writer {
    private byte[] buf = new byte[512];
    private int len;

    Writer reset() {
      len = 0;
      return this;
    }

    byte[] toBytes() {
      return Arrays.copyOf(buf, len);
    }

    Writer u8(int v) {
      ensure(1);
      buf[len++] = (byte) v;
      return this;
    }

    Writer varint(long v) {
      long z = (v << 1) ^ (v >> 63); // zig-zag: small negatives stay short
      ensure(10);
      while ((z & ~0x7FL) != 0) {
        buf[len++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      buf[len++] = (byte) z;
      return this;
    }

    Writer str(String s) {
      if (s == null) {
        return varint(-1);
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, len, b.length);
      len += b.length;
      return this;
    }

    private void ensure(int n) {
      if (len + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
      }
    }
  }

  /** Reads values in the order they were written. */
  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    int u8() {
      check(1);
      return buf[pos++] & 0xFF;
    }

    long varint() {
      long z = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        check(1);
        byte b = buf[pos++];
        z |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return (z >>> 1) ^ -(z & 1);
        }
      }
      throw new KafkaRunnerException("malformed record: varint too long");
    }

    String str() {
      long n = varint();
      if (n < 0) {
        return null;
      }
      check(n);
      String s = new String(buf, pos, (int) n, StandardCharsets.UTF_8);
      pos += (int) n;
      return s;
    }

    boolean atEnd() {
      return pos == buf.length;
    }

    private void check(long n) {
      if (n > buf.length - pos) {
        throw new KafkaRunnerException("malformed record: truncated at byte " + pos);
      }
    }
  }
}
