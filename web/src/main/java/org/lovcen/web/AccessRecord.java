package org.lovcen.web;

import org.lovcen.core.Event;

/**
 * One parsed access-log line: the request, its response and the site it was served for.
 *
 * <p>A parser fills one instance per line and the caller reads it before the next line, so that
 * nothing but the strings themselves is allocated per line. Field names of the Sigma taxonomy
 * ({@code c-ip}, {@code cs-method}, ...) are given by {@link #toEvent}. Mutable; confined to one
 * thread.
 */
public final class AccessRecord {
  /** Cache status unknown (the log does not say). */
  public static final byte CACHE_UNKNOWN = 0;
  /** Served from a cache. */
  public static final byte CACHE_HIT = 1;
  /** Not served from a cache. */
  public static final byte CACHE_MISS = 2;

  /** Status codes as text, made once rather than per line. */
  private static final String[] STATUS_TEXT = new String[600];

  static {
    for (int i = 0; i < STATUS_TEXT.length; i++) {
      STATUS_TEXT[i] = Integer.toString(i);
    }
  }

  /** Event time, micros since the epoch (UTC). */
  public long time;
  /** The site (virtual host, else from the file name); never null after parsing. */
  public String site;
  /** The client address as written in the log. */
  public String ip;
  /** The authenticated user, or null. */
  public String user;
  /** HTTP method, or null when the request line was unreadable. */
  public String method;
  /** Path without the query string. */
  public String path;
  /** Query string without the {@code ?}, or null. */
  public String query;
  /** Protocol ({@code HTTP/1.1}), or null. */
  public String protocol;
  /** Response status. */
  public int status;
  /** Response body bytes. */
  public long bytes;
  /** Referer, or null. */
  public String referer;
  /** User agent, or null. */
  public String userAgent;
  /** Total request time in milliseconds, or -1 when not logged. */
  public int requestMillis;
  /** Upstream (application) response time in milliseconds, or -1 when not logged. */
  public int upstreamMillis;
  /** {@link #CACHE_UNKNOWN}, {@link #CACHE_HIT} or {@link #CACHE_MISS}. */
  public byte cache;
  /** Where the line came from (the file as given) and its line number. */
  public String source;
  /** Line number in {@link #source}, from 1. */
  public long line;

  /** Forgets the previous line (source stays). */
  public void clear() {
    time = Event.NO_TIME;
    site = null;
    ip = null;
    user = null;
    method = null;
    path = null;
    query = null;
    protocol = null;
    status = 0;
    bytes = 0;
    referer = null;
    userAgent = null;
    requestMillis = -1;
    upstreamMillis = -1;
    cache = CACHE_UNKNOWN;
  }

  /**
   * Fills {@code e} (cleared first) with this request under the Sigma {@code webserver} taxonomy
   * names, with no channel so that non-Windows rules apply. The host is the site.
   */
  public void toEvent(Event e, String institution) {
    e.clear();
    e.institution(institution);
    e.timestamp(time);
    e.host(site);
    e.source(source);
    e.record(line);
    e.add("c-ip", ip);
    if (method != null) {
      e.add("cs-method", method);
    }
    if (path != null) {
      e.add("cs-uri-stem", path);
    }
    if (query != null) {
      e.add("cs-uri-query", query);
    }
    e.add("sc-status", status >= 0 && status < STATUS_TEXT.length ? STATUS_TEXT[status] : Integer.toString(status),
        Event.NUMBER);
    if (userAgent != null) {
      e.add("cs-user-agent", userAgent);
    }
    if (referer != null) {
      e.add("cs-referer", referer);
    }
    e.add("cs-host", site);
    if (user != null) {
      e.add("cs-username", user);
    }
    if (protocol != null) {
      e.add("cs-version", protocol);
    }
    e.add("sc-bytes", Long.toString(bytes), Event.NUMBER);
    if (requestMillis >= 0) {
      e.add("time-taken", Integer.toString(requestMillis), Event.NUMBER);
    }
    if (upstreamMillis >= 0) {
      e.add(UPSTREAM_TIME, Integer.toString(upstreamMillis), Event.NUMBER);
    }
    if (cache != CACHE_UNKNOWN) {
      e.add(CACHE_STATUS, cache == CACHE_HIT ? "HIT" : "MISS");
    }
  }

  /** Field of {@link #toEvent}: the upstream (application) time in ms, when logged. */
  public static final String UPSTREAM_TIME = "upstream-time";
  /** Field of {@link #toEvent}: {@code HIT} or {@code MISS}, when the log has a cache status. */
  public static final String CACHE_STATUS = "cache-status";

  /** True for paths of static assets (images, styles, scripts, fonts), which pages pull in. */
  public boolean isStatic() {
    return isStatic(path);
  }

  /** True for paths of static assets (images, styles, scripts, fonts); false for null. */
  public static boolean isStatic(String p) {
    if (p == null) {
      return false;
    }
    int dot = p.lastIndexOf('.');
    if (dot < 0 || dot < p.lastIndexOf('/')) {
      return false;
    }
    return StaticExtensions.contains(p, dot + 1);
  }
}
