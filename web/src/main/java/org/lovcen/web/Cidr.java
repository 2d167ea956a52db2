package org.lovcen.web;

/**
 * An IPv4 or IPv6 network ({@code 192.0.2.0/24}, {@code 2001:db8::/32}, or a single address).
 * Immutable.
 *
 * @param text as written
 * @param v4 true for IPv4
 * @param hi high 64 bits (IPv6) or the address (IPv4)
 * @param lo low 64 bits (IPv6)
 * @param bits prefix length
 */
public record Cidr(String text, boolean v4, long hi, long lo, int bits) {
  /** Parses a network; throws {@link AccessLogException} when it is not one. */
  public static Cidr parse(String s) {
    String t = s.trim();
    int slash = t.indexOf('/');
    String addr = slash < 0 ? t : t.substring(0, slash);
    long v4 = Addresses.ipv4(addr, 0, addr.length());
    int max = v4 >= 0 ? 32 : 128;
    int bits;
    try {
      bits = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits < 0 || bits > max) {
      throw new AccessLogException("allowlist", s, "not a network (prefix length 0.." + max + ")");
    }
    if (v4 >= 0) {
      return new Cidr(t, true, v4, 0, bits);
    }
    long[] v6 = Addresses.ipv6(addr);
    if (v6 == null) {
      throw new AccessLogException("allowlist", s, "not an IPv4 or IPv6 network");
    }
    return new Cidr(t, false, v6[0], v6[1], bits);
  }

  /** True when the address (text) lies in this network. */
  public boolean contains(String ip) {
    if (v4) {
      long a = Addresses.ipv4(ip, 0, ip.length());
      return a >= 0 && (bits == 0 || (a >>> (32 - bits)) == (hi >>> (32 - bits)));
    }
    long[] a = Addresses.ipv6(ip);
    return a != null && prefix(a[0], a[1]);
  }

  /** True when this network and {@code other} share any address. */
  public boolean overlaps(Cidr other) {
    if (v4 != other.v4) {
      return false;
    }
    Cidr wide = bits <= other.bits ? this : other;
    Cidr narrow = wide == this ? other : this;
    return wide.v4 ? wide.bits == 0 || (narrow.hi >>> (32 - wide.bits)) == (wide.hi >>> (32 - wide.bits))
        : wide.prefix(narrow.hi, narrow.lo);
  }

  private boolean prefix(long h, long l) {
    if (bits <= 64) {
      return bits == 0 || (h >>> (64 - bits)) == (hi >>> (64 - bits));
    }
    return h == hi && (l >>> (128 - bits)) == (lo >>> (128 - bits));
  }
}
