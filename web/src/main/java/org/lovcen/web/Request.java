package org.lovcen.web;

/**
 * The part of one request that the stateful detectors need: small and immutable, so that the
 * requests read by several threads can be kept, sorted by time and replayed to one detector.
 *
 * @param time micros since the epoch
 * @param site the site
 * @param ip the client address as logged
 * @param status response status
 * @param pathHash hash of the path (query excluded), for counting distinct paths
 * @param agentHash hash of the user agent (0 when absent)
 * @param flags {@link #STATIC}, {@link #LOGIN}, {@link #REFERER}, {@link #CACHE_HIT}, {@link #CACHE_MISS}, {@link #QUERY}
 * @param upstreamMillis upstream (else total) response time in ms, or -1
 * @param source file the line came from
 * @param line line number in {@code source}
 */
public record Request(long time, String site, String ip, int status, int pathHash, int agentHash, int flags,
    int upstreamMillis, String source, long line) {
  /** A static asset (image, style, script, font). */
  public static final int STATIC = 1;
  /** A write to a login path (brute force candidates). */
  public static final int LOGIN = 2;
  /** The request carried a referer. */
  public static final int REFERER = 4;
  /** Served from cache. */
  public static final int CACHE_HIT = 8;
  /** Not served from cache. */
  public static final int CACHE_MISS = 16;
  /** The request had a query string. */
  public static final int QUERY = 32;

  /** The detector's view of a parsed line. */
  public static Request of(AccessRecord r, WebConfig config) {
    int flags = 0;
    if (r.isStatic()) {
      flags |= STATIC;
    }
    if (!"GET".equals(r.method) && !"HEAD".equals(r.method) && config.isLoginPath(r.path)) {
      flags |= LOGIN;
    }
    if (r.referer != null) {
      flags |= REFERER;
    }
    if (r.cache == AccessRecord.CACHE_HIT) {
      flags |= CACHE_HIT;
    } else if (r.cache == AccessRecord.CACHE_MISS) {
      flags |= CACHE_MISS;
    }
    if (r.query != null) {
      flags |= QUERY;
    }
    int up = r.upstreamMillis >= 0 ? r.upstreamMillis : r.requestMillis;
    return new Request(r.time, r.site, r.ip, r.status, r.path == null ? 0 : r.path.hashCode(),
        r.userAgent == null ? 0 : r.userAgent.hashCode(), flags, up, r.source, r.line);
  }

  /**
   * True when {@code e} is an access-log request as {@link AccessRecord#toEvent} writes it: no
   * channel, a client address and a status. Cheap for other events: a channel ends it at once.
   */
  public static boolean isRequest(org.lovcen.core.Event e) {
    return e.channel() == null && e.indexOf("sc-status") >= 0 && e.indexOf("c-ip") >= 0;
  }

  /**
   * The detector's view of an access-log event ({@link #isRequest}): the same request as
   * {@link #of(AccessRecord, WebConfig)} gives for the line the event was read from.
   *
   * @param site the site the request counts for
   * @param source where it came from; {@code line} its position there
   */
  public static Request of(org.lovcen.core.Event e, String site, WebConfig config, String source, long line) {
    String method = e.get("cs-method");
    String path = e.get("cs-uri-stem");
    String agent = e.get("cs-user-agent");
    int flags = 0;
    if (AccessRecord.isStatic(path)) {
      flags |= STATIC;
    }
    if (!"GET".equals(method) && !"HEAD".equals(method) && path != null && config.isLoginPath(path)) {
      flags |= LOGIN;
    }
    if (e.indexOf("cs-referer") >= 0) {
      flags |= REFERER;
    }
    String cache = e.get(AccessRecord.CACHE_STATUS);
    if ("HIT".equals(cache)) {
      flags |= CACHE_HIT;
    } else if ("MISS".equals(cache)) {
      flags |= CACHE_MISS;
    }
    if (e.indexOf("cs-uri-query") >= 0) {
      flags |= QUERY;
    }
    int up = number(e.get(AccessRecord.UPSTREAM_TIME));
    if (up < 0) {
      up = number(e.get("time-taken"));
    }
    return new Request(e.timestamp(), site, e.get("c-ip"), number(e.get("sc-status")),
        path == null ? 0 : path.hashCode(), agent == null ? 0 : agent.hashCode(), flags, up, source, line);
  }

  /** A whole number field, or -1 when absent or not a number. */
  private static int number(String v) {
    if (v == null) {
      return -1;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException x) {
      return -1;
    }
  }

  /** True when the flag is set. */
  public boolean has(int flag) {
    return (flags & flag) != 0;
  }
}
