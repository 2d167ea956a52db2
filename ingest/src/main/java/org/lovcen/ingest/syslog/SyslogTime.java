package org.lovcen.ingest.syslog;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import org.lovcen.core.Event;
import org.lovcen.core.Months;

/*
 * How and why: syslog times come in three shapes, all read here from the message bytes without
 * java.time on the common path:
 *
 *  - RFC 5424: 2003-10-11T22:14:15.003Z, strictly as the RFC says (upper-case T and Z, at most
 *    six fraction digits, an offset is required);
 *  - RFC 3339 as rsyslog writes it in its forwarding and file formats, read leniently (a space
 *    for T, up to nine fraction digits, the offset optional: then the configured zone);
 *  - RFC 3164: "Oct 11 22:14:15", day space- or zero-padded, optionally with a year
 *    ("Oct 11 2024 22:14:15", Cisco ASA), fraction digits ("22:14:15.123", Cisco IOS "msec"), and
 *    a zone name ending in ':' ("22:14:15.123 UTC:"). It has no year and no zone: the zone is the
 *    configured one (UTC and GMT excepted) and the year is the latest that does not put the time
 *    more than a day after the clock's now (a December message read in January is last year's).
 *
 * Each reader returns micros since the epoch (UTC) and the index after the time, through the
 * {@link #end} field; Event.NO_TIME means "not a time here" and leaves nothing consumed.
 */
/** Reads syslog timestamps. One per parser: not thread-safe. */
final class SyslogTime {
  private static final long DAY_MICROS = 86_400_000_000L;

  private final ZoneRules rules;
  private final long fixedOffsetMicros;
  private final Clock clock;
  /** Index after the time just read. */
  int end;

  SyslogTime(ZoneId zone, Clock clock) {
    this.rules = zone.getRules();
    this.fixedOffsetMicros = rules.isFixedOffset() ? rules.getOffset(Instant.EPOCH).getTotalSeconds() * 1_000_000L : 0;
    this.clock = clock;
  }

  /** The clock's now in micros since the epoch. */
  long now() {
    Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  /**
   * An RFC 3339 time at {@code from}. Strict: exactly RFC 5424's TIMESTAMP. Lenient: also a space
   * for 'T', lower-case 't'/'z', up to nine fraction digits (cut to micros), an offset without a
   * colon, or none (the configured zone).
   */
  long iso(byte[] b, int from, int to, boolean strict) {
    int i = from;
    if (to - i < 19 || b[i + 4] != '-' || b[i + 7] != '-' || b[i + 13] != ':' || b[i + 16] != ':') {
      return Event.NO_TIME;
    }
    byte t = b[i + 10];
    if (t != 'T' && (strict || (t != 't' && t != ' '))) {
      return Event.NO_TIME;
    }
    int year = digits(b, i, 4);
    int month = digits(b, i + 5, 2);
    int day = digits(b, i + 8, 2);
    int hour = digits(b, i + 11, 2);
    int minute = digits(b, i + 14, 2);
    int second = digits(b, i + 17, 2);
    if (!valid(year, month, day, hour, minute, second)) {
      return Event.NO_TIME;
    }
    i += 19;
    long micros = 0;
    if (i < to && b[i] == '.') {
      int start = ++i;
      micros = fraction(b, i, to);
      i = fractionEnd;
      int n = i - start;
      if (n == 0 || (strict && n > 6)) {
        return Event.NO_TIME;
      }
    }
    long local = localMicros(year, month, day, hour, minute, second) + micros;
    if (i < to && (b[i] == 'Z' || (!strict && b[i] == 'z'))) {
      end = i + 1;
      return local;
    }
    if (i < to && (b[i] == '+' || b[i] == '-')) {
      int oh = digits(b, i + 1, 2, to);
      int colon = i + 3 < to && b[i + 3] == ':' ? 1 : 0;
      if (strict && colon == 0) {
        return Event.NO_TIME;
      }
      int om = digits(b, i + 3 + colon, 2, to);
      if (oh < 0 || om < 0 || oh > 23 || om > 59) {
        return Event.NO_TIME;
      }
      long offset = (oh * 60L + om) * 60_000_000L;
      end = i + 5 + colon;
      return b[i] == '+' ? local - offset : local + offset;
    }
    if (strict) {
      return Event.NO_TIME;
    }
    end = i;
    return toUtc(local);
  }

  /** An RFC 3164 time at {@code from}: {@code Mmm dd [yyyy] hh:mm:ss[.f][ ZONE:]}. */
  long bsd(byte[] b, int from, int to) {
    int i = from;
    if (to - i < 14) {
      return Event.NO_TIME;
    }
    int month = Months.of(b[i], b[i + 1], b[i + 2]);
    if (month < 0 || b[i + 3] != ' ') {
      return Event.NO_TIME;
    }
    i += 4;
    if (b[i] == ' ') {
      i++;
    }
    int day = digit(b[i]);
    if (day < 0) {
      return Event.NO_TIME;
    }
    i++;
    if (i < to && digit(b[i]) >= 0) {
      day = day * 10 + digit(b[i++]);
    }
    if (i >= to || b[i] != ' ') {
      return Event.NO_TIME;
    }
    i++;
    int year = -1;
    if (i + 5 <= to && b[i + 4] == ' ') {
      year = digits(b, i, 4);
      if (year < 0) {
        return Event.NO_TIME;
      }
      i += 5;
    }
    if (to - i < 8 || b[i + 2] != ':' || b[i + 5] != ':') {
      return Event.NO_TIME;
    }
    int hour = digits(b, i, 2);
    int minute = digits(b, i + 3, 2);
    int second = digits(b, i + 6, 2);
    if ((hour | minute | second) < 0 || hour > 23 || minute > 59 || second > 60 || day < 1 || day > 31) {
      return Event.NO_TIME;
    }
    i += 8;
    long micros = 0;
    if (i < to && b[i] == '.' && i + 1 < to && digit(b[i + 1]) >= 0) {
      micros = fraction(b, i + 1, to);
      i = fractionEnd;
    }
    boolean utc = false;
    int z = zoneName(b, i, to);
    if (z > 0) {
      utc = isUtc(b, i + 1, z);
      i = z; // at the ':' that ends the zone name
    }
    end = i;
    if (year >= 0) {
      if (!valid(year, month, day, hour, minute, second)) {
        return Event.NO_TIME;
      }
      long local = localMicros(year, month, day, hour, minute, second) + micros;
      return utc ? local : toUtc(local);
    }
    return withYear(month, day, hour, minute, second, micros, utc);
  }

  /** The latest year that puts the time no more than a day after now. */
  private long withYear(int month, int day, int hour, int minute, int second, long micros, boolean utc) {
    long now = now();
    int nowYear = yearOf(now);
    for (int y = nowYear + 1; y >= nowYear - 8; y--) {
      if (!valid(y, month, day, hour, minute, second)) {
        continue;
      }
      long local = localMicros(y, month, day, hour, minute, second) + micros;
      long t = utc ? local : toUtc(local);
      if (t <= now + DAY_MICROS) {
        return t;
      }
    }
    return Event.NO_TIME;
  }

  private int yearOf(long utcMicros) {
    return LocalDateTime.ofEpochSecond(Math.floorDiv(utcMicros, 1_000_000L), 0,
        rules.getOffset(Instant.ofEpochSecond(Math.floorDiv(utcMicros, 1_000_000L)))).getYear();
  }

  /** " NAME:" after a time (letters only, at most five): the index of the ':', else -1. */
  private static int zoneName(byte[] b, int i, int to) {
    if (i >= to || b[i] != ' ') {
      return -1;
    }
    int j = i + 1;
    while (j < to && j - i <= 5 && ((b[j] | 0x20) >= 'a' && (b[j] | 0x20) <= 'z')) {
      j++;
    }
    return j > i + 1 && j < to && b[j] == ':' ? j : -1;
  }

  private static boolean isUtc(byte[] b, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return (b[from] | 0x20) == 'z';
    }
    if (n != 3) {
      return false;
    }
    int k = ((b[from] | 0x20) << 16) | ((b[from + 1] | 0x20) << 8) | (b[from + 2] | 0x20);
    return k == (('u' << 16) | ('t' << 8) | 'c') || k == (('g' << 16) | ('m' << 8) | 't');
  }

  /** Local wall-clock micros in the configured zone to UTC micros. */
  private long toUtc(long local) {
    if (rules.isFixedOffset()) {
      return local - fixedOffsetMicros;
    }
    long sec = Math.floorDiv(local, 1_000_000L);
    LocalDateTime ldt = LocalDateTime.ofEpochSecond(sec, 0, ZoneOffset.UTC);
    return local - rules.getOffset(ldt).getTotalSeconds() * 1_000_000L;
  }

  private int fractionEnd;

  /** Micros of the fraction digits at {@code i} (extra digits read and cut); sets {@link #fractionEnd}. */
  private long fraction(byte[] b, int i, int to) {
    long micros = 0;
    int scale = 100_000;
    while (i < to && digit(b[i]) >= 0) {
      if (scale > 0) {
        micros += digit(b[i]) * (long) scale;
        scale /= 10;
      }
      i++;
    }
    fractionEnd = i;
    return micros;
  }

  private static boolean valid(int year, int month, int day, int hour, int minute, int second) {
    if ((year | month | day | hour | minute | second) < 0 || month < 1 || month > 12 || day < 1 || hour > 23
        || minute > 59 || second > 60) {
      return false;
    }
    return day <= daysIn(year, month);
  }

  private static int daysIn(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static long localMicros(int year, int month, int day, int hour, int minute, int second) {
    long days = Months.epochDay(year, month, day);
    return ((days * 24 + hour) * 60 + minute) * 60_000_000L + second * 1_000_000L;
  }

  static int digit(byte c) {
    return c >= '0' && c <= '9' ? c - '0' : -1;
  }

  private static int digits(byte[] b, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int d = digit(b[i]);
      if (d < 0) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static int digits(byte[] b, int from, int count, int to) {
    return from + count > to ? -1 : digits(b, from, count);
  }
}
