package org.lovcen.web;

import java.nio.charset.StandardCharsets;
import org.lovcen.core.Timestamps;

/*
 * How and why: JSON logs and custom formats name their fields; both are reduced to one table from
 * a field name (nginx variables, Caddy and ECS paths, common aliases) to a slot of the record,
 * resolved once per name (JSON keys are resolved per line through a small switch; custom formats
 * at compile time), and a setter per slot.
 */
/** Field names of access logs and how each fills an {@link AccessRecord}. Stateless. */
final class Slots {
  static final int IGNORE = 0;
  static final int IP = 1;
  static final int USER = 2;
  static final int TIME_CLF = 3;
  static final int TIME = 4;
  static final int REQUEST = 5;
  static final int METHOD = 6;
  static final int URI = 7;
  static final int PATH = 8;
  static final int QUERY = 9;
  static final int STATUS = 10;
  static final int BYTES = 11;
  static final int REFERER = 12;
  static final int AGENT = 13;
  static final int REQ_SECONDS = 14;
  static final int UPSTREAM_SECONDS = 15;
  static final int HOST = 16;
  static final int CACHE = 17;
  static final int PROTOCOL = 18;
  static final int DURATION_NANOS = 19;
  static final int DURATION_SECONDS = 20;

  private Slots() {}

  /** The slot of a field name (nginx variable, JSON key or dotted path), or {@link #IGNORE}. */
  static int of(String name) {
    return switch (name) {
      case "remote_addr", "client_ip", "clientip", "ip", "source.ip", "client.ip", "client.address",
          "request.remote_ip", "request.client_ip", "remote_ip", "realip_remote_addr", "http_x_real_ip", "c-ip" -> IP;
      case "remote_user", "user", "user.name", "user_id", "cs-username" -> USER;
      case "time_local" -> TIME_CLF;
      case "time_iso8601", "@timestamp", "timestamp", "time", "ts", "msec", "date" -> TIME;
      case "request", "request_line" -> REQUEST;
      case "request_method", "method", "http.request.method", "request.method", "cs-method" -> METHOD;
      case "request_uri", "uri_full", "url.original", "request.uri", "url" -> URI;
      case "uri", "path", "url.path", "document_uri", "cs-uri-stem" -> PATH;
      case "args", "query_string", "query", "url.query", "cs-uri-query" -> QUERY;
      case "status", "status_code", "http.response.status_code", "response_status", "sc-status" -> STATUS;
      case "body_bytes_sent", "bytes_sent", "size", "http.response.body.bytes", "http.response.bytes", "bytes",
          "sc-bytes" -> BYTES;
      case "http_referer", "referer", "referrer", "http.request.referrer", "request.headers.Referer",
          "cs-referer" -> REFERER;
      case "http_user_agent", "user_agent", "useragent", "user_agent.original", "request.headers.User-Agent",
          "cs-user-agent" -> AGENT;
      case "request_time", "request_duration", "duration" -> REQ_SECONDS;
      case "upstream_response_time", "upstream_time" -> UPSTREAM_SECONDS;
      case "host", "http_host", "server_name", "vhost", "request.host", "url.domain", "host.name",
          "cs-host" -> HOST;
      case "upstream_cache_status", "cache_status", "cache", "resp_headers.X-Cache", "resp_headers.Cf-Cache-Status",
          "http.response.cache_status" -> CACHE;
      case "server_protocol", "protocol", "proto", "request.proto", "http.version", "cs-version" -> PROTOCOL;
      case "event.duration" -> DURATION_NANOS;
      default -> IGNORE;
    };
  }

  /** Sets one slot from its text; returns null, or the reason the value is unusable. */
  static String set(AccessRecord r, int slot, String v, ClfTime clf) {
    if (v == null || v.isEmpty() || (v.length() == 1 && v.charAt(0) == '-')) {
      return null;
    }
    switch (slot) {
      case IP -> r.ip = firstAddress(v);
      case USER -> r.user = v;
      case TIME_CLF -> {
        r.time = clf.parse(v);
        return r.time == Long.MIN_VALUE ? "unreadable time '" + v + "'" : null;
      }
      case TIME -> {
        r.time = time(v);
        return r.time == Long.MIN_VALUE ? "unreadable time '" + v + "'" : null;
      }
      case REQUEST -> request(r, v);
      case METHOD -> r.method = v;
      case URI -> uri(r, v);
      case PATH -> r.path = v;
      case QUERY -> r.query = v;
      case STATUS -> {
        r.status = (int) digits(v);
        return r.status < 100 || r.status > 999 ? "bad status '" + v + "'" : null;
      }
      case BYTES -> r.bytes = Math.max(0, digits(v));
      case REFERER -> r.referer = v;
      case AGENT -> r.userAgent = v;
      case REQ_SECONDS -> r.requestMillis = seconds(v);
      case UPSTREAM_SECONDS -> r.upstreamMillis = seconds(v);
      case DURATION_NANOS -> r.requestMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(-1, digits(v) / 1_000_000));
      case HOST -> r.site = host(v);
      case CACHE -> r.cache = Cache.status(v);
      case PROTOCOL -> r.protocol = v;
      default -> { }
    }
    return null;
  }

  /** ISO 8601, epoch seconds with a fraction (Caddy {@code ts}, nginx {@code $msec}), or epoch ms. */
  static long time(String v) {
    int dot = v.indexOf('.');
    if (dot > 0 && dot <= 10 && v.charAt(0) >= '0' && v.charAt(0) <= '9' && v.indexOf('-') < 0) {
      try {
        return Math.round(Double.parseDouble(v) * 1e6);
      } catch (NumberFormatException e) {
        return Long.MIN_VALUE;
      }
    }
    long t = Timestamps.parse(v);
    return t == org.lovcen.core.Event.NO_TIME ? Long.MIN_VALUE : t;
  }

  private static String firstAddress(String v) {
    int comma = v.indexOf(',');
    return comma < 0 ? v : v.substring(0, comma).trim();
  }

  static void request(AccessRecord r, String v) {
    int sp1 = v.indexOf(' ');
    if (sp1 < 0) {
      r.path = v;
      return;
    }
    r.method = v.substring(0, sp1);
    int sp2 = v.lastIndexOf(' ');
    String target = sp2 > sp1 ? v.substring(sp1 + 1, sp2) : v.substring(sp1 + 1);
    if (sp2 > sp1) {
      r.protocol = v.substring(sp2 + 1);
    }
    uri(r, target);
  }

  static void uri(AccessRecord r, String v) {
    int q = v.indexOf('?');
    if (q < 0) {
      r.path = v;
    } else {
      r.path = v.substring(0, q);
      r.query = v.substring(q + 1);
    }
  }

  static String host(String v) {
    int c = v.lastIndexOf(':');
    String h = c > 0 && v.indexOf(']') < 0 && v.indexOf(':') == c ? v.substring(0, c) : v;
    return h.toLowerCase(java.util.Locale.ROOT);
  }

  static long digits(String v) {
    long n = 0;
    int i = 0;
    for (; i < v.length() && i < 19; i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      n = n * 10 + (c - '0');
    }
    return i == 0 ? -1 : n;
  }

  static int seconds(String v) {
    int comma = v.indexOf(',');
    String s = comma < 0 ? v : v.substring(0, comma).trim();
    try {
      return (int) Math.min(Integer.MAX_VALUE, Math.round(Double.parseDouble(s) * 1000));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A CLF time parser over strings (for formats that carry {@code $time_local} as a value). */
  static final class ClfTime {
    private final ClfParser parser = new ClfParser();

    long parse(String v) {
      byte[] b = ("0.0.0.0 - - [" + v + "] \"-\" 200 0").getBytes(StandardCharsets.ISO_8859_1);
      AccessRecord r = new AccessRecord();
      r.clear();
      return parser.parse(b, 0, b.length, r) == null ? r.time : Long.MIN_VALUE;
    }
  }
}
