package org.lovcen.ingest.syslog;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;

/*
 * How and why: one pass over the message bytes, no regex, in the order a relay reads a message.
 *
 *  1. Trailing LF, CR and NUL are cut. Empty input, an invalid PRI ("<999>", "<12", "<1234>") and
 *     binary data (a NUL inside, or more than a tenth of the bytes control characters or invalid
 *     UTF-8) are rejected: nothing a person could read would be kept.
 *  2. PRI: "<N>" with N in 0..191; absent, RFC 3164's relay default 13 (user.notice) applies.
 *  3. "1 " after a PRI: RFC 5424, read strictly (header fields printable ASCII of the RFC's
 *     lengths, strict timestamp, structured data as the RFC's grammar). A message that starts
 *     like RFC 5424 but breaks the grammar is kept whole as the message ("message only", with a
 *     problem saying what was wrong), since its sender meant something by it.
 *  4. Otherwise RFC 3164 and what real senders make of it: an optional Cisco sequence number
 *     ("123: ") and clock mark ('*' or '.'), then a BSD time or an RFC 3339 time (rsyslog's
 *     forwarding format). Without a recognisable time the text after PRI is the message, as
 *     RFC 3164 section 4.3.3 tells a relay to do. After the time comes HOSTNAME, then TAG.
 *     HOSTNAME is optional in practice, so the first word is a TAG when it looks like one
 *     ("sshd[812]:", "kernel:", "%ASA-6-302013:"), else a host name when it is made of host name
 *     characters and another word follows, else the start of the message. A TAG is a word ending
 *     in ':' (or "word[pid]" followed by ':' or a space); no TAG leaves the whole rest as message.
 *
 * Times missing or NILVALUE are the time of receipt (the clock's now), as rsyslog does. The
 * secret token in structured data element lovcen@32473 is taken out (see #token()) and never
 * becomes a field; a message that mentions that element anywhere else is rejected rather than
 * stored, so that a sender misformatting its token cannot leak it into the store.
 */
/**
 * Parses one syslog message (RFC 5424, RFC 3164 and common variants) into an {@link Event}.
 *
 * <p>Fields: {@code facility}, {@code severity} (names), {@code priority} (number), then those
 * the message has of {@code hostname}, {@code appname}, {@code procid}, {@code msgid}, one
 * {@code <sd-id>.<param-name>} per structured-data parameter, and {@code message}. Header: time,
 * host (the HOSTNAME, else the peer), provider (APP-NAME or TAG), and no channel: a channel names a
 * Windows event log, and Sigma routes events without one to non-Windows rules ({@code product:
 * linux} and the like).
 *
 * <p>Never throws on any input: a message is read in full, kept as message only, or rejected
 * with a reason ({@link #problem()}). Not thread-safe: one per connection or reading thread.
 */
public final class SyslogParser {
  /** The structured-data element that carries a sender's token. */
  public static final String TOKEN_ELEMENT = "lovcen@32473";
  /** The parameter of {@link #TOKEN_ELEMENT} holding the token. */
  public static final String TOKEN_PARAM = "token";
  /** PRI when a message has none (RFC 3164 section 4.3.3: user.notice). */
  public static final int DEFAULT_PRI = 13;

  /** How a message was read. */
  public enum Outcome {
    /** A valid RFC 5424 message. */
    RFC5424,
    /** An RFC 3164 (BSD) message with a recognised time. */
    RFC3164,
    /** Kept with its text as the message: no recognisable header, or a broken RFC 5424 one. */
    MESSAGE_ONLY,
    /** Not usable; {@link #problem()} says why and the event holds nothing. */
    REJECTED;

    /** Whether the event was filled. */
    public boolean accepted() {
      return this != REJECTED;
    }
  }

  private static final String[] FACILITIES = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
      "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2", "local3",
      "local4", "local5", "local6", "local7"};
  private static final String[] SEVERITIES = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
  private static final String[] PRIORITIES = new String[192];
  private static final byte[] TOKEN_MARK = TOKEN_ELEMENT.getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_TAG = 48;

  static {
    for (int i = 0; i < PRIORITIES.length; i++) {
      PRIORITIES[i] = Integer.toString(i);
    }
  }

  private final SyslogTime time;
  private final Rfc5424 rfc5424 = new Rfc5424();

  private byte[] b;
  private int start;
  private int end;
  private Event e;
  private String source;
  private String peer;
  private long record;
  private Problem problem;
  private String token;

  /** A parser for UTC senders, on the system clock. */
  public SyslogParser() {
    this(ZoneOffset.UTC, Clock.systemUTC());
  }

  /**
   * @param zone the zone of times that carry none (RFC 3164, rsyslog without offset)
   * @param clock gives "now": the year of RFC 3164 times and the time of messages without one
   */
  public SyslogParser(ZoneId zone, Clock clock) {
    this.time = new SyslogTime(Objects.requireNonNull(zone, "zone"), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Parses {@code buf[off, off+len)} into {@code into}, which is cleared first.
   *
   * @param source names the event's source and the problems (a listener, e.g. {@code syslog-tcp:192.0.2.7})
   * @param peer the sender's address as text: the host when the message names none
   * @param record the message's number within the source
   * @return how the message was read; on {@link Outcome#REJECTED} the event holds nothing usable
   */
  public Outcome parse(byte[] buf, int off, int len, String source, String peer, long record, Event into) {
    Objects.checkFromIndexSize(off, len, buf.length);
    this.b = buf;
    this.start = off;
    this.end = off + len;
    this.e = into;
    this.source = source;
    this.peer = peer;
    this.record = record;
    this.problem = null;
    this.token = null;
    into.clear();
    into.source(source);
    into.record(record);
    try {
      return read();
    } finally {
      this.b = null;
      this.e = null;
    }
  }

  /** Parses a message given as text (encoded as UTF-8 first). */
  public Outcome parse(String message, String source, String peer, long record, Event into) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    return parse(bytes, 0, bytes.length, source, peer, record, into);
  }

  /**
   * Why the last message was rejected, or what was wrong with the RFC 5424 header of a message
   * kept as message only; null when it was read in full. The position is the byte offset in the
   * message. Never quotes structured data (it may hold a token).
   */
  public Problem problem() {
    return problem;
  }

  /** The token of the last message ({@link #TOKEN_ELEMENT} {@code token=}), or null. A secret: never log it. */
  public String token() {
    return token;
  }

  private Outcome read() {
    while (end > start && (b[end - 1] == '\n' || b[end - 1] == '\r' || b[end - 1] == 0)) {
      end--;
    }
    if (end == start) {
      return reject(0, "empty message");
    }
    String binary = binary();
    if (binary != null) {
      return reject(0, binary);
    }
    int pos = start;
    int pri = DEFAULT_PRI;
    if (b[pos] == '<' && pos + 1 < end && SyslogTime.digit(b[pos + 1]) >= 0) {
      int i = pos + 1;
      int v = 0;
      while (i < end && i - pos <= 4 && SyslogTime.digit(b[i]) >= 0) {
        v = v * 10 + SyslogTime.digit(b[i++]);
      }
      if (i - pos > 4 || i >= end || b[i] != '>') {
        return reject(0, "invalid PRI '" + preview(pos, Math.min(end, pos + 6)) + "'");
      }
      if (v > 191) {
        return reject(0, "PRI " + v + " out of range 0..191");
      }
      pri = v;
      pos = i + 1;
      if (pos + 1 < end && b[pos] == '1' && b[pos + 1] == ' ') {
        return rfc5424.read(pri, pos);
      }
    }
    return rfc3164(pri, pos);
  }

  // ---- RFC 3164 and variants

  private Outcome rfc3164(int pri, int body) {
    if (indexOf(TOKEN_MARK, start, end) >= 0) {
      return reject(0, "message names " + TOKEN_ELEMENT + " outside RFC 5424 structured data");
    }
    int pos = body;
    long t = Event.NO_TIME;
    for (int attempt = 0; attempt < 2 && t == Event.NO_TIME; attempt++) {
      pos = attempt == 0 ? body : ciscoPrefix(body);
      if (pos < 0) {
        break;
      }
      if (pos < end && (b[pos] == '*' || b[pos] == '.')) {
        pos++;
      }
      t = SyslogTime.digit(pos < end ? b[pos] : 0) >= 0 ? time.iso(b, pos, end, false) : time.bsd(b, pos, end);
    }
    if (t == Event.NO_TIME) {
      return messageOnly(pri, body);
    }
    pos = time.end;
    if (pos < end && b[pos] == ':') {
      pos++;
    }
    if (pos < end && b[pos] != ' ') {
      return messageOnly(pri, body);
    }
    header(pri, t);
    pos = skipSpaces(pos);
    int tag = tag(pos);
    if (tag < 0) {
      int word = wordEnd(pos);
      if (word < end && word > pos && hostname(pos, word)) {
        String host = str(pos, word);
        e.host(host);
        e.add("hostname", host);
        pos = skipSpaces(word);
        tag = tag(pos);
      }
    }
    if (tag >= 0) {
      pos = tag;
    }
    message(pos);
    return Outcome.RFC3164;
  }

  /** Index after a Cisco sequence number "123: ", or -1. */
  private int ciscoPrefix(int pos) {
    int i = pos;
    while (i < end && i - pos < 10 && SyslogTime.digit(b[i]) >= 0) {
      i++;
    }
    return i > pos && i + 1 < end && b[i] == ':' && b[i + 1] == ' ' ? i + 2 : -1;
  }

  /**
   * A TAG at {@code pos}: "name:", "name[pid]:" or "name[pid] ". Adds appname (and procid) and
   * returns the index of the message after it (one space skipped); -1 when there is none.
   */
  private int tag(int pos) {
    int i = pos;
    while (i < end && i - pos <= MAX_TAG && b[i] != ' ' && b[i] != ':' && b[i] != '[' && b[i] != ']'
        && b[i] != '\t') {
      i++;
    }
    if (i == pos || i - pos > MAX_TAG || i >= end) {
      return -1;
    }
    int nameEnd = i;
    int pidStart = -1;
    int pidEnd = -1;
    if (b[i] == '[') {
      pidStart = i + 1;
      int j = pidStart;
      while (j < end && j - pidStart < 128 && b[j] != ']' && b[j] != ' ') {
        j++;
      }
      if (j >= end || b[j] != ']') {
        return -1;
      }
      pidEnd = j;
      i = j + 1;
    }
    boolean colon = i < end && b[i] == ':';
    if (colon) {
      i++;
    }
    if (i < end && b[i] != ' ') {
      return -1;
    }
    if (!colon && pidStart < 0) {
      return -1;
    }
    String app = str(pos, nameEnd);
    e.add("appname", app);
    e.provider(app);
    if (pidEnd > pidStart) {
      e.add("procid", str(pidStart, pidEnd));
    }
    return i < end ? i + 1 : i;
  }

  /** Host name characters (letters, digits, '.', '-', '_', ':' for IPv6), at most 255. */
  private boolean hostname(int from, int to) {
    if (to - from > 255) {
      return false;
    }
    for (int i = from; i < to; i++) {
      byte c = b[i];
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-'
          || c == '_' || c == ':';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private Outcome messageOnly(int pri, int body) {
    header(pri, time.now());
    message(body);
    return Outcome.MESSAGE_ONLY;
  }

  // ---- shared

  /** Adds facility, severity and priority, and sets the header; host defaults to the peer. */
  private void header(int pri, long t) {
    e.add("facility", FACILITIES[pri >> 3]);
    e.add("severity", SEVERITIES[pri & 7]);
    e.add("priority", PRIORITIES[pri], Event.NUMBER);
    e.timestamp(t);
    e.host(peer);
  }

  /** Adds the message from {@code pos} (a UTF-8 BOM skipped), when there is one. */
  private void message(int pos) {
    if (pos + 3 <= end && b[pos] == (byte) 0xEF && b[pos + 1] == (byte) 0xBB && b[pos + 2] == (byte) 0xBF) {
      pos += 3;
    }
    if (pos < end) {
      e.add("message", str(pos, end));
    }
  }

  private Outcome reject(int at, String reason) {
    problem = new Problem(source, "byte " + at, reason);
    e.clear();
    e.source(source);
    e.record(record);
    return Outcome.REJECTED;
  }

  /**
   * Why the bytes are binary rather than text, or null: a NUL inside, or more than a tenth
   * control characters (other than TAB, LF, CR, ESC) or bytes of invalid UTF-8.
   */
  private String binary() {
    int bad = 0;
    for (int i = start; i < end; i++) {
      int c = b[i] & 0xFF;
      if (c == 0) {
        return "binary data: NUL at byte " + (i - start);
      }
      if (c < 0x80) {
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1B) || c == 0x7F) {
          bad++;
        }
        continue;
      }
      int n = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
      if (n < 0 || i + n >= end) {
        bad++;
        continue;
      }
      boolean ok = true;
      for (int k = 1; k <= n; k++) {
        if ((b[i + k] & 0xC0) != 0x80) {
          ok = false;
          break;
        }
      }
      if (ok) {
        i += n;
      } else {
        bad++;
      }
    }
    int len = end - start;
    return bad * 10L > len ? "binary data: " + bad + " of " + len + " bytes are not text" : null;
  }

  private int skipSpaces(int pos) {
    while (pos < end && b[pos] == ' ') {
      pos++;
    }
    return pos;
  }

  private int wordEnd(int pos) {
    while (pos < end && b[pos] != ' ') {
      pos++;
    }
    return pos;
  }

  private String str(int from, int to) {
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }

  /** Up to {@code to}, printable ASCII only, for quoting in a reason. */
  private String preview(int from, int to) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < to; i++) {
      int c = b[i] & 0xFF;
      s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
    }
    return s.toString();
  }

  private static int indexOf(byte[] needle, byte[] hay, int from, int to) {
    outer:
    for (int i = from; i <= to - needle.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private int indexOf(byte[] needle, int from, int to) {
    return indexOf(needle, b, from, to);
  }

  // ---- RFC 5424

  /** RFC 5424, strictly; falls back to message only on the first break of the grammar. */
  private final class Rfc5424 {
    private int pos;
    private String why;
    private int whyAt;
    private byte[] scratch = new byte[256];

    Outcome read(int pri, int body) {
      pos = body + 2;
      why = null;
      long t = timestamp();
      String host = field(255, "HOSTNAME");
      String app = field(48, "APP-NAME");
      String procid = field(128, "PROCID");
      String msgid = field(32, "MSGID");
      if (why != null) {
        return broken(pri, body);
      }
      header(pri, t == Event.NO_TIME ? time.now() : t);
      if (host != null) {
        e.host(host);
        e.add("hostname", host);
      }
      if (app != null) {
        e.add("appname", app);
        e.provider(app);
      }
      if (procid != null) {
        e.add("procid", procid);
      }
      if (msgid != null) {
        e.add("msgid", msgid);
      }
      structuredData();
      if (why == null && pos < end && b[pos] != ' ') {
        fail("expected a space after STRUCTURED-DATA");
      }
      if (why != null) {
        return broken(pri, body);
      }
      message(pos + 1);
      return Outcome.RFC5424;
    }

    /** The header broke the grammar: the text after PRI is kept as the message. */
    private Outcome broken(int pri, int body) {
      token = null;
      if (indexOf(TOKEN_MARK, start, end) >= 0) {
        return reject(whyAt - start, "malformed RFC 5424 message naming " + TOKEN_ELEMENT + ": " + why);
      }
      e.clear();
      e.source(source);
      e.record(record);
      Outcome o = messageOnly(pri, body);
      problem = new Problem(source, "byte " + (whyAt - start), "malformed RFC 5424 header, kept as message: " + why);
      return o;
    }

    private void fail(String reason) {
      if (why == null) {
        why = reason;
        whyAt = pos;
      }
    }

    private long timestamp() {
      if (pos + 1 < end && b[pos] == '-' && b[pos + 1] == ' ') {
        pos += 2;
        return Event.NO_TIME;
      }
      long t = time.iso(b, pos, end, true);
      if (t == Event.NO_TIME || (time.end < end && b[time.end] != ' ')) {
        fail("invalid TIMESTAMP '" + preview(pos, Math.min(wordEnd(pos), pos + 40)) + "'");
        return Event.NO_TIME;
      }
      pos = time.end + 1;
      return t;
    }

    /** A header field: NILVALUE (null) or 1..max printable ASCII characters, then a space. */
    private String field(int max, String name) {
      if (why != null) {
        return null;
      }
      int from = pos;
      while (pos < end && b[pos] != ' ') {
        if (b[pos] < 33 || b[pos] > 126) {
          fail(name + " has a character that is not printable ASCII");
          return null;
        }
        pos++;
      }
      int n = pos - from;
      if (n == 0 || n > max) {
        pos = from;
        fail(n == 0 ? "empty " + name : name + " longer than " + max);
        return null;
      }
      if (pos >= end) {
        fail("message ends after " + name);
        return null;
      }
      pos++;
      return n == 1 && b[from] == '-' ? null : str(from, from + n);
    }

    private void structuredData() {
      if (pos >= end) {
        fail("message ends before STRUCTURED-DATA");
        return;
      }
      if (b[pos] == '-') {
        pos++;
        return;
      }
      if (b[pos] != '[') {
        fail("STRUCTURED-DATA is neither '-' nor '['");
        return;
      }
      while (why == null && pos < end && b[pos] == '[') {
        pos++;
        element();
      }
    }

    /** One SD-ELEMENT after its '['. */
    private void element() {
      String id = name("SD-ID");
      if (id == null) {
        return;
      }
      boolean tokenElement = id.equals(TOKEN_ELEMENT);
      while (true) {
        if (pos >= end) {
          fail("unterminated SD-ELEMENT");
          return;
        }
        if (b[pos] == ']') {
          pos++;
          return;
        }
        if (b[pos] != ' ') {
          fail("expected a space or ']' in SD-ELEMENT");
          return;
        }
        pos++;
        String param = name("PARAM-NAME");
        if (param == null) {
          return;
        }
        if (pos + 1 >= end || b[pos] != '=' || b[pos + 1] != '"') {
          fail("expected '=\"' after PARAM-NAME");
          return;
        }
        pos += 2;
        String value = value();
        if (value == null) {
          return;
        }
        if (tokenElement && param.equals(TOKEN_PARAM)) {
          if (token == null) {
            token = value;
          }
        } else {
          e.add(id + "." + param, value);
        }
      }
    }

    /** SD-NAME: 1..32 printable ASCII but '=', ' ', ']', '"'. */
    private String name(String what) {
      int from = pos;
      while (pos < end && b[pos] > 32 && b[pos] < 127 && b[pos] != '=' && b[pos] != ']' && b[pos] != '"') {
        pos++;
      }
      int n = pos - from;
      if (n == 0 || n > 32) {
        fail(n == 0 ? "empty " + what : what + " longer than 32");
        return null;
      }
      return str(from, pos);
    }

    /** PARAM-VALUE up to the closing quote, with \" \\ \] unescaped; other backslashes kept. */
    private String value() {
      int from = pos;
      boolean escaped = false;
      while (pos < end && b[pos] != '"') {
        if (b[pos] == '\\' && pos + 1 < end) {
          escaped = true;
          pos++;
        }
        pos++;
      }
      if (pos >= end) {
        pos = from;
        fail("unterminated PARAM-VALUE");
        return null;
      }
      int to = pos++;
      if (!escaped) {
        return str(from, to);
      }
      if (scratch.length < to - from) {
        scratch = new byte[to - from];
      }
      int n = 0;
      for (int i = from; i < to; i++) {
        if (b[i] == '\\' && i + 1 < to && (b[i + 1] == '"' || b[i + 1] == '\\' || b[i + 1] == ']')) {
          i++;
        }
        scratch[n++] = b[i];
      }
      return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }
  }
}
