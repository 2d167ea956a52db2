package org.lovcen.web;

/*
 * How and why: detectors key their state by address, by /24 (IPv4) and by /64 (IPv6) without
 * making objects per line, so an address is packed into one long. IPv4: tag 1 in the high bits
 * and the 32-bit address below; a /24 is the same with the last octet cleared and tag 2. IPv6:
 * the 128 bits are mixed into 62 bits with tag 3 (address) or the upper 64 bits with tag 4
 * (/64); a collision would merge two sources' counters, never ban an address that did not act,
 * because decisions are made from the text each state keeps.
 */
/** Address parsing and packing into keys. Stateless. */
public final class Addresses {
  private Addresses() {}

  /** Key returned for text that is not an address. */
  public static final long NONE = 0;

  /** True when the bytes look like an IPv4 or IPv6 address (cheap syntax check only). */
  static boolean looksLikeIp(byte[] b, int s, int e) {
    if (e <= s || e - s > 45) {
      return false;
    }
    int dots = 0;
    int colons = 0;
    for (int i = s; i < e; i++) {
      byte c = b[i];
      if (c == '.') {
        dots++;
      } else if (c == ':') {
        colons++;
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return colons >= 2 || (dots == 3 && colons == 0);
  }

  /** The key of one address, or {@link #NONE}. */
  public static long key(String ip) {
    if (ip == null) {
      return NONE;
    }
    long v4 = ipv4(ip, 0, ip.length());
    if (v4 >= 0) {
      return (1L << 40) | v4;
    }
    long[] v6 = ipv6(ip);
    return v6 == null ? NONE : (3L << 62) | (mix(v6[0] * 31 + mix(v6[1])) >>> 2);
  }

  /** The key of the address's network: /24 for IPv4, /64 for IPv6; {@link #NONE} if not an address. */
  public static long networkKey(long key, String ip) {
    if (key >>> 40 == 1) {
      return (2L << 40) | (key & 0xFFFF_FF00L);
    }
    long[] v6 = ipv6(ip);
    return v6 == null ? NONE : (1L << 62) | (mix(v6[0]) >>> 2);
  }

  /** True for an IPv4 key. */
  static boolean isV4(long key) {
    return key >>> 40 == 1;
  }

  /** The CIDR text of the network of an address ({@code 192.0.2.0/24}, {@code 2001:db8:1:2::/64}). */
  public static String network(String ip) {
    long v4 = ipv4(ip, 0, ip.length());
    if (v4 >= 0) {
      return ((v4 >>> 24) & 255) + "." + ((v4 >>> 16) & 255) + "." + ((v4 >>> 8) & 255) + ".0/24";
    }
    long[] v6 = ipv6(ip);
    if (v6 == null) {
      return ip;
    }
    long h = v6[0];
    return String.format(java.util.Locale.ROOT, "%x:%x:%x:%x::/64", (h >>> 48) & 0xFFFF, (h >>> 32) & 0xFFFF,
        (h >>> 16) & 0xFFFF, h & 0xFFFF);
  }

  /** The IPv4 address as an unsigned 32-bit value, or -1. */
  static long ipv4(CharSequence s, int from, int to) {
    long v = 0;
    int part = 0;
    int digits = 0;
    int parts = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        part = part * 10 + (c - '0');
        if (++digits > 3 || part > 255) {
          return -1;
        }
      } else if (c == '.' && digits > 0 && parts < 3) {
        v = (v << 8) | part;
        parts++;
        part = 0;
        digits = 0;
      } else {
        return -1;
      }
    }
    if (parts != 3 || digits == 0) {
      return -1;
    }
    return (v << 8) | part;
  }

  /** The IPv6 address as {high, low}, or null (accepts {@code ::} and a trailing IPv4). */
  static long[] ipv6(String s) {
    if (s == null || s.indexOf(':') < 0) {
      return null;
    }
    int pct = s.indexOf('%');
    if (pct >= 0) {
      s = s.substring(0, pct);
    }
    int[] g = new int[8];
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl < 0 ? s : s.substring(0, dbl);
    String tail = dbl < 0 ? "" : s.substring(dbl + 2);
    int[] h = groups(head);
    int[] t = groups(tail);
    if (h == null || t == null || h.length + t.length > (dbl < 0 ? 8 : 7) || (dbl < 0 && h.length != 8)) {
      return null;
    }
    System.arraycopy(h, 0, g, 0, h.length);
    System.arraycopy(t, 0, g, 8 - t.length, t.length);
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 4; i++) {
      hi = (hi << 16) | g[i];
      lo = (lo << 16) | g[i + 4];
    }
    return new long[] {hi, lo};
  }

  private static int[] groups(String s) {
    if (s.isEmpty()) {
      return new int[0];
    }
    String[] p = s.split(":", -1);
    int extra = p[p.length - 1].indexOf('.') >= 0 ? 1 : 0;
    int[] out = new int[p.length + extra];
    for (int i = 0; i < p.length; i++) {
      if (i == p.length - 1 && extra == 1) {
        long v4 = ipv4(p[i], 0, p[i].length());
        if (v4 < 0) {
          return null;
        }
        out[i] = (int) (v4 >>> 16);
        out[i + 1] = (int) (v4 & 0xFFFF);
        break;
      }
      if (p[i].isEmpty() || p[i].length() > 4) {
        return null;
      }
      try {
        out[i] = Integer.parseInt(p[i], 16);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return out;
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
