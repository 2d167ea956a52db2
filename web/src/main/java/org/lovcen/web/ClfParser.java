package org.lovcen.web;

import java.nio.charset.StandardCharsets;
import org.lovcen.core.Months;

/*
 * How and why: the NCSA common and combined formats (nginx, Apache) are parsed by hand over the
 * line's bytes, one pass, no regex: tokens are found by scanning for spaces, brackets and quotes,
 * strings are made only for the fields kept, and the timestamp is computed from its digits with
 * the day cached (every line of a second shares it). Accepted shapes:
 *
 *   [vhost[:port]] ip ident user [time] "request" status bytes ["referer" "agent" [extras...]]
 *
 * The vhost is recognised because it is not an address while the next token is. Extras after the
 * agent (nginx `$request_time $upstream_response_time $upstream_cache_status`, or Apache `%D`
 * microseconds when an integer) are read when present: the first number is the request time in
 * seconds (an integer is taken as Apache's microseconds), the second the upstream time, and a
 * cache word (HIT, MISS, ...) the cache status. Quotes inside quoted fields are backslash-escaped
 * by both servers.
 */
/** Parser of common/combined access-log lines. Per thread: not thread-safe (caches the day). */
final class ClfParser implements LineParser {
  private byte[] b;
  private int pos;
  private int end;
  private long dayKey = -1;
  private long dayMicros;

  @Override
  public String parse(byte[] buf, int off, int len, AccessRecord r) {
    b = buf;
    pos = off;
    end = off + len;
    while (end > pos && (b[end - 1] == '\r' || b[end - 1] == ' ')) {
      end--;
    }
    int t1 = pos;
    int t1e = token();
    if (t1e == t1) {
      return "empty line";
    }
    skipSpace();
    int t2 = pos;
    int t2e = scanTo((byte) ' ');
    if (!Addresses.looksLikeIp(b, t1, t1e) && Addresses.looksLikeIp(b, t2, t2e)) {
      r.site = host(t1, t1e);
      r.ip = str(t2, t2e);
      pos = t2e;
    } else {
      r.ip = str(t1, t1e);
      if (!Addresses.looksLikeIp(b, t1, t1e)) {
        return "no client address at the start";
      }
    }
    skipSpace();
    token(); // ident
    skipSpace();
    int u = pos;
    int ue = token();
    if (ue - u != 1 || b[u] != '-') {
      r.user = str(u, ue);
    }
    skipSpace();
    if (pos >= end || b[pos] != '[') {
      return "no [time]";
    }
    int ts = pos + 1;
    int te = indexOf((byte) ']', ts);
    if (te < 0) {
      return "unterminated [time]";
    }
    r.time = time(ts, te);
    if (r.time == Long.MIN_VALUE) {
      return "unreadable time '" + str(ts, te) + "'";
    }
    pos = te + 1;
    skipSpace();
    String bad = request(r);
    if (bad != null) {
      return bad;
    }
    skipSpace();
    int st = pos;
    int ste = token();
    r.status = (int) number(st, ste);
    if (r.status < 100 || r.status > 999) {
      return "bad status '" + str(st, ste) + "'";
    }
    skipSpace();
    int bs = pos;
    int bse = token();
    long n = number(bs, bse);
    r.bytes = n < 0 ? 0 : n;
    skipSpace();
    if (pos < end && b[pos] == '"') {
      r.referer = dash(quoted());
      skipSpace();
      if (pos < end && b[pos] == '"') {
        r.userAgent = dash(quoted());
      }
      extras(r);
    }
    return null;
  }

  private String request(AccessRecord r) {
    if (pos >= end || b[pos] != '"') {
      return "no \"request\"";
    }
    int s = pos + 1;
    int e = closingQuote(s);
    if (e < 0) {
      return "unterminated \"request\"";
    }
    pos = e + 1;
    int sp1 = indexOf((byte) ' ', s, e);
    if (sp1 < 0) {
      r.path = e > s ? str(s, e) : null; // "-" or garbage: kept as the path, no method
      return null;
    }
    r.method = method(s, sp1);
    int sp2 = lastIndexOf((byte) ' ', sp1 + 1, e);
    int ue = sp2 < 0 ? e : sp2;
    if (sp2 >= 0) {
      r.protocol = protocol(sp2 + 1, e);
    }
    int q = indexOf((byte) '?', sp1 + 1, ue);
    if (q < 0) {
      r.path = str(sp1 + 1, ue);
    } else {
      r.path = str(sp1 + 1, q);
      r.query = str(q + 1, ue);
    }
    return null;
  }

  private void extras(AccessRecord r) {
    int numbers = 0;
    while (true) {
      skipSpace();
      if (pos >= end) {
        return;
      }
      int s = pos;
      int e = b[pos] == '"' ? quotedEnd() : token();
      int qs = b[s] == '"' ? s + 1 : s;
      int qe = b[s] == '"' && e > qs ? e - 1 : e;
      byte c = qe > qs ? b[qs] : 0;
      if (c >= '0' && c <= '9') {
        int ms = millis(qs, qe);
        if (numbers == 0) {
          r.requestMillis = ms;
        } else if (numbers == 1) {
          r.upstreamMillis = ms;
        }
        numbers++;
      } else if (c == '-' && qe - qs == 1) {
        numbers++;
      } else {
        byte cs = Cache.status(b, qs, qe);
        if (cs != AccessRecord.CACHE_UNKNOWN) {
          r.cache = cs;
        }
      }
    }
  }

  /** Seconds with a fraction ({@code 0.123}) to ms; a plain integer is Apache's %D (micros). */
  private int millis(int s, int e) {
    long whole = 0;
    int i = s;
    for (; i < e && b[i] >= '0' && b[i] <= '9'; i++) {
      whole = whole * 10 + (b[i] - '0');
    }
    if (i == e) {
      return (int) Math.min(Integer.MAX_VALUE, whole / 1000);
    }
    long frac = 0;
    int digits = 0;
    if (b[i] == '.') {
      for (i++; i < e && b[i] >= '0' && b[i] <= '9' && digits < 3; i++, digits++) {
        frac = frac * 10 + (b[i] - '0');
      }
    }
    while (digits++ < 3) {
      frac *= 10;
    }
    return (int) Math.min(Integer.MAX_VALUE, whole * 1000 + frac);
  }

  /** {@code dd/Mon/yyyy:HH:mm:ss +zzzz} to micros, or Long.MIN_VALUE. */
  private long time(int s, int e) {
    if (e - s < 20 || b[s + 2] != '/' || b[s + 6] != '/' || b[s + 11] != ':') {
      return Long.MIN_VALUE;
    }
    int day = d2(s);
    int mon = Months.of(b[s + 3], b[s + 4], b[s + 5]);
    int year = d2(s + 7) * 100 + d2(s + 9);
    int hh = d2(s + 12);
    int mm = d2(s + 15);
    int ss = d2(s + 18);
    if (day < 1 || mon < 1 || year < 0 || hh < 0 || mm < 0 || ss < 0 || hh > 23 || mm > 59 || ss > 60) {
      return Long.MIN_VALUE;
    }
    long key = year * 10000L + mon * 100L + day;
    if (key != dayKey) {
      dayKey = key;
      dayMicros = Months.epochDay(year, mon, day) * 86_400_000_000L;
    }
    long secs = hh * 3600L + mm * 60L + ss;
    int z = s + 20;
    if (e - z >= 6 && b[z] == ' ') {
      int sign = b[z + 1] == '-' ? -1 : 1;
      int zh = d2(z + 2);
      int zm = d2(z + 4);
      if (zh >= 0 && zm >= 0) {
        secs -= sign * (zh * 3600L + zm * 60L);
      }
    }
    return dayMicros + secs * 1_000_000L;
  }

  private int d2(int i) {
    int a = b[i] - '0';
    int c = b[i + 1] - '0';
    return a < 0 || a > 9 || c < 0 || c > 9 ? -1 : a * 10 + c;
  }

  private long number(int s, int e) {
    if (s >= e) {
      return -1;
    }
    long v = 0;
    for (int i = s; i < e; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9 || i - s > 18) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private String quoted() {
    int s = pos + 1;
    int e = closingQuote(s);
    if (e < 0) {
      e = end;
      pos = end;
    } else {
      pos = e + 1;
    }
    return str(s, e);
  }

  private int quotedEnd() {
    int e = closingQuote(pos + 1);
    pos = e < 0 ? end : e + 1;
    return pos;
  }

  private int closingQuote(int from) {
    for (int i = from; i < end; i++) {
      if (b[i] == '\\') {
        i++;
      } else if (b[i] == '"') {
        return i;
      }
    }
    return -1;
  }

  private int token() {
    while (pos < end && b[pos] != ' ') {
      pos++;
    }
    return pos;
  }

  private int scanTo(byte c) {
    int i = pos;
    while (i < end && b[i] != c) {
      i++;
    }
    return i;
  }

  private void skipSpace() {
    while (pos < end && b[pos] == ' ') {
      pos++;
    }
  }

  private int indexOf(byte c, int from) {
    return indexOf(c, from, end);
  }

  private int indexOf(byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private int lastIndexOf(byte c, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  private String method(int s, int e) {
    return Interned.method(b, s, e);
  }

  private String protocol(int s, int e) {
    return Interned.protocol(b, s, e);
  }

  private String host(int s, int e) {
    int c = lastIndexOf((byte) ':', s, e);
    if (c > s && indexOf((byte) ']', s, e) < 0) {
      e = c;
    }
    return Interned.host(b, s, e);
  }

  private String str(int s, int e) {
    return new String(b, s, e - s, StandardCharsets.UTF_8);
  }

  private static String dash(String s) {
    return s.isEmpty() || "-".equals(s) ? null : s;
  }
}
