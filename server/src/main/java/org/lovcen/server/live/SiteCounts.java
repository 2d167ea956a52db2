package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;
import org.lovcen.store.SiteMinute;
import org.lovcen.store.SourceSketch;
import org.lovcen.web.WebStream;

/**
 * Per institution, site (as logged) and minute of log time: requests, 4xx, 5xx, bytes and
 * distinct sources (a sketch) of the access-log events counted since the last {@link #drain}, for
 * the site statistics. Filled by the embedded detection and, in Kafka mode, by the forwarder, and
 * written in the same transaction as the cursor that covers the events: a replay neither loses
 * nor counts twice. Not thread-safe.
 */
final class SiteCounts {
  private final Map<String, Minute> minutes = new LinkedHashMap<>();

  private static final class Minute {
    final String institution;
    final String site;
    final long minute;
    long requests;
    long s4xx;
    long s5xx;
    long bytes;
    final SourceSketch sources = new SourceSketch();

    Minute(String institution, String site, long minute) {
      this.institution = institution;
      this.site = site;
      this.minute = minute;
    }
  }

  /** Counts one access-log event ({@code Request.isRequest}) of its institution and site. */
  void add(Event e) {
    String institution = e.institution();
    String site = WebStream.siteOf(e);
    long t = e.timestamp();
    long minute = t - Math.floorMod(t, 60_000_000L);
    Minute m = minutes.computeIfAbsent(institution + '\0' + site + '\0' + minute,
        k -> new Minute(institution, site, minute));
    long status = number(e.get("sc-status"));
    m.requests++;
    m.s4xx += status >= 400 && status < 500 ? 1 : 0;
    m.s5xx += status >= 500 ? 1 : 0;
    long bytes = number(e.get("sc-bytes"));
    m.bytes += Math.max(0, bytes);
    String ip = e.get("c-ip");
    if (ip != null) {
      m.sources.add(ip);
    }
  }

  /** The minutes counted since the last call (and forgets them here). */
  List<SiteMinute> drain() {
    List<SiteMinute> out = new ArrayList<>(minutes.size());
    for (Minute x : minutes.values()) {
      out.add(new SiteMinute(x.institution, x.site, x.minute, x.requests, x.s4xx, x.s5xx, x.bytes, x.sources));
    }
    minutes.clear();
    return out;
  }

  boolean isEmpty() {
    return minutes.isEmpty();
  }

  /** A whole number field, or -1 when absent or not a number. */
  private static long number(String v) {
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException x) {
      return -1;
    }
  }
}
