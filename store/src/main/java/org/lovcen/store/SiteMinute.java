package org.lovcen.store;

/**
 * The requests of one site in one minute (log time).
 *
 * @param minute the minute's first microsecond
 * @param sources the distinct client addresses, as a sketch (estimate with {@link SourceSketch#estimate})
 */
public record SiteMinute(String institution, String site, long minute, long requests, long status4xx,
    long status5xx, long bytes, SourceSketch sources) {

  /** This minute's counts plus {@code o}'s (same institution, site and minute). */
  public SiteMinute plus(SiteMinute o) {
    SourceSketch s = sources.copy();
    s.merge(o.sources);
    return new SiteMinute(institution, site, minute, requests + o.requests, status4xx + o.status4xx,
        status5xx + o.status5xx, bytes + o.bytes, s);
  }
}
