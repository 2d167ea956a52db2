package org.lovcen.web;

/** Reads a cache status word (nginx {@code $upstream_cache_status}, Varnish, CDNs). Stateless. */
final class Cache {
  private Cache() {}

  static byte status(byte[] b, int s, int e) {
    int n = e - s;
    if (n == 3 && (b[s] | 0x20) == 'h' && (b[s + 1] | 0x20) == 'i' && (b[s + 2] | 0x20) == 't') {
      return AccessRecord.CACHE_HIT;
    }
    if (n == 4 && (b[s] | 0x20) == 'm' && (b[s + 1] | 0x20) == 'i' && (b[s + 2] | 0x20) == 's') {
      return AccessRecord.CACHE_MISS;
    }
    return n > 0 ? status(new String(b, s, n, java.nio.charset.StandardCharsets.ISO_8859_1)) : AccessRecord.CACHE_UNKNOWN;
  }

  static byte status(String s) {
    if (s == null) {
      return AccessRecord.CACHE_UNKNOWN;
    }
    return switch (s.toUpperCase(java.util.Locale.ROOT)) {
      case "HIT", "STALE", "UPDATING", "REVALIDATED", "TCP_HIT", "TCP_MEM_HIT" -> AccessRecord.CACHE_HIT;
      case "MISS", "BYPASS", "EXPIRED", "PASS", "DYNAMIC", "TCP_MISS" -> AccessRecord.CACHE_MISS;
      default -> AccessRecord.CACHE_UNKNOWN;
    };
  }
}
