package org.lovcen.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDate;

/*
 * How and why: the generator must produce several hundred thousand events a second, so events
 * are written straight into one reused byte array, in the exact shape evtx_dump gives
 * (Event -> #attributes, System, EventData), one object per line. Keys are ASCII literals and
 * are copied without escaping; values are escaped and UTF-8 encoded by hand. Times are printed
 * from micros with the date part cached per day. Nothing here allocates per event except the
 * rare date change and buffer growth.
 */
/** Writes one evtx_dump-style event at a time into a reused buffer. Not thread-safe. */
final class JsonLineWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private byte[] buf = new byte[1 << 14];
  private int len;
  private boolean first;
  private long cachedDay = Long.MIN_VALUE;
  private final byte[] day = new byte[10];
  private int eventId;
  private long record;

  /** Starts an event: writes the System block and opens EventData. */
  void open(Channel ch, int eventId, long micros, String computer, long record, int execPid, int execTid,
      String userSid) {
    len = 0;
    this.eventId = eventId;
    this.record = record;
    raw("{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/event\"},"
        + "\"System\":{\"Provider\":{\"#attributes\":{");
    raw(ch.providerAttributes);
    raw("}},\"EventID\":");
    if (ch.qualifiers >= 0) {
      raw("{\"#attributes\":{\"Qualifiers\":");
      num(ch.qualifiers);
      raw("},\"#text\":");
      num(eventId);
      raw("}");
    } else {
      num(eventId);
    }
    raw(",\"Version\":");
    num(ch.version(eventId));
    raw(",\"Level\":");
    num(ch.level(eventId));
    raw(",\"Task\":");
    num(ch.task(eventId));
    raw(",\"Opcode\":");
    num(ch.opcode(eventId));
    raw(",\"Keywords\":\"");
    raw(ch.keywords(eventId));
    raw("\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"");
    isoTime(micros);
    raw("\"}},\"EventRecordID\":");
    num(record);
    raw(",\"Correlation\":null,\"Execution\":{\"#attributes\":{\"ProcessID\":");
    num(execPid);
    raw(",\"ThreadID\":");
    num(execTid);
    raw("}},\"Channel\":\"");
    raw(ch.channelName);
    raw("\",\"Computer\":");
    string(computer);
    if (userSid == null) {
      raw(",\"Security\":null},\"EventData\":{");
    } else {
      raw(",\"Security\":{\"#attributes\":{\"UserID\":\"");
      raw(userSid);
      raw("\"}}},\"EventData\":{");
    }
    first = true;
  }

  /** Closes the event and its line. */
  void close() {
    raw("}}}\n");
  }

  /** A text field. */
  void s(String key, String value) {
    key(key);
    string(value);
  }

  /** A text field from a template: {@code {u}} user, {@code {d}} document, {@code {dom}} domain. */
  void t(String key, String template, String u, String d, String dom) {
    key(key);
    put('"');
    int n = template.length();
    for (int i = 0; i < n; i++) {
      char c = template.charAt(i);
      if (c == '{' && i + 2 < n && template.charAt(i + 2) == '}') {
        char k = template.charAt(i + 1);
        if (k == 'u' || k == 'd') {
          escaped(k == 'u' ? u : d);
          i += 2;
          continue;
        }
      } else if (c == '{' && template.startsWith("{dom}", i)) {
        escaped(dom);
        i += 4;
        continue;
      }
      escapedChar(c);
    }
    put('"');
  }

  /** A number field. */
  void n(String key, long value) {
    key(key);
    num(value);
  }

  /** A JSON boolean-looking text field as Sysmon writes them ("true"/"false"). */
  void b(String key, boolean value) {
    key(key);
    raw(value ? "\"true\"" : "\"false\"");
  }

  /** A hex text field such as {@code "0x1a2c"}. */
  void hex(String key, long value) {
    key(key);
    raw("\"0x");
    hexDigits(value, false);
    put('"');
  }

  /** A Sysmon-style GUID text field built from two numbers. */
  void guid(String key, long hi, long lo) {
    key(key);
    put('"');
    guidBody(hi, lo);
    put('"');
  }

  /** A Sysmon UtcTime field ({@code yyyy-MM-dd HH:mm:ss.SSS}). */
  void utc(String key, long micros) {
    key(key);
    put('"');
    dateAndClock(micros, ' ');
    put('.');
    long ms = Math.floorMod(micros, 1_000_000L) / 1000;
    fixed(ms, 3);
    put('"');
  }

  /** EventID of the current event. */
  int eventId() {
    return eventId;
  }

  /** EventRecordID of the current event. */
  long record() {
    return record;
  }

  /** The bytes written so far for the current event. */
  byte[] buffer() {
    return buf;
  }

  int length() {
    return len;
  }

  void writeTo(OutputStream out) throws IOException {
    out.write(buf, 0, len);
  }

  // ---------------------------------------------------------------- low level

  private void key(String k) {
    if (!first) {
      put(',');
    }
    first = false;
    put('"');
    raw(k);
    raw("\":");
  }

  void guidBody(long hi, long lo) {
    fixedHex(hi >>> 32, 8);
    put('-');
    fixedHex((hi >>> 16) & 0xFFFF, 4);
    put('-');
    fixedHex(hi & 0xFFFF, 4);
    put('-');
    fixedHex((lo >>> 48) & 0xFFFF, 4);
    put('-');
    fixedHex(lo & 0xFFFFFFFFFFFFL, 12);
  }

  private void isoTime(long micros) {
    dateAndClock(micros, 'T');
    put('.');
    fixed(Math.floorMod(micros, 1_000_000L), 6);
    put('Z');
  }

  private void dateAndClock(long micros, char sep) {
    long secs = Math.floorDiv(micros, 1_000_000L);
    long d = Math.floorDiv(secs, 86_400L);
    if (d != cachedDay) {
      cachedDay = d;
      String s = LocalDate.ofEpochDay(d).toString();
      for (int i = 0; i < 10; i++) {
        day[i] = (byte) s.charAt(i);
      }
    }
    ensure(10);
    System.arraycopy(day, 0, buf, len, 10);
    len += 10;
    put(sep);
    int sod = (int) Math.floorMod(secs, 86_400L);
    fixed(sod / 3600, 2);
    put(':');
    fixed(sod / 60 % 60, 2);
    put(':');
    fixed(sod % 60, 2);
  }

  private void fixed(long v, int digits) {
    ensure(digits);
    for (int i = digits - 1; i >= 0; i--) {
      buf[len + i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += digits;
  }

  private void fixedHex(long v, int digits) {
    ensure(digits);
    for (int i = digits - 1; i >= 0; i--) {
      buf[len + i] = HEX_UPPER[(int) (v & 0xF)];
      v >>>= 4;
    }
    len += digits;
  }

  private void hexDigits(long v, boolean upper) {
    int digits = Math.max(1, (67 - Long.numberOfLeadingZeros(v)) / 4);
    ensure(digits);
    byte[] table = upper ? HEX_UPPER : HEX;
    for (int i = digits - 1; i >= 0; i--) {
      buf[len + i] = table[(int) (v & 0xF)];
      v >>>= 4;
    }
    len += digits;
  }

  private void num(long v) {
    if (v < 0) {
      put('-');
      v = -v;
    }
    int digits = 1;
    for (long x = v; x >= 10; x /= 10) {
      digits++;
    }
    fixed(v, digits);
  }

  private void string(String s) {
    if (s == null) {
      raw("null");
      return;
    }
    put('"');
    escaped(s);
    put('"');
  }

  private void escaped(String s) {
    int n = s.length();
    ensure(n + 2);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        if (len == buf.length) {
          grow(1);
        }
        buf[len++] = (byte) c;
      } else if (Character.isHighSurrogate(c) && i + 1 < n) {
        utf8(Character.toCodePoint(c, s.charAt(++i)));
      } else {
        escapedChar(c);
      }
    }
  }

  private void escapedChar(char c) {
    switch (c) {
      case '"' -> raw("\\\"");
      case '\\' -> raw("\\\\");
      case '\n' -> raw("\\n");
      case '\r' -> raw("\\r");
      case '\t' -> raw("\\t");
      default -> {
        if (c < 0x20) {
          raw("\\u00");
          put((char) HEX[c >> 4]);
          put((char) HEX[c & 0xF]);
        } else {
          utf8(c);
        }
      }
    }
  }

  private void utf8(int cp) {
    ensure(4);
    if (cp < 0x80) {
      buf[len++] = (byte) cp;
    } else if (cp < 0x800) {
      buf[len++] = (byte) (0xC0 | cp >> 6);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    } else if (cp < 0x10000) {
      buf[len++] = (byte) (0xE0 | cp >> 12);
      buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    } else {
      buf[len++] = (byte) (0xF0 | cp >> 18);
      buf[len++] = (byte) (0x80 | cp >> 12 & 0x3F);
      buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
      buf[len++] = (byte) (0x80 | cp & 0x3F);
    }
  }

  /** Copies an ASCII literal without escaping. */
  private void raw(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len + i] = (byte) s.charAt(i);
    }
    len += n;
  }

  private void put(char c) {
    if (len == buf.length) {
      grow(1);
    }
    buf[len++] = (byte) c;
  }

  private void ensure(int extra) {
    if (len + extra > buf.length) {
      grow(extra);
    }
  }

  private void grow(int extra) {
    buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
  }
}
