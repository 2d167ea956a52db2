package org.lovcen.core;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Event times as microseconds since the epoch (UTC), parsed from and printed as ISO 8601.
 * Stateless and thread-safe.
 */
public final class Timestamps {
  private Timestamps() {}

  /**
   * Parses {@code 2026-04-17T05:24:53.092051Z}, {@code 2026-04-17 05:24:53.079} (taken as UTC),
   * offsets such as {@code +02:00}, and epoch seconds or milliseconds given as digits.
   *
   * @return micros since the epoch, or {@link Event#NO_TIME} when the text is not a time
   */
  public static long parse(String s) {
    if (s == null || s.isEmpty()) {
      return Event.NO_TIME;
    }
    long fast = parseFast(s);
    if (fast != Event.NO_TIME) {
      return fast;
    }
    return parseSlow(s.trim());
  }

  /** The common shape {@code yyyy-MM-dd[T ]HH:mm:ss[.f{1,9}][Z]}, without allocation. */
  private static long parseFast(String s) {
    int n = s.length();
    if (n < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return Event.NO_TIME;
    }
    char t = s.charAt(10);
    if (t != 'T' && t != ' ') {
      return Event.NO_TIME;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1 || day > 31
        || hour > 23 || minute > 59 || second > 60) {
      return Event.NO_TIME;
    }
    int i = 19;
    long micros = 0;
    if (i < n && s.charAt(i) == '.') {
      i++;
      int scale = 100_000;
      int start = i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        micros += (s.charAt(i) - '0') * (long) scale;
        scale /= 10;
        i++;
      }
      if (i == start) {
        return Event.NO_TIME;
      }
    }
    if (i < n && s.charAt(i) == 'Z') {
      i++;
    }
    if (i != n) {
      return Event.NO_TIME;
    }
    long days = daysFromCivil(year, month, day);
    return ((days * 24 + hour) * 60 + minute) * 60_000_000L + second * 1_000_000L + micros;
  }

  private static long parseSlow(String s) {
    try {
      Instant in = OffsetDateTime.parse(s.replace(' ', 'T')).toInstant();
      return in.getEpochSecond() * 1_000_000L + in.getNano() / 1000;
    } catch (DateTimeParseException e) {
      // fall through to the other shapes
    }
    try {
      Instant in = LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
      return in.getEpochSecond() * 1_000_000L + in.getNano() / 1000;
    } catch (DateTimeParseException e) {
      // fall through
    }
    if (s.chars().allMatch(c -> c >= '0' && c <= '9') && s.length() >= 9 && s.length() <= 16) {
      long v = Long.parseLong(s);
      return s.length() <= 10 ? v * 1_000_000L : v * 1000L;
    }
    return Event.NO_TIME;
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
  static long daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    long era = Math.floorDiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  }

  /** ISO 8601 UTC with microseconds, e.g. {@code 2026-04-17T05:24:53.092051Z}; "-" when unknown. */
  public static String format(long micros) {
    if (micros == Event.NO_TIME) {
      return "-";
    }
    Instant in = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    String s = in.toString();
    // Instant prints 0, 3, 6 or 9 fraction digits; normalise to exactly 6.
    int dot = s.indexOf('.');
    String frac = dot < 0 ? "" : s.substring(dot + 1, s.length() - 1);
    String base = dot < 0 ? s.substring(0, s.length() - 1) : s.substring(0, dot);
    frac = (frac + "000000").substring(0, 6);
    return base + "." + frac + "Z";
  }

  /** Micros since the epoch from a Windows FILETIME (100 ns ticks since 1601-01-01). */
  public static long fromFiletime(long filetime) {
    return Math.floorDiv(filetime, 10L) - 11_644_473_600_000_000L;
  }
}
