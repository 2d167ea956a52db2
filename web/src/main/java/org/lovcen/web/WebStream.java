package org.lovcen.web;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.Level;

/*
 * How and why: the live runners (serve, the Kafka workers) run website detection the same way,
 * and this class is that common part, so that both give the same alerts and decisions from the
 * same requests in the same order:
 *
 * - One WebDetector for every institution, as hunt runs one for all its files: a source is one
 *   source whatever site it hits, and distributed floods on sites of several institutions are one
 *   campaign. Each site belongs to the institution that sent it first; another institution's site
 *   of the same name is kept apart internally as "<institution>/<site>". Alerts and decisions
 *   carry the site's institution and the site as that institution logged it; a campaign alert
 *   comes once for each institution whose sites it names (listing all the sites).
 * - A request's Sigma matches are exploit attempts, in rule id order (as hunt orders a line's).
 * - The early campaign alert is looked for whenever event time enters a new site window (floods
 *   start and end only when a window closes), so it does not depend on how input is batched.
 * - Decisions that ended a minute of log time ago are forgotten, once per minute of log time.
 * - A decision change is given with the time it has left after the newest log time; the runner
 *   turns that into its own clock's time (a replay of old logs still gives decisions that last).
 * - While an attack goes on, its alert is given again with a later last time (the detector's
 *   progress, at most once a minute of log time per attack): the same detector, first time, site
 *   and sources, so the same stored fingerprint, and runners widen the alert they stored.
 *
 * The state (the detector, with the alerts of the attacks under way, and the site table) is written
 * and restored as a whole: a restored stream goes on widening the alerts its predecessor gave.
 */
/** Website detection over the access-log requests of every institution. Not thread-safe. */
public final class WebStream {
  /** A Sigma rule that matched a request: an exploit attempt. */
  public record Exploit(String ruleId, String title, Level level, List<String> tags) {}

  /**
   * A decision proposed or changed.
   *
   * @param institution the institution of the site the evidence came from
   * @param site the site as that institution logged it
   * @param remainingMicros how long it lasts after the newest log time seen
   * @param proposal true when just proposed (not an extension)
   */
  public record DecisionChange(Decision decision, String institution, String site, long remainingMicros,
      boolean proposal) {}

  /** Where alerts and decisions go, on the feeding thread. */
  public interface Output {
    /**
     * An alert when detected, and again, with a later last time, each time its attack is seen going
     * on a minute or more of log time after its last report (a distributed flood's
     * {@code source_count} may grow too; all else stays).
     */
    void alert(Alert a);

    void decision(DecisionChange c);
  }

  private static final int VERSION = 1;
  private static final long MINUTE = 60_000_000L;
  private static final Comparator<Exploit> BY_RULE = Comparator.comparing(Exploit::ruleId);

  private final WebConfig config;
  private final WebDetector detector;
  private final Output out;
  /** Detector site name to {institution, site as logged}. */
  private final Map<String, String[]> sites = new HashMap<>();
  /** Site as logged to the institution that sent it first. */
  private final Map<String, String> owners = new HashMap<>();
  private final List<Exploit> sorted = new ArrayList<>();
  private long window = Long.MIN_VALUE;
  private long forgetAt = Long.MIN_VALUE;

  public WebStream(WebConfig config, Output out) {
    this.config = config;
    this.out = out;
    this.detector = new WebDetector(config, null, this::alert);
    detector.onDecision(this::decision);
    detector.onProgress((before, later) -> alert(later));
  }

  /** The site an access-log event counts for: its host, else its {@code cs-host}, else {@code unknown}. */
  public static String siteOf(Event e) {
    String s = e.host();
    if (s == null || s.isEmpty()) {
      s = e.get("cs-host");
    }
    return s == null || s.isEmpty() ? "unknown" : s;
  }

  /**
   * Runs one request through the detectors.
   *
   * @param institution the institution that sent it
   * @param site the site as logged ({@code r.site()} is not used)
   * @param exploits the Sigma rules it matched that the institution has not turned off
   */
  public void accept(String institution, String site, Request r, List<Exploit> exploits) {
    String own = detectorSite(institution, site);
    Request q = own.equals(r.site()) ? r : new Request(r.time(), own, r.ip(), r.status(), r.pathHash(), r.agentHash(),
        r.flags(), r.upstreamMillis(), r.source(), r.line());
    detector.accept(q);
    if (!exploits.isEmpty()) {
      sorted.clear();
      sorted.addAll(exploits);
      sorted.sort(BY_RULE);
      for (Exploit x : sorted) {
        detector.exploit(q, x.ruleId(), x.title(), x.level(), x.tags());
      }
    }
    long w = detector.watermark();
    long win = Math.floorDiv(w, config.window);
    if (win != window) {
      window = win;
      detector.announceCampaigns();
    }
    if (w >= forgetAt) {
      detector.forgetDecisionsBefore(w - MINUTE);
      forgetAt = w + MINUTE;
    }
  }

  /** The detector's counters. */
  public WebDetector.Stats stats() {
    return detector.stats();
  }

  /** Event time of the newest request, or {@code Long.MIN_VALUE} before any. */
  public long watermark() {
    return detector.watermark();
  }

  /** Writes the whole state (site table and detector) for {@link #restore}. */
  public void snapshot(OutputStream stream) throws IOException {
    DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(stream, 1 << 12));
    data.writeInt(VERSION);
    data.writeLong(window);
    data.writeLong(forgetAt);
    data.writeInt(sites.size());
    for (Map.Entry<String, String[]> e : sites.entrySet()) {
      WebDetector.State.str(data, e.getKey());
      WebDetector.State.str(data, e.getValue()[0]);
      WebDetector.State.str(data, e.getValue()[1]);
    }
    data.writeInt(owners.size());
    for (Map.Entry<String, String> e : owners.entrySet()) {
      WebDetector.State.str(data, e.getKey());
      WebDetector.State.str(data, e.getValue());
    }
    data.flush();
    detector.snapshot(stream);
  }

  /**
   * Replaces the state by a {@link #snapshot} taken under the same configuration; returns false,
   * leaving the state empty, when it was taken under another (the detectors start afresh).
   *
   * @throws IOException when the stream fails or does not hold a snapshot
   */
  public boolean restore(InputStream stream) throws IOException {
    sites.clear();
    owners.clear();
    DataInputStream data = new DataInputStream(stream); // unbuffered: the detector reads on from here
    if (data.readInt() != VERSION) {
      throw new IOException("unknown web snapshot version");
    }
    long win = data.readLong();
    long forget = data.readLong();
    for (int n = data.readInt(); n > 0; n--) {
      sites.put(WebDetector.State.str(data), new String[] {WebDetector.State.str(data), WebDetector.State.str(data)});
    }
    for (int n = data.readInt(); n > 0; n--) {
      owners.put(WebDetector.State.str(data), WebDetector.State.str(data));
    }
    if (!detector.restore(stream)) {
      sites.clear();
      owners.clear();
      window = forgetAt = Long.MIN_VALUE;
      return false;
    }
    window = win;
    forgetAt = forget;
    return true;
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

  private void decision(Decision d) {
    String[] owner = sites.get(d.site());
    String institution = owner == null ? detector.institution(d.site()) : owner[0];
    String site = owner == null ? d.site() : owner[1];
    long remaining = Math.max(0, d.until() - Math.max(detector.watermark(), d.since()));
    boolean proposal = d.until() - d.since() == config.decisionMicros();
    out.decision(new DecisionChange(d, institution, site, remaining, proposal));
  }

  private void alert(Alert a) {
    String[] owner = a.host() == null ? null : sites.get(a.host());
    String site = owner == null ? a.host() : owner[1];
    if (!a.ruleId().equals("campaign")) {
      out.alert(of(a, owner == null ? a.institution() : owner[0], site));
      return;
    }
    Set<String> institutions = new TreeSet<>();
    for (String s : a.group().getOrDefault("sites", "").split(",")) {
      String[] o = sites.get(s);
      institutions.add(o == null ? detector.institution(s) : o[0]);
    }
    for (String institution : institutions) {
      out.alert(of(a, institution, site));
    }
  }

  private static Alert of(Alert a, String institution, String site) {
    return new Alert(a.kind(), a.ruleId(), a.ruleTitle(), a.level(), a.author(), a.tags(), a.timestamp(), institution,
        site, a.channel(), a.eventId(), a.source(), a.record(), a.fields(), a.group(), a.last(), a.events());
  }
}
