package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.sigma.SigmaRule;
import org.lovcen.store.AlertRow;
import org.lovcen.store.DecisionStore;
import org.lovcen.store.SiteMinute;
import org.lovcen.store.SourceSketch;
import org.lovcen.web.Decision;
import org.lovcen.web.Request;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebDetector;

/*
 * How and why: the website detectors of hunt, fed by the detection thread with the stored
 * access-log events in id order. One WebDetector for every institution, as hunt runs one for all
 * its files: a source is one source whatever site it hits, and distributed floods on sites of
 * several institutions are one campaign. The price is one event time for all: lines of an
 * institution that ships more than lateness_seconds behind the others count as late (their
 * statistics and Sigma matches still count). Each site keeps its institution (the first to send
 * it; a second institution's site of the same name is kept apart internally as
 * "<institution>/<site>"), so alerts and decisions go to the site's own institution; a campaign
 * alert is stored once for each institution whose sites it names. While an attack goes on, the
 * detector reports its alert again with a later last time; that row has the stored alert's
 * fingerprint, and the alert writer widens the stored alert (AlertStore.complete) instead of adding one.
 *
 * Decisions are timed on the server's clock: a decision lasts, from the moment it is detected,
 * as long as the detector proposed it for beyond the newest log time, so that replayed old logs
 * still give enforceable decisions. Per minute of log time and site the loop counts requests,
 * 4xx, 5xx, bytes and distinct sources (a sketch). All of it is handed to the alert writer with
 * the batch (WebChanges), in the batch's transaction: a replay after a crash neither loses nor
 * counts twice.
 */
/** Web detection inside the detection loop. Confined to the detection thread. */
final class WebLoop {
  private final WebConfig config;
  private final WebDetector detector;
  private final LongSupplier nowMicros;
  /** Detector site name to {institution, site as logged}. */
  private final Map<String, String[]> sites = new HashMap<>();
  /** Site as logged to the institution that sent it first. */
  private final Map<String, String> owners = new HashMap<>();
  private final Map<String, Minute> minutes = new LinkedHashMap<>();
  private final Map<String, DecisionStore.Detected> decisions = new LinkedHashMap<>();
  private List<AlertRow> out;
  private long forgetAt = Long.MIN_VALUE;

  /** @param nowMicros the server's clock */
  WebLoop(WebConfig config, LongSupplier nowMicros) {
    this.config = config;
    this.nowMicros = nowMicros;
    this.detector = new WebDetector(config, null, this::alert);
    detector.onDecision(this::decision);
    detector.onProgress((before, later) -> alert(later));
  }

  /** Per site and minute: the counts so far in this batch. */
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

  /** Alerts go to {@code out} from now on (the batch being evaluated). */
  void batch(List<AlertRow> out) {
    this.out = out;
  }

  /**
   * Runs one stored access-log event ({@link Request#isRequest}) through the detectors;
   * {@code matches} are the Sigma rules it matched (exploit attempts, as in hunt).
   */
  void accept(Event e, long eventId, List<SigmaRule> matches) {
    String institution = e.institution();
    String logged = siteOf(e);
    String site = detectorSite(institution, logged);
    Request r = Request.of(e, site, config, "event", eventId);
    count(institution, logged, r, e);
    detector.accept(r);
    if (matches.size() > 1) {
      matches.sort(java.util.Comparator.comparing(SigmaRule::id)); // as hunt orders a line's matches
    }
    for (SigmaRule rule : matches) {
      detector.exploit(r, rule.id(), rule.title(), rule.level(), rule.tags());
    }
  }

  /** After each batch: an early campaign alert once floods overlap, and old decisions forgotten. */
  void afterBatch() {
    detector.announceCampaigns();
    long w = detector.watermark();
    if (w != Long.MIN_VALUE && w >= forgetAt) {
      detector.forgetDecisionsBefore(w - 60_000_000L);
      forgetAt = w + 60_000_000L;
    }
  }

  /** The decisions and minutes of the batch (and forgets them here). */
  WebChanges drain() {
    if (decisions.isEmpty() && minutes.isEmpty()) {
      return WebChanges.NONE;
    }
    List<SiteMinute> m = new ArrayList<>(minutes.size());
    for (Minute x : minutes.values()) {
      m.add(new SiteMinute(x.institution, x.site, x.minute, x.requests, x.s4xx, x.s5xx, x.bytes, x.sources));
    }
    WebChanges c = new WebChanges(new ArrayList<>(decisions.values()), m);
    minutes.clear();
    decisions.clear();
    return c;
  }

  private static String siteOf(Event e) {
    String s = e.host();
    if (s == null || s.isEmpty()) {
      s = e.get("cs-host");
    }
    return s == null || s.isEmpty() ? "unknown" : s;
  }

  private String detectorSite(String institution, String logged) {
    String owner = owners.putIfAbsent(logged, institution);
    String site = owner == null || owner.equals(institution) ? logged : institution + "/" + logged;
    if (!sites.containsKey(site)) {
      sites.put(site, new String[] {institution, logged});
      detector.institutionOf(site, institution);
    }
    return site;
  }

  private void count(String institution, String site, Request r, Event e) {
    long minute = r.time() - Math.floorMod(r.time(), 60_000_000L);
    Minute m = minutes.computeIfAbsent(institution + '\0' + site + '\0' + minute,
        k -> new Minute(institution, site, minute));
    m.requests++;
    m.s4xx += r.status() >= 400 && r.status() < 500 ? 1 : 0;
    m.s5xx += r.status() >= 500 ? 1 : 0;
    String b = e.get("sc-bytes");
    if (b != null) {
      try {
        m.bytes += Long.parseLong(b);
      } catch (NumberFormatException x) {
        // not a number: no bytes counted
      }
    }
    if (r.ip() != null) {
      m.sources.add(r.ip());
    }
  }

  private void decision(Decision d) {
    String[] owner = sites.get(d.site());
    String institution = owner == null ? detector.institution(d.site()) : owner[0];
    String site = owner == null ? d.site() : owner[1];
    long remaining = Math.max(0, d.until() - Math.max(detector.watermark(), d.since()));
    boolean proposal = d.until() - d.since() == config.decisionMicros();
    String key = institution + '\0' + d.scope() + '\0' + d.value();
    DecisionStore.Detected before = decisions.get(key);
    decisions.put(key, new DecisionStore.Detected(institution, d.scope(), d.value(), d.action(), d.detector(),
        d.reason(), site, nowMicros.getAsLong() + remaining, d.since(), proposal || (before != null && before.proposal())));
  }

  private void alert(Alert a) {
    String[] owner = a.host() == null ? null : sites.get(a.host());
    String site = owner == null ? a.host() : owner[1];
    if (!a.ruleId().equals("campaign")) {
      out.add(row(a, owner == null ? a.institution() : owner[0], site));
      return;
    }
    java.util.Set<String> institutions = new java.util.TreeSet<>();
    for (String s : a.group().getOrDefault("sites", "").split(",")) {
      String[] o = sites.get(s);
      institutions.add(o == null ? detector.institution(s) : o[0]);
    }
    for (String inst : institutions) {
      out.add(row(a, inst, site));
    }
  }

  /** A web alert's row; the fingerprint is its detector, first time, sites and sources, stable across replays. */
  private static AlertRow row(Alert a, String institution, String site) {
    String what = a.group().getOrDefault("sites", "") + "|" + a.group().getOrDefault("sources", "")
        + "|" + a.fields().getOrDefault("ongoing", "");
    String fp = "w:" + a.ruleId() + ":" + a.timestamp() + ":" + Integer.toHexString(what.hashCode()) + ":"
        + Integer.toHexString(a.group().getOrDefault("sources", "").length());
    Long ref = "event".equals(a.source()) && a.record() > 0 ? a.record() : null;
    return AlertRow.of(institution, fp.length() > 128 ? fp.substring(0, 128) : fp, a.kind(), a.ruleId(),
        a.ruleTitle(), a.level().label(), a.level().ordinal(), a.author(), a.tags() == null ? List.of() : a.tags(),
        a.timestamp(), a.last(), site, null, ref, a.fields() == null ? Map.of() : a.fields(),
        a.group() == null ? Map.of() : a.group(), List.of(), false);
  }
}
