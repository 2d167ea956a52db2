package org.lovcen.sigma;

/**
 * IPv4 and IPv6 networks as (address bytes, prefix length), and address parsing without
 * allocation for IPv4. Stateless; thread-safe.
 */
final class Cidrs {
  private Cidrs() {}

  /** Returned by {@link #ipv4Int} for text that is not a dotted IPv4 address. */
  static final long NOT_IPV4 = -1;

  /**
   * A dotted IPv4 address (surrounding spaces allowed) as an unsigned 32-bit value, without
   * allocation; {@link #NOT_IPV4} otherwise.
   */
  static long ipv4Int(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && s.charAt(from) == ' ') {
      from++;
    }
    while (to > from && s.charAt(to - 1) == ' ') {
      to--;
    }
    long ip = 0;
    int part = 0;
    int value = -1;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        value = value < 0 ? c - '0' : value * 10 + (c - '0');
        if (value > 255) {
          return NOT_IPV4;
        }
      } else if (c == '.' && value >= 0 && part < 3) {
        ip = ip << 8 | value;
        part++;
        value = -1;
      } else {
        return NOT_IPV4;
      }
    }
    return part == 3 && value >= 0 ? ip << 8 | value : NOT_IPV4;
  }

  /** A parsed network: 4 or 16 address bytes and a prefix length. */
  record Network(byte[] address, int prefix) {
    boolean containsIpv4(long ip) {
      long net = (address[0] & 0xffL) << 24 | (address[1] & 0xff) << 16 | (address[2] & 0xff) << 8 | (address[3] & 0xff);
      long mask = prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
      return (ip & mask) == (net & mask);
    }

    boolean contains(byte[] ip) {
      if (ip == null || ip.length != address.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (ip[i] != address[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (ip[full] & mask) == (address[full] & mask);
    }
  }

  /**
   * Parses {@code 10.0.0.0/8}, {@code fe80::/10} or a single address.
   *
   * @throws SigmaException for anything else
   */
  static Network parse(String cidr) {
    String s = cidr.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = address(addr);
    if (bytes == null) {
      throw new SigmaException("not an IP network: '" + cidr + "'");
    }
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new SigmaException("not an IP network prefix: '" + cidr + "'");
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new SigmaException("prefix out of range in '" + cidr + "'");
      }
    }
    return new Network(bytes, prefix);
  }

  /** Address bytes of an IPv4 or IPv6 literal, or null. IPv4-mapped IPv6 stays IPv6. */
  static byte[] address(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    if (s.indexOf(':') >= 0) {
      return ipv6(s);
    }
    return ipv4(s, 0, s.length());
  }

  static byte[] ipv4(String s, int from, int to) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        value = value < 0 ? c - '0' : value * 10 + (c - '0');
        if (value > 255) {
          return null;
        }
      } else if (c == '.' && value >= 0 && part < 3) {
        out[part++] = (byte) value;
        value = -1;
      } else {
        return null;
      }
    }
    if (part != 3 || value < 0) {
      return null;
    }
    out[3] = (byte) value;
    return out;
  }

  private static byte[] ipv6(String s) {
    int pct = s.indexOf('%');
    if (pct >= 0) {
      s = s.substring(0, pct);
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl < 0 ? s : s.substring(0, dbl);
    String tail = dbl < 0 ? "" : s.substring(dbl + 2);
    int[] h = groups(head);
    int[] t = groups(tail);
    if (h == null || t == null) {
      return null;
    }
    int total = h.length + t.length;
    if ((dbl < 0 && total != 8) || total > 8 || (dbl >= 0 && total == 8)) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < h.length; i++) {
      out[2 * i] = (byte) (h[i] >>> 8);
      out[2 * i + 1] = (byte) h[i];
    }
    for (int i = 0; i < t.length; i++) {
      int g = 8 - t.length + i;
      out[2 * g] = (byte) (t[i] >>> 8);
      out[2 * g + 1] = (byte) t[i];
    }
    return out;
  }

  /** Hex groups of a part of an IPv6 literal (an embedded IPv4 tail counts as two groups). */
  private static int[] groups(String part) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] g = part.split(":", -1);
    int last = g.length - 1;
    boolean v4 = g[last].indexOf('.') >= 0;
    int[] out = new int[g.length + (v4 ? 1 : 0)];
    for (int i = 0; i < g.length; i++) {
      if (i == last && v4) {
        byte[] b = ipv4(g[i], 0, g[i].length());
        if (b == null) {
          return null;
        }
        out[i] = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        out[i + 1] = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        continue;
      }
      if (g[i].isEmpty() || g[i].length() > 4) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < g[i].length(); k++) {
        char c = g[i].charAt(k);
        int d = c < 128 ? Character.digit(c, 16) : -1; // ASCII hex digits only: no sign, no other scripts
        if (d < 0) {
          return null;
        }
        v = v << 4 | d;
      }
      out[i] = v;
    }
    return out;
  }
}
