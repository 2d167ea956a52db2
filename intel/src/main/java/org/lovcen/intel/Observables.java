package org.lovcen.intel;

import java.util.Locale;

/*
 * How and why: values are normalised once when an indicator is read, and the event side is parsed
 * the same way at match time, so that spelling differences (case, a trailing dot, a default port,
 * IPv6 zero compression, host bits in a CIDR block) never cause a miss. The parsers for the event
 * side work on a region of a CharSequence and write into caller-owned scratch, so that matching
 * allocates nothing per event.
 */
/** Normalisation and allocation-free parsing of observable values. Stateless and thread-safe. */
final class Observables {
  private Observables() {}

  /** The normalised form of a raw value of this type; throws {@link IntelException} when invalid. */
  static String normalise(ObservableType type, String raw) {
    String v = raw == null ? "" : raw.trim();
    if (v.isEmpty()) {
      throw invalid(type, raw, "empty value");
    }
    return switch (type) {
      case IPV4 -> ipv4(v);
      case IPV6 -> ipv6(v);
      case DOMAIN -> domain(v);
      case URL -> url(v);
      case MD5, SHA1, SHA256, SHA512 -> hash(type, v);
      case FILE_NAME -> fileName(v);
    };
  }

  private static IntelException invalid(ObservableType type, String raw, String why) {
    return new IntelException("value", "", "invalid " + type.stixObject() + " value '" + raw + "': " + why);
  }

  // ------------------------------------------------------------------ IPv4

  /** The address of {@code s[from,to)} as an unsigned int in a long, or -1. */
  static long parseIpv4(CharSequence s, int from, int to) {
    long addr = 0;
    int octets = 0;
    int i = from;
    while (i < to) {
      int start = i;
      int v = 0;
      while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
        v = v * 10 + (s.charAt(i++) - '0');
      }
      if (i == start || v > 255) {
        return -1;
      }
      addr = (addr << 8) | v;
      octets++;
      if (i < to) {
        if (s.charAt(i) != '.' || octets == 4) {
          return -1;
        }
        i++;
        if (i == to) {
          return -1;
        }
      }
    }
    return octets == 4 ? addr : -1;
  }

  private static String ipv4(String v) {
    int slash = v.indexOf('/');
    long a = parseIpv4(v, 0, slash < 0 ? v.length() : slash);
    if (a < 0) {
      throw invalid(ObservableType.IPV4, v, "not an IPv4 address");
    }
    int bits = slash < 0 ? 32 : prefix(v, slash + 1, 32, ObservableType.IPV4);
    if (bits == 32 && slash < 0 && canonicalIpv4(v)) {
      return v;
    }
    long masked = bits == 0 ? 0 : a & (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    return formatIpv4((int) masked) + (bits == 32 ? "" : "/" + bits);
  }

  /** Whether a valid dotted quad is already as {@link #formatIpv4} writes it: no octet with a leading zero. */
  private static boolean canonicalIpv4(String v) {
    for (int i = 0; i < v.length() - 1; i++) {
      if (v.charAt(i) == '0' && (i == 0 || v.charAt(i - 1) == '.') && v.charAt(i + 1) != '.') {
        return false;
      }
    }
    return true;
  }

  static String formatIpv4(int a) {
    return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
  }

  private static int prefix(String v, int from, int max, ObservableType t) {
    String p = v.substring(from);
    if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw invalid(t, v, "bad prefix length");
    }
    int bits = Integer.parseInt(p);
    if (bits > max) {
      throw invalid(t, v, "prefix length " + bits + " over " + max);
    }
    return bits;
  }

  // ------------------------------------------------------------------ IPv6

  /**
   * Parses {@code s[from,to)} as an IPv6 address into {@code out[0]} (high 64 bits) and {@code
   * out[1]}; accepts zero compression, an embedded IPv4 tail, brackets and a zone suffix.
   *
   * @return false when it is no IPv6 address
   */
  static boolean parseIpv6(CharSequence s, int from, int to, long[] out) {
    if (to - from >= 2 && s.charAt(from) == '[') {
      int close = indexOf(s, ']', from, to);
      if (close < 0) {
        return false;
      }
      from++;
      to = close;
    }
    int pct = indexOf(s, '%', from, to);
    if (pct >= 0) {
      to = pct;
    }
    if (to - from < 2) {
      return false;
    }
    // groups before the "::" gap accumulate in (hi, lo); after it in (thi, tlo)
    long hi = 0;
    long lo = 0;
    long thi = 0;
    long tlo = 0;
    int head = 0;
    int tail = 0;
    boolean gap = false;
    int i = from;
    if (s.charAt(i) == ':') {
      if (s.charAt(i + 1) != ':') {
        return false;
      }
      gap = true;
      i += 2;
    }
    while (i < to) {
      int start = i;
      int v = 0;
      while (i < to && i - start < 4 && hex(s.charAt(i)) >= 0) {
        v = (v << 4) | hex(s.charAt(i++));
      }
      int words = 1;
      if (i < to && s.charAt(i) == '.') {
        long v4 = parseIpv4(s, start, to);
        if (v4 < 0) {
          return false;
        }
        v = (int) v4;
        words = 2;
        i = to;
      } else if (i == start) {
        return false;
      }
      for (int w = words - 1; w >= 0; w--) {
        int g = (v >>> (16 * w)) & 0xFFFF;
        if (gap) {
          thi = (thi << 16) | (tlo >>> 48);
          tlo = (tlo << 16) | g;
          tail++;
        } else {
          hi = (hi << 16) | (lo >>> 48);
          lo = (lo << 16) | g;
          head++;
        }
      }
      if (head + tail > 8) {
        return false;
      }
      if (i < to) {
        if (s.charAt(i) != ':') {
          return false;
        }
        i++;
        if (i < to && s.charAt(i) == ':') {
          if (gap) {
            return false;
          }
          gap = true;
          i++;
        } else if (i == to) {
          return false;
        }
      }
    }
    if (gap ? head + tail > 7 : head != 8) {
      return false;
    }
    for (int k = head; k < 8; k++) {
      hi = (hi << 16) | (lo >>> 48);
      lo = lo << 16;
    }
    out[0] = hi | thi;
    out[1] = lo | tlo;
    return true;
  }

  /** Appends a 16-bit group in lower-case hex without leading zeros, as {@link Integer#toHexString} writes it. */
  private static void appendHex(StringBuilder b, int group) {
    boolean started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      int d = (group >>> shift) & 0xF;
      if (d != 0 || started || shift == 0) {
        b.append(Character.forDigit(d, 16));
        started = true;
      }
    }
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static int indexOf(CharSequence s, char c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static String ipv6(String v) {
    int slash = v.indexOf('/');
    long[] a = new long[2];
    if (!parseIpv6(v, 0, slash < 0 ? v.length() : slash, a)) {
      throw invalid(ObservableType.IPV6, v, "not an IPv6 address");
    }
    int bits = slash < 0 ? 128 : prefix(v, slash + 1, 128, ObservableType.IPV6);
    mask(a, bits);
    return formatIpv6(a[0], a[1]) + (bits == 128 ? "" : "/" + bits);
  }

  /** Clears the host bits beyond {@code bits}. */
  static void mask(long[] a, int bits) {
    if (bits < 64) {
      a[0] &= bits == 0 ? 0 : -1L << (64 - bits);
      a[1] = 0;
    } else if (bits < 128) {
      a[1] &= bits == 64 ? 0 : -1L << (128 - bits);
    }
  }

  /** RFC 5952 text: lower case, the longest run of two or more zero groups compressed. */
  static String formatIpv6(long hi, long lo) {
    int[] g = new int[8];
    for (int i = 0; i < 4; i++) {
      g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
      g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
    }
    int best = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        best = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder b = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == best) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (!b.isEmpty() && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      appendHex(b, g[i]);
    }
    return b.toString();
  }

  // ------------------------------------------------------------------ names, URLs, hashes

  private static String domain(String v) {
    String d = v.toLowerCase(Locale.ROOT);
    if (d.startsWith("*.")) {
      d = d.substring(2);
    }
    while (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty() || d.startsWith(".") || d.contains("..")) {
      throw invalid(ObservableType.DOMAIN, v, "empty label");
    }
    for (int i = 0; i < d.length(); i++) {
      char c = d.charAt(i);
      if (c <= ' ' || c == '/' || c == ':' || c == '@' || c == '\\' || c == '\'' || c == '"') {
        throw invalid(ObservableType.DOMAIN, v, "character '" + c + "' not allowed in a domain name");
      }
    }
    return d;
  }

  private static String url(String v) {
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) <= ' ') {
        throw invalid(ObservableType.URL, v, "white space in a URL");
      }
    }
    StringBuilder b = new StringBuilder();
    int scheme = v.indexOf("://");
    if (scheme > 0) {
      b.append(v, 0, scheme).append("://");
    }
    int n = b.length();
    urlKey(v, 0, v.length(), b);
    if (b.length() == n) {
      throw invalid(ObservableType.URL, v, "no host");
    }
    for (int i = 0; i < n; i++) {
      b.setCharAt(i, Character.toLowerCase(b.charAt(i)));
    }
    return b.toString();
  }

  /**
   * Appends the matching key of the URL {@code s[from,to)} to {@code out}: the scheme dropped,
   * host lower-cased, default port, user info and fragment removed, an empty path made
   * {@code /}. Path and query keep their case.
   */
  static void urlKey(CharSequence s, int from, int to, StringBuilder out) {
    int hash = indexOf(s, '#', from, to);
    if (hash >= 0) {
      to = hash;
    }
    int scheme = indexOfScheme(s, from, to);
    boolean https = false;
    if (scheme >= 0) {
      https = scheme - from == 5 && (s.charAt(from + 4) | 0x20) == 's';
      from = scheme + 3;
    }
    int pathStart = from;
    while (pathStart < to && s.charAt(pathStart) != '/' && s.charAt(pathStart) != '?') {
      pathStart++;
    }
    int at = indexOf(s, '@', from, pathStart);
    int hostStart = at >= 0 ? at + 1 : from;
    int hostEnd = pathStart;
    int colon = lastIndexOf(s, ':', hostStart, pathStart);
    if (colon >= 0 && lastIndexOf(s, ']', hostStart, pathStart) < colon && defaultPort(s, colon + 1, pathStart, https)) {
      hostEnd = colon;
    }
    while (hostEnd > hostStart && s.charAt(hostEnd - 1) == '.') {
      hostEnd--;
    }
    if (hostEnd == hostStart) {
      return;
    }
    for (int i = hostStart; i < hostEnd; i++) {
      char c = s.charAt(i);
      out.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
    }
    if (colon >= 0 && hostEnd < colon) {
      out.append(s, colon, pathStart);
    }
    if (pathStart == to || s.charAt(pathStart) == '?') {
      out.append('/');
    }
    out.append(s, pathStart, to);
  }

  private static int indexOfScheme(CharSequence s, int from, int to) {
    for (int i = from; i < to - 2 && i - from < 12; i++) {
      char c = s.charAt(i);
      if (c == ':') {
        return s.charAt(i + 1) == '/' && s.charAt(i + 2) == '/' && i > from ? i : -1;
      }
      if (!Character.isLetterOrDigit(c) && c != '+' && c != '-' && c != '.') {
        return -1;
      }
    }
    return -1;
  }

  private static int lastIndexOf(CharSequence s, char c, int from, int to) {
    for (int i = to - 1; i >= from; i--) {
      if (s.charAt(i) == c) {
        return i;
      }
    }
    return -1;
  }

  private static boolean defaultPort(CharSequence s, int from, int to, boolean https) {
    if (to - from == 2) {
      return s.charAt(from) == '8' && s.charAt(from + 1) == '0' && !https;
    }
    return to - from == 3 && https && s.charAt(from) == '4' && s.charAt(from + 1) == '4' && s.charAt(from + 2) == '3';
  }

  private static String hash(ObservableType type, String v) {
    String h = v.toLowerCase(Locale.ROOT);
    for (int i = 0; i < h.length(); i++) {
      if (hex(h.charAt(i)) < 0) {
        throw invalid(type, v, "not hexadecimal");
      }
    }
    if (ObservableType.hashOfLength(h.length()) != type) {
      throw invalid(type, v, h.length() + " hex digits is no " + type + " digest");
    }
    return h;
  }

  private static String fileName(String v) {
    if (v.indexOf('\\') >= 0 || v.indexOf('/') >= 0) {
      throw invalid(ObservableType.FILE_NAME, v, "a file name has no directory part");
    }
    return v;
  }

  /** The type of a bare value when it is unambiguous (address, CIDR, hash, URL, domain), or null. */
  static ObservableType infer(String v) {
    String s = v.trim();
    int slash = s.indexOf('/');
    String addr = slash > 0 && !s.contains("://") ? s.substring(0, slash) : s;
    if (parseIpv4(addr, 0, addr.length()) >= 0) {
      return ObservableType.IPV4;
    }
    if (addr.indexOf(':') >= 0 && parseIpv6(addr, 0, addr.length(), new long[2])) {
      return ObservableType.IPV6;
    }
    if (s.contains("://")) {
      return ObservableType.URL;
    }
    if (!s.isEmpty() && s.chars().allMatch(c -> hex((char) c) >= 0)) {
      return ObservableType.hashOfLength(s.length());
    }
    if (s.indexOf('.') > 0 && slash < 0 && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.'
        || c == '-' || c == '_')) {
      return ObservableType.DOMAIN;
    }
    return null;
  }
}
