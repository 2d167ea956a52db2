package org.lovcen.web;

import java.nio.charset.StandardCharsets;

/** Shared strings for the few values that repeat on every line (methods, protocols, hosts). */
final class Interned {
  private static final String[] METHODS = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT",
      "TRACE", "PROPFIND"};
  private static final String[] PROTOCOLS = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/2", "HTTP/3.0", "HTTP/3"};
  private static final int HOSTS = 64;
  /** Per-thread: a tiny cache of recent hosts, so a vhost log makes no string per line. */
  private static final ThreadLocal<String[]> RECENT = ThreadLocal.withInitial(() -> new String[HOSTS]);

  private Interned() {}

  static String method(byte[] b, int s, int e) {
    return pick(METHODS, b, s, e);
  }

  static String protocol(byte[] b, int s, int e) {
    return pick(PROTOCOLS, b, s, e);
  }

  static String host(byte[] b, int s, int e) {
    int h = 0;
    for (int i = s; i < e; i++) {
      h = h * 31 + (b[i] | 0x20);
    }
    String[] recent = RECENT.get();
    int slot = h & (HOSTS - 1);
    String c = recent[slot];
    if (c != null && same(c, b, s, e)) {
      return c;
    }
    String v = new String(b, s, e - s, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
    recent[slot] = v;
    return v;
  }

  private static String pick(String[] known, byte[] b, int s, int e) {
    for (String k : known) {
      if (same(k, b, s, e)) {
        return k;
      }
    }
    return new String(b, s, e - s, StandardCharsets.UTF_8);
  }

  private static boolean same(String k, byte[] b, int s, int e) {
    if (k.length() != e - s) {
      return false;
    }
    for (int i = 0; i < k.length(); i++) {
      if ((k.charAt(i) | 0x20) != (b[s + i] | 0x20)) {
        return false;
      }
    }
    return true;
  }
}
