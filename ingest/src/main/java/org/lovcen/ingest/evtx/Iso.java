package org.lovcen.ingest.evtx;

/**
 * ISO 8601 UTC times as evtx_dump prints them: six fraction digits, truncated
 * ({@code 2026-04-17T05:24:53.092051Z}). Stateless.
 */
final class Iso {
  private static final long EPOCH_DIFF_MICROS = 11_644_473_600_000_000L;

  private static final int[] POW = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

  private Iso() {}

  /** A FILETIME (100 ns ticks since 1601-01-01). */
  static String filetime(long ticks) {
    long secs = Long.divideUnsigned(ticks, 10_000_000L) - EPOCH_DIFF_MICROS / 1_000_000;
    int nanos = (int) Long.remainderUnsigned(ticks, 10_000_000L) * 100;
    long days = Math.floorDiv(secs, 86_400L);
    int rem = (int) Math.floorMod(secs, 86_400L);
    return format(days, rem / 3600, rem / 60 % 60, rem % 60, nanos);
  }

  /** A SYSTEMTIME (year, month, weekday, day, hour, minute, second, millisecond as 16-bit values). */
  static String systemtime(byte[] b, int p) {
    int year = Bytes.u16(b, p);
    int month = Bytes.u16(b, p + 2);
    int day = Bytes.u16(b, p + 6);
    char[] c = new char[30];
    put(c, 0, year, 4);
    c[4] = '-';
    put(c, 5, month, 2);
    c[7] = '-';
    put(c, 8, day, 2);
    return time(c, Bytes.u16(b, p + 8), Bytes.u16(b, p + 10), Bytes.u16(b, p + 12), Bytes.u16(b, p + 14) * 1_000_000);
  }

  private static String format(long days, int h, int m, int s, int nanos) {
    // civil from days (H. Hinnant)
    long z = days + 719468;
    long era = Math.floorDiv(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int d = (int) (doy - (153 * mp + 2) / 5 + 1);
    int mo = (int) (mp < 10 ? mp + 3 : mp - 9);
    if (mo <= 2) {
      y++;
    }
    char[] c = new char[30];
    put(c, 0, (int) y, 4);
    c[4] = '-';
    put(c, 5, mo, 2);
    c[7] = '-';
    put(c, 8, d, 2);
    return time(c, h, m, s, nanos);
  }

  private static String time(char[] c, int h, int m, int s, int nanos) {
    c[10] = 'T';
    put(c, 11, h, 2);
    c[13] = ':';
    put(c, 14, m, 2);
    c[16] = ':';
    put(c, 17, s, 2);
    int n = 19;
    c[n++] = '.';
    put(c, n, nanos / 1000, 6);
    n += 6;
    c[n++] = 'Z';
    return new String(c, 0, n);
  }

  private static void put(char[] c, int at, int v, int digits) {
    v = Math.floorMod(v, POW[digits]);
    for (int i = at + digits - 1; i >= at; i--) {
      c[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  }
}
