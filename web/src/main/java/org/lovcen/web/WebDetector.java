package org.lovcen.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.lovcen.core.Alert;
import org.lovcen.core.Level;
import org.lovcen.core.Timestamps;

/*
 * How and why: one detector sees every request of every site in event-time order (hunt sorts
 * them; a live feed is in order up to the configured lateness, later lines are counted and
 * dropped) and keeps three kinds of state, each advanced by event time only:
 *
 * - per source address (SourceState): leaky buckets in the manner of CrowdSec's HTTP scenarios —
 *   a level that drains at a fixed rate and overflows at a capacity — for all requests (flood),
 *   non-static pages (crawl), writes to login paths (brute force) and distinct paths answered
 *   4xx (scan), the last few user agents (rotation), and, per /24 or /64, one more flood bucket.
 *   An overflow is an alert plus a decision at once, so time to detect is the time to overflow.
 * - per site (SiteState): fixed windows of request counts and shape (static share, cache hits,
 *   referers, requests from sources first seen within the last hour). A window is a surge when
 *   it exceeds the expected rate by a factor and a margin; the expected rate is the larger of a
 *   short half-life moving average (learned only from windows that are not surges) and the mean
 *   for the same hour on the previous day, so the morning rise of a diurnal curve is not a surge.
 *   A surge is a distributed flood when most of it comes from new sources and its shape is not
 *   that of readers (readers pull static assets, hit caches and arrive with referers). While a
 *   flood lasts, each new source sending attack-shaped requests is banned, and a /24 with many
 *   such sources is banned as a range. Availability uses longer windows: 5xx share, upstream
 *   time, and silence of a site that should be busy.
 * - across sites: flood incidents are kept and, at the end, those overlapping in time or sharing
 *   sources on at least two sites form one campaign alert listing the sites.
 *
 * An alert fires when an attack is detected, and the attack may go on for hours. Each attack keeps
 * its alert (the source's per detector and per exploit rule, the network's, the site's flood and
 * outage), and while the attack goes on the alert is reported again to the progress listener with
 * a later last time (at most once a minute of event time; a distributed flood also with the number
 * of flooding sources so far): the same alert, first time, group and fields, whose extent grows.
 *
 * Memory is bounded: sources idle longer than the expiry are dropped on each sweep, and past the
 * cap the oldest half is dropped. Not thread-safe: one instance per stream.
 *
 * A runner that must hand the state to another process (the Kafka runner's state stores) writes
 * all of it (sources, networks, sites with their windows and baselines, the alerts of attacks
 * under way, flood incidents, decisions, counters) as a stream of bytes and restores it into a detector of the same
 * configuration, which then behaves exactly as the original would have (State, at the end). A
 * snapshot names the configuration it was taken under; one taken under another is refused.
 */
/** The stateful website-attack detector. Not thread-safe; feed it requests in time order. */
public final class WebDetector {
  /**
   * The detectors, as alerts name them in {@code ruleId}; a web alert of any other rule id is an
   * exploit attempt (a Sigma {@code webserver} rule's id).
   */
  public static final List<String> DETECTORS = List.of("source_flood", "distributed_flood", "scan", "crawl",
      "brute_force", "ua_rotation", "outage", "campaign");
  private static final String AUTHOR = "Lovcen";
  private static final int FLOOD = 1;
  private static final int SCAN = 2;
  private static final int CRAWL = 4;
  private static final int BRUTE = 8;
  private static final int ROTATION = 16;
  private static final int DIST = 32;
  /** Per source, one alert slot for each detector bit above. */
  private static final int SLOTS = 6;

  private final WebConfig c;
  private final Consumer<Alert> out;
  private java.util.function.BiConsumer<Alert, Alert> progress;
  private final DecisionBook book;
  private final HashMap<String, SourceState> sources = new HashMap<>();
  private final HashMap<String, NetState> nets = new HashMap<>();
  private final LinkedHashMap<String, SiteState> sites = new LinkedHashMap<>();
  private final List<Incident> incidents = new ArrayList<>();
  private final String institution;
  private final Map<String, String> siteInstitutions = new HashMap<>();
  private long watermark = Long.MIN_VALUE;
  private long nextTick = Long.MIN_VALUE;
  private long nextSweep = Long.MIN_VALUE;
  private long requests;
  private long announcedLast = Long.MIN_VALUE;
  private long late;

  /**
   * @param config parameters
   * @param institution institution for sites the configuration does not map, or null
   * @param alerts receives each alert when it is detected
   */
  public WebDetector(WebConfig config, String institution, Consumer<Alert> alerts) {
    this.c = config;
    this.out = alerts;
    this.institution = institution;
    this.book = new DecisionBook(config);
  }

  /**
   * Says which institution a site belongs to, for the alerts of that site (ahead of the
   * configuration's {@code institutions} and the constructor's fallback). For runners whose
   * requests carry their institution (the server).
   */
  public void institutionOf(String site, String institution) {
    siteInstitutions.put(site, institution);
  }

  /** The institution of a site's alerts and decisions. */
  public String institution(String site) {
    String i = siteInstitutions.get(site);
    return i != null ? i : c.institution(site, institution);
  }

  /**
   * Calls {@code listener} with every decision the moment it is proposed or changed (extended, or
   * raised from captcha to ban), for runners that keep decisions elsewhere (the server's store).
   */
  public void onDecision(Consumer<Decision> listener) {
    book.listener(listener);
  }

  /**
   * Calls {@code listener} with an attack's alert as last reported and the same alert with a later
   * last time, while the attack goes on: at most once a minute of event time per attack, with the
   * newest evidence at that moment. Group (but a distributed flood's {@code source_count}) and
   * fields stay those of the alert, so that runners keeping alerts can widen the one they hold.
   */
  public void onProgress(java.util.function.BiConsumer<Alert, Alert> listener) {
    this.progress = listener;
  }

  /**
   * Forgets decisions that ended before {@code t} (log time), so that a detector running for
   * months holds only the recent ones; a later proposal for the same address is a new decision.
   * The list of {@link #decisions()} shrinks accordingly; {@code hunt} never calls this.
   */
  public void forgetDecisionsBefore(long t) {
    book.forgetBefore(t);
  }

  /** Counters. */
  public record Stats(long requests, long late, int sources, int sites, int decisions, long refusedAllowlisted) {}

  /** Current counters. */
  public Stats stats() {
    return new Stats(requests, late, sources.size(), sites.size(), book.decisions().size(), book.refusedAllowlisted());
  }

  /** The decisions proposed so far. */
  public List<Decision> decisions() {
    return book.decisions();
  }

  /** Processes one request. */
  public void accept(Request r) {
    long t = r.time();
    if (watermark != Long.MIN_VALUE && t < watermark - c.lateness) {
      late++;
      return;
    }
    requests++;
    advance(t);
    SiteState site = site(r.site());
    site.add(r, t);
    SourceState s = source(r.ip(), t);
    s.last = t;
    if (t - s.first < c.newAfter && (s.stampSite != site || s.stampWindow != site.windowStart)) {
      s.stampSite = site;
      s.stampWindow = site.windowStart;
      site.newDistinct++;
    }
    perSource(r, s, site, t);
  }

  /**
   * Reports a Sigma {@code webserver} rule match on a request (exploit attempt): one alert per
   * source and rule, and a decision for the source.
   */
  public void exploit(Request r, String ruleId, String title, Level level, List<String> tags) {
    SourceState s = source(r.ip(), r.time());
    seen(s, r.time()); // accept has seen it already, unless the request was late or not given to accept
    int known = s.rules.indexOf(ruleId);
    if (known >= 0) {
      book.extend("ip", r.ip(), r.time());
      s.ruleAlerts.set(known, progress(s.ruleAlerts.get(known), r.time(), -1));
      return;
    }
    Alert a = emit(ruleId, title, level, tags == null ? List.of() : tags, r.time(), r.time(), r, List.of(r.site()),
        List.of(r.ip()), 1, Map.of());
    if (s.rules.size() < 32) {
      s.rules.add(ruleId);
      s.ruleAlerts.add(a);
    }
    book.propose("sigma:" + ruleId, "ip", r.ip(), r.time(), "exploit attempt: " + title, r.site());
  }

  /**
   * Moves event time forward to {@code t} without a request, so that windows close and their
   * alerts come while the input is quiet (live tailing). Requests older than {@code t} minus the
   * lateness are dropped afterwards, as for any late line. No-op when {@code t} is not ahead.
   */
  public void advanceTo(long t) {
    if (watermark != Long.MIN_VALUE && t > watermark) {
      advance(t);
    }
  }

  /** Event time of the newest request (or {@link #advanceTo}), or {@code Long.MIN_VALUE} before any. */
  public long watermark() {
    return watermark;
  }

  /** How many decisions have been proposed so far (new ones are appended to {@link #decisions()}). */
  public int decisionCount() {
    return book.size();
  }

  /**
   * For live input: emits a campaign alert as soon as distributed floods are going on (or ended
   * within {@code campaign.window_minutes}) on at least {@code campaign.min_sites} sites, once per
   * campaign (a campaign goes on while new flood activity comes within the window). The alert has
   * {@code fields.ongoing = true}; the complete campaign alert, with every site and incident, still
   * comes at {@link #flush}. Call it as often as convenient (after each batch of lines).
   */
  public void announceCampaigns() {
    long now = watermark;
    if (now == Long.MIN_VALUE) {
      return;
    }
    java.util.TreeSet<String> names = new java.util.TreeSet<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (SiteState s : sites.values()) {
      if (s.flood) {
        names.add(s.name);
        first = Math.min(first, s.floodFirst);
        last = Math.max(last, s.floodLast);
      }
    }
    for (Incident i : incidents) {
      if (i.detector.equals("distributed_flood") && i.last >= now - c.campaignWindow) {
        names.add(i.site);
        first = Math.min(first, i.first);
        last = Math.max(last, i.last);
      }
    }
    if (names.isEmpty()) {
      return;
    }
    boolean sameCampaign = announcedLast != Long.MIN_VALUE && first <= announcedLast + c.campaignWindow;
    if (sameCampaign) {
      announcedLast = Math.max(announcedLast, last);
      return;
    }
    if (names.size() < c.campaignSites) {
      return;
    }
    announcedLast = last;
    java.util.Set<String> srcs = new java.util.HashSet<>();
    for (SiteState s : sites.values()) {
      if (s.flood) {
        srcs.addAll(s.floodSources);
      }
    }
    List<String> shown = srcs.size() <= 20 ? srcs.stream().sorted().toList() : List.of();
    emit("campaign", "Coordinated flood across " + names.size() + " sites", Level.CRITICAL,
        List.of("attack.impact", "attack.t1498", "attack.t1499.002"), first, now, null, List.copyOf(names), shown,
        srcs.size(), Map.of("ongoing", "true"));
  }

  /** Ends the stream: closes open windows and emits campaign alerts. */
  public void flush() {
    for (SiteState s : sites.values()) {
      s.closeWindow(s.windowStart + c.window, false);
      if (s.flood) {
        incidents.add(new Incident(s.name, "distributed_flood", s.floodFirst, s.floodLast, s.floodSources));
        s.flood = false;
      }
    }
    campaigns();
  }

  /**
   * Writes the whole state of this detector (everything but the configuration, the alert sink and
   * the decision and progress listeners) to {@code out}, for {@link #restore}; the alerts of the
   * attacks under way are part of it, so that a restored detector goes on widening them. The size
   * grows with the sources tracked: tens of bytes each, a few hundred more for each alert one holds.
   */
  public void snapshot(java.io.OutputStream out) throws java.io.IOException {
    java.io.DataOutputStream data = new java.io.DataOutputStream(new java.io.BufferedOutputStream(out, 1 << 16));
    State.write(this, data);
    data.flush();
  }

  /**
   * Replaces this detector's state by a {@link #snapshot} of a detector with the same
   * configuration. Returns false, leaving the state empty, when the snapshot was taken under
   * another configuration.
   *
   * @throws java.io.IOException when the stream fails or does not hold a snapshot
   */
  public boolean restore(java.io.InputStream in) throws java.io.IOException {
    java.io.DataInputStream data = new java.io.DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
    try {
      return State.read(this, data);
    } catch (java.io.IOException | RuntimeException e) {
      reset();
      throw e instanceof java.io.IOException io ? io : new java.io.IOException("not a web detector snapshot: " + e, e);
    }
  }

  private void reset() {
    sources.clear();
    nets.clear();
    sites.clear();
    incidents.clear();
    siteInstitutions.clear();
    book.clear();
    watermark = nextTick = nextSweep = announcedLast = Long.MIN_VALUE;
    requests = late = 0;
  }

  private void advance(long t) {
    if (t > watermark) {
      watermark = t;
    }
    if (nextTick == Long.MIN_VALUE) {
      nextTick = t - Math.floorMod(t, c.window) + c.window;
      nextSweep = t + c.idleExpiry;
    }
    while (t >= nextTick) {
      for (SiteState s : sites.values()) {
        s.tick(nextTick);
      }
      nextTick += c.window;
    }
    if (t >= nextSweep || sources.size() > c.maxSources) {
      sweep(t);
      nextSweep = t + c.idleExpiry / 4;
    }
  }

  private void sweep(long t) {
    long cutoff = sources.size() > c.maxSources ? t - c.idleExpiry / 8 : t - c.idleExpiry;
    sources.values().removeIf(s -> s.last < cutoff);
    nets.values().removeIf(n -> n.last < cutoff);
  }

  private SiteState site(String name) {
    SiteState s = sites.get(name);
    if (s == null) {
      s = new SiteState(name);
      sites.put(name, s);
    }
    return s;
  }

  /** Marks the source and its network as seen at {@code t} (never earlier than they were), so a sweep keeps them. */
  private static void seen(SourceState s, long t) {
    s.last = Math.max(s.last, t);
    if (s.net != null) {
      s.net.last = Math.max(s.net.last, t);
    }
  }

  private SourceState source(String ip, long t) {
    SourceState s = sources.get(ip);
    if (s == null) {
      s = new SourceState(ip, t);
      sources.put(ip, s);
      String net = Addresses.network(ip);
      NetState n = nets.get(net);
      if (n == null) {
        n = new NetState(net);
        nets.put(net, n);
      }
      s.net = n;
    }
    return s;
  }

  private void perSource(Request r, SourceState s, SiteState site, long t) {
    s.flood = fill(s.flood, s.floodT, t, c.floodLeak);
    s.floodT = t;
    if (s.flood > c.floodCapacity) {
      overflow(s, FLOOD, "source_flood", t, r, "more than " + (int) c.floodCapacity + " requests in a burst");
    }
    NetState n = s.net;
    n.level = fill(n.level, n.t, t, c.netLeak);
    n.t = t;
    n.last = t;
    if (n.level > c.netCapacity && !n.alerted) {
      n.alerted = true;
      n.alert = emit("source_flood", "Request flood from one network", Level.HIGH,
          List.of("attack.impact", "attack.t1498"), t, t, r, List.of(r.site()), List.of(n.cidr), 1,
          Map.of("network", n.cidr));
      book.propose("source_flood", "range", n.cidr, t, "network flood: more than " + (int) c.netCapacity
          + " requests in a burst from " + n.cidr, r.site());
    } else if (n.alerted && n.level > c.netCapacity) {
      book.extend("range", n.cidr, t);
      n.alert = progress(n.alert, t, -1);
    }
    if (r.status() >= 400 && r.status() < 500 && s.newPath(r.pathHash())) {
      s.scan = fill(s.scan, s.scanT, t, c.scanLeak);
      s.scanT = t;
      if (s.scan > c.scanCapacity) {
        overflow(s, SCAN, "scan", t, r, "more than " + (int) c.scanCapacity + " distinct paths answered 4xx");
      }
    }
    if (!r.has(Request.STATIC) && r.status() < 400) {
      s.crawl = fill(s.crawl, s.crawlT, t, c.crawlLeak);
      s.crawlT = t;
      if (s.crawl > c.crawlCapacity) {
        overflow(s, CRAWL, "crawl", t, r, "more than " + (int) c.crawlCapacity + " pages in a burst");
      }
    }
    if (r.has(Request.LOGIN)) {
      s.login = fill(s.login, s.loginT, t, c.loginLeak);
      s.loginT = t;
      if (s.login > c.loginCapacity) {
        overflow(s, BRUTE, "brute_force", t, r, "more than " + (int) c.loginCapacity + " login attempts");
      }
    }
    if (r.agentHash() != 0 && s.agents(r.agentHash(), t, c.uaWindow) >= c.uaDistinct) {
      overflow(s, ROTATION, "ua_rotation", t, r, c.uaDistinct + " or more user agents within "
          + c.uaWindow / 1_000_000 + " s");
    }
    if (r.has(Request.STATIC)) {
      s.pulledAssets = true;
    }
    boolean isNew = t - s.first < c.newAfter;
    if (isNew && !s.pulledAssets && attackShaped(r)) {
      s.suspect++;
      if (site.flood && s.suspect >= c.floodMinRequests) {
        floodSource(s, site, t, r);
      }
    }
  }

  private static boolean attackShaped(Request r) {
    return !r.has(Request.STATIC) && !r.has(Request.REFERER) && !r.has(Request.CACHE_HIT);
  }

  private void floodSource(SourceState s, SiteState site, long t, Request r) {
    if ((s.alerted & DIST) != 0) {
      if (t - s.extended > 60_000_000L) {
        s.extended = t;
        book.extend("ip", s.ip, t);
      }
      return;
    }
    s.alerted |= DIST;
    s.extended = t;
    if (site.floodSources.size() < 100_000) {
      site.floodSources.add(s.ip);
    }
    site.floodLast = t;
    book.propose("distributed_flood", "ip", s.ip, t, "distributed flood on " + site.name + ": new source, "
        + s.suspect + " uncached page requests without referer", site.name);
    NetState n = s.net;
    if (++n.floodSources >= c.rangeMin && !book.has("range", n.cidr)) {
      book.propose("distributed_flood", "range", n.cidr, t, "distributed flood on " + site.name + ": "
          + n.floodSources + " flooding sources in " + n.cidr, site.name);
    }
  }

  private void overflow(SourceState s, int bit, String detector, long t, Request r, String why) {
    int slot = Integer.numberOfTrailingZeros(bit);
    if ((s.alerted & bit) != 0) {
      if (t - s.extended > 60_000_000L) {
        s.extended = t;
        book.extend("ip", s.ip, t);
      }
      if (s.alerts != null) {
        s.alerts[slot] = progress(s.alerts[slot], t, -1);
      }
      return;
    }
    s.alerted |= bit;
    s.extended = t;
    Title ti = TITLES.get(detector);
    if (s.alerts == null) {
      s.alerts = new Alert[SLOTS];
    }
    s.alerts[slot] = emit(detector, ti.title, ti.level, ti.tags, s.first, t, r, List.of(r.site()), List.of(s.ip), 1,
        Map.of("reason", why));
    book.propose(detector, "ip", s.ip, t, detector + ": " + why + " on " + r.site(), r.site());
    if (bit == FLOOD) {
      incidents.add(new Incident(r.site(), detector, s.first, t, List.of(s.ip)));
    }
  }

  private static double fill(double level, long last, long t, double leakPerSecond) {
    double drained = level - (t - last) * leakPerSecond / 1e6;
    return (drained < 0 ? 0 : drained) + 1;
  }

  private Alert emit(String detector, String title, Level level, List<String> tags, long first, long last, Request r,
      List<String> siteList, List<String> srcs, int sourceCount, Map<String, String> extra) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("detected", Timestamps.format(last));
    fields.putAll(extra);
    Map<String, String> group = new LinkedHashMap<>();
    group.put("sites", String.join(",", siteList));
    group.put("sources", String.join(",", srcs));
    group.put("source_count", Integer.toString(Math.max(sourceCount, srcs.size())));
    String site = siteList.get(0);
    Alert a = new Alert("web", detector, title, level, AUTHOR, tags, first, institution(site), site,
        null, -1, r == null ? null : r.source(), r == null ? 0 : r.line(), fields, group, last, List.of());
    out.accept(a);
    return a;
  }

  /**
   * An attack's alert seen going on at {@code t}: reported again with last time {@code t} when a
   * minute or more has passed since its last report (with {@code sources} as its source count when
   * not negative); returns the alert as now reported. The state moves on with or without a progress
   * listener, so that a snapshot does not depend on one.
   */
  private Alert progress(Alert a, long t, int sources) {
    if (a == null || t - a.last() < 60_000_000L) {
      return a;
    }
    Map<String, String> group = a.group();
    if (sources >= 0 && sources > Integer.parseInt(group.getOrDefault("source_count", "0"))) {
      group = new LinkedHashMap<>(group);
      group.put("source_count", Integer.toString(sources));
    }
    Alert later = new Alert(a.kind(), a.ruleId(), a.ruleTitle(), a.level(), a.author(), a.tags(), a.timestamp(),
        a.institution(), a.host(), a.channel(), a.eventId(), a.source(), a.record(), a.fields(), group, t, a.events());
    if (progress != null) {
      progress.accept(a, later);
    }
    return later;
  }

  /** Fields in the order given (an alert's fields are in display order; {@code Map.of} has none). */
  private static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private record Title(String title, Level level, List<String> tags) {}

  private static final Map<String, Title> TITLES = Map.of(
      "source_flood", new Title("Request flood from one source", Level.HIGH, List.of("attack.impact", "attack.t1498")),
      "scan", new Title("Scanning: many distinct paths answered 4xx", Level.MEDIUM,
          List.of("attack.reconnaissance", "attack.t1595.003")),
      "crawl", new Title("Aggressive crawling of pages", Level.LOW, List.of("attack.reconnaissance", "attack.t1593")),
      "brute_force", new Title("Login brute force", Level.HIGH, List.of("attack.credential-access", "attack.t1110")),
      "ua_rotation", new Title("User-agent rotation from one source", Level.MEDIUM,
          List.of("attack.defense-evasion", "attack.t1036")));

  private void campaigns() {
    incidents.sort((a, b) -> Long.compare(a.first, b.first));
    boolean[] used = new boolean[incidents.size()];
    for (int i = 0; i < incidents.size(); i++) {
      Incident seed = incidents.get(i);
      if (used[i] || !seed.detector.equals("distributed_flood")) {
        continue;
      }
      List<Incident> group = new ArrayList<>(List.of(seed));
      java.util.Set<String> srcs = new java.util.HashSet<>(seed.sources);
      long last = seed.last;
      used[i] = true;
      for (int j = i + 1; j < incidents.size(); j++) {
        Incident o = incidents.get(j);
        if (used[j] || o.first > last + c.campaignWindow) {
          continue;
        }
        boolean samePattern = o.detector.equals("distributed_flood");
        if (samePattern || o.sources.stream().anyMatch(srcs::contains)) {
          group.add(o);
          srcs.addAll(o.sources);
          last = Math.max(last, o.last);
          used[j] = true;
        }
      }
      campaign(group, srcs, last);
    }
  }

  private void campaign(List<Incident> group, java.util.Set<String> srcs, long last) {
    List<String> names = group.stream().map(x -> x.site).distinct().sorted().toList();
    if (names.size() < c.campaignSites) {
      return;
    }
    List<String> shown = srcs.size() <= 20 ? srcs.stream().sorted().toList() : List.of();
    emit("campaign", "Coordinated flood across " + names.size() + " sites", Level.CRITICAL,
        List.of("attack.impact", "attack.t1498", "attack.t1499.002"), group.get(0).first, last, null, names, shown,
        srcs.size(), Map.of("incidents", Integer.toString(group.size())));
  }

  /** One flood on one site, kept for campaign grouping. */
  private record Incident(String site, String detector, long first, long last, java.util.Collection<String> sources) {}

  /** Per address: buckets, recent agents and 4xx paths. */
  private static final class SourceState {
    final String ip;
    final long first;
    long last;
    NetState net;
    double flood;
    long floodT;
    double scan;
    long scanT;
    double crawl;
    long crawlT;
    double login;
    long loginT;
    int alerted;
    long extended;
    int suspect;
    boolean pulledAssets;
    Object stampSite;
    long stampWindow;
    int[] paths;
    int pathCount;
    int[] agentHashes;
    long[] agentTimes;
    final List<String> rules = new ArrayList<>(0);
    /** The alert of each exploit rule in {@link #rules}. */
    final List<Alert> ruleAlerts = new ArrayList<>(0);
    /** The alert of each detector bit (by bit position), or null before the source's first. */
    Alert[] alerts;

    SourceState(String ip, long t) {
      this.ip = ip;
      this.first = t;
      this.floodT = t;
      this.scanT = t;
      this.crawlT = t;
      this.loginT = t;
    }

    /** True the first time a 4xx path is seen (the last 64 are remembered). */
    boolean newPath(int h) {
      if (paths == null) {
        paths = new int[64];
      }
      int n = Math.min(pathCount, paths.length);
      for (int i = 0; i < n; i++) {
        if (paths[i] == h) {
          return false;
        }
      }
      paths[pathCount++ % paths.length] = h;
      return true;
    }

    /** Records an agent; returns how many distinct agents were seen within the window. */
    int agents(int h, long t, long window) {
      if (agentHashes == null) {
        agentHashes = new int[16];
        agentTimes = new long[16];
      }
      int free = -1;
      int oldest = 0;
      int count = 0;
      boolean seen = false;
      for (int i = 0; i < agentHashes.length; i++) {
        if (agentTimes[i] == 0 || t - agentTimes[i] > window) {
          free = free < 0 ? i : free;
          continue;
        }
        if (agentHashes[i] == h) {
          agentTimes[i] = t;
          seen = true;
        }
        count++;
        oldest = agentTimes[i] < agentTimes[oldest] ? i : oldest;
      }
      if (!seen) {
        int slot = free >= 0 ? free : oldest;
        agentHashes[slot] = h;
        agentTimes[slot] = t;
        count += free >= 0 ? 1 : 0;
      }
      return count;
    }
  }

  /** Per /24 or /64: one flood bucket and the number of flooding sources. */
  private static final class NetState {
    final String cidr;
    double level;
    long t;
    long last;
    boolean alerted;
    int floodSources;
    Alert alert;

    NetState(String cidr) {
      this.cidr = cidr;
    }
  }

  /** Per site: the current windows, the baseline, and open incidents. */
  private final class SiteState {
    final String name;
    long firstSeen = Long.MIN_VALUE;
    long windowStart = Long.MIN_VALUE;
    int req;
    int newReq;
    int stat;
    int hit;
    int miss;
    int referer;
    int newDistinct;
    long availStart = Long.MIN_VALUE;
    int aReq;
    int a5xx;
    long upSum;
    int upN;
    long lastRequest;
    double baseline = -1;
    final double[] hourSum = new double[24];
    final int[] hourN = new int[24];
    final double[] prevHour = new double[24];
    long day = Long.MIN_VALUE;
    boolean flood;
    long floodFirst;
    long floodLast;
    int quiet;
    final java.util.Set<String> floodSources = new java.util.LinkedHashSet<>();
    boolean outage;
    long outageFirst;
    Alert floodAlert;
    Alert outageAlert;
    Request lastReq;

    SiteState(String name) {
      this.name = name;
    }

    void add(Request r, long t) {
      if (firstSeen == Long.MIN_VALUE) {
        firstSeen = t;
        windowStart = t - Math.floorMod(t, c.window);
        availStart = t - Math.floorMod(t, c.availWindow);
      }
      tick(t);
      req++;
      SourceState s = sources.get(r.ip());
      if (s == null || t - s.first < c.newAfter) {
        newReq++;
      }
      stat += r.has(Request.STATIC) ? 1 : 0;
      hit += r.has(Request.CACHE_HIT) ? 1 : 0;
      miss += r.has(Request.CACHE_MISS) ? 1 : 0;
      referer += r.has(Request.REFERER) ? 1 : 0;
      aReq++;
      a5xx += r.status() >= 500 ? 1 : 0;
      if (r.upstreamMillis() >= 0) {
        upSum += r.upstreamMillis();
        upN++;
      }
      lastRequest = t;
      lastReq = r;
    }

    /** Closes every window that ends at or before {@code t}. */
    void tick(long t) {
      if (firstSeen == Long.MIN_VALUE) {
        return;
      }
      while (t >= windowStart + c.window) {
        closeWindow(windowStart + c.window, true);
      }
      while (t >= availStart + c.availWindow) {
        closeAvailability(availStart + c.availWindow);
      }
    }

    void closeWindow(long end, boolean full) {
      long start = windowStart;
      double secs = c.window / 1e6;
      double rps = req / secs;
      double expected = expected(start);
      boolean learned = start - firstSeen >= c.learn;
      boolean surge = learned && rps > c.surgeFactor * expected && rps - expected > c.minExtraRps;
      boolean attack = surge && !newsLike() && newReq >= c.newShare * req
          && (newDistinct >= c.minNewSources || flood);
      if (attack) {
        quiet = 0;
        floodLast = end;
        if (!flood) {
          flood = true;
          floodFirst = start;
          floodSources.clear();
          floodAlert = emit("distributed_flood", "Distributed flood: surge of uncached requests from new sources",
              Level.HIGH, List.of("attack.impact", "attack.t1498", "attack.t1499.002"), start, end, lastReq,
              List.of(name), List.of(), newDistinct, ordered("requests_per_second", fmt(rps),
                  "expected_per_second", fmt(expected), "new_source_share", fmt((double) newReq / Math.max(1, req)),
                  "static_share", fmt((double) stat / Math.max(1, req))));
        } else {
          floodAlert = progress(floodAlert, end, floodSources.size());
        }
      } else if (flood && ++quiet >= c.quietWindows) {
        flood = false;
        incidents.add(new Incident(name, "distributed_flood", floodFirst, floodLast, List.copyOf(floodSources)));
      }
      if (!surge && full) {
        learn(start, rps);
      }
      req = newReq = stat = hit = miss = referer = newDistinct = 0;
      windowStart = end;
    }

    private boolean newsLike() {
      int n = Math.max(1, req);
      boolean cacheKnown = hit + miss >= n / 2;
      return stat >= c.newsStatic * n || (cacheKnown && hit >= c.newsCache * (hit + miss))
          || referer >= c.newsReferer * n;
    }

    private double expected(long start) {
      int h = hour(start);
      double prev = prevHour[h];
      return Math.max(baseline < 0 ? 0 : baseline, prev);
    }

    private void learn(long start, double rps) {
      double alpha = 1 - Math.pow(0.5, (c.window / 60e6) / c.halfLifeMinutes);
      baseline = baseline < 0 ? rps : baseline + alpha * (rps - baseline);
      long d = Math.floorDiv(start, 86_400_000_000L);
      if (d != day) {
        if (day != Long.MIN_VALUE) {
          for (int i = 0; i < 24; i++) {
            prevHour[i] = hourN[i] == 0 ? prevHour[i] : hourSum[i] / hourN[i];
          }
        }
        java.util.Arrays.fill(hourSum, 0);
        java.util.Arrays.fill(hourN, 0);
        day = d;
      }
      int h = hour(start);
      hourSum[h] += rps;
      hourN[h]++;
    }

    void closeAvailability(long end) {
      long start = availStart;
      String what = null;
      if (aReq >= c.availMin && a5xx >= c.errorShare * aReq) {
        what = "server errors: " + a5xx + " of " + aReq + " requests answered 5xx";
      } else if (upN >= c.availMin && upSum / upN >= c.upstreamMillis) {
        what = "slow upstream: mean " + upSum / upN + " ms";
      } else if (aReq == 0 && lastRequest > 0 && end - lastRequest >= c.silence && baseline >= c.silenceMinRps
          && start - firstSeen >= c.learn) {
        what = "silent for " + (end - lastRequest) / 1_000_000 + " s (expected " + fmt(baseline) + " requests/s)";
      }
      if (what != null && outage) {
        outageAlert = progress(outageAlert, end, -1);
      } else if (what != null) {
        outage = true;
        outageFirst = start;
        outageAlert = emit("outage", "Site unavailable", Level.HIGH, List.of("attack.impact", "attack.t1499"), start,
            end, lastReq, List.of(name), List.of(), 0, Map.of("reason", what));
      } else if (what == null && aReq > 0) {
        outage = false;
      }
      aReq = a5xx = upN = 0;
      upSum = 0;
      availStart = end;
    }
  }

  private static int hour(long micros) {
    return (int) Math.floorMod(micros / 3_600_000_000L, 24);
  }

  private static String fmt(double d) {
    return String.format(java.util.Locale.ROOT, "%.2f", d);
  }

  /*
   * The snapshot format: a version, the configuration's signature, the counters and clocks, the
   * sites' institutions, then every site (in order: windows close in that order), every network
   * (those a source points to but the map no longer holds too: a sweep removes them
   * independently), every source with the index of its network, the flood incidents and the
   * decisions. Sites, networks and sources carry the alerts of their attacks (version 2), as last
   * reported. Strings are length-prefixed UTF-8 (-1 for null).
   */
  static final class State {
    private static final int VERSION = 2;

    private State() {}

    static void write(WebDetector d, java.io.DataOutput out) throws java.io.IOException {
      out.writeInt(VERSION);
      str(out, d.c.signature);
      for (long v : new long[] {d.watermark, d.nextTick, d.nextSweep, d.requests, d.announcedLast, d.late}) {
        out.writeLong(v);
      }
      out.writeInt(d.siteInstitutions.size());
      for (Map.Entry<String, String> e : d.siteInstitutions.entrySet()) {
        str(out, e.getKey());
        str(out, e.getValue());
      }
      out.writeInt(d.sites.size());
      for (SiteState s : d.sites.values()) {
        site(out, s);
      }
      java.util.IdentityHashMap<NetState, Integer> index = new java.util.IdentityHashMap<>();
      List<NetState> all = new ArrayList<>(d.nets.values());
      all.forEach(n -> index.put(n, index.size()));
      for (SourceState s : d.sources.values()) {
        if (s.net != null && !index.containsKey(s.net)) {
          index.put(s.net, index.size());
          all.add(s.net);
        }
      }
      out.writeInt(all.size());
      for (NetState n : all) {
        out.writeBoolean(d.nets.get(n.cidr) == n);
        str(out, n.cidr);
        out.writeDouble(n.level);
        out.writeLong(n.t);
        out.writeLong(n.last);
        out.writeBoolean(n.alerted);
        out.writeInt(n.floodSources);
        alert(out, n.alert);
      }
      out.writeInt(d.sources.size());
      for (SourceState s : d.sources.values()) {
        source(out, s, s.net == null ? -1 : index.get(s.net));
      }
      out.writeInt(d.incidents.size());
      for (Incident i : d.incidents) {
        str(out, i.site());
        str(out, i.detector());
        out.writeLong(i.first());
        out.writeLong(i.last());
        strs(out, i.sources());
      }
      d.book.write(out);
    }

    static boolean read(WebDetector d, java.io.DataInput in) throws java.io.IOException {
      d.reset();
      if (in.readInt() != VERSION) {
        throw new java.io.IOException("unknown web detector snapshot version");
      }
      if (!d.c.signature.equals(str(in))) {
        return false;
      }
      d.watermark = in.readLong();
      d.nextTick = in.readLong();
      d.nextSweep = in.readLong();
      d.requests = in.readLong();
      d.announcedLast = in.readLong();
      d.late = in.readLong();
      for (int n = in.readInt(); n > 0; n--) {
        d.siteInstitutions.put(str(in), str(in));
      }
      for (int n = in.readInt(); n > 0; n--) {
        SiteState s = site(d, in);
        d.sites.put(s.name, s);
      }
      NetState[] nets = new NetState[in.readInt()];
      for (int i = 0; i < nets.length; i++) {
        boolean mapped = in.readBoolean();
        NetState n = new NetState(str(in));
        n.level = in.readDouble();
        n.t = in.readLong();
        n.last = in.readLong();
        n.alerted = in.readBoolean();
        n.floodSources = in.readInt();
        n.alert = alert(in);
        nets[i] = n;
        if (mapped) {
          d.nets.put(n.cidr, n);
        }
      }
      for (int n = in.readInt(); n > 0; n--) {
        SourceState s = source(d, in, nets);
        d.sources.put(s.ip, s);
      }
      for (int n = in.readInt(); n > 0; n--) {
        d.incidents.add(new Incident(str(in), str(in), in.readLong(), in.readLong(), strs(in)));
      }
      d.book.read(in);
      return true;
    }

    private static void site(java.io.DataOutput out, SiteState s) throws java.io.IOException {
      str(out, s.name);
      for (long v : new long[] {s.firstSeen, s.windowStart, s.availStart, s.upSum, s.lastRequest, s.day, s.floodFirst,
          s.floodLast, s.outageFirst}) {
        out.writeLong(v);
      }
      for (int v : new int[] {s.req, s.newReq, s.stat, s.hit, s.miss, s.referer, s.newDistinct, s.aReq, s.a5xx, s.upN,
          s.quiet}) {
        out.writeInt(v);
      }
      out.writeDouble(s.baseline);
      for (int h = 0; h < 24; h++) {
        out.writeDouble(s.hourSum[h]);
        out.writeInt(s.hourN[h]);
        out.writeDouble(s.prevHour[h]);
      }
      out.writeBoolean(s.flood);
      out.writeBoolean(s.outage);
      strs(out, s.floodSources);
      request(out, s.lastReq);
      alert(out, s.floodAlert);
      alert(out, s.outageAlert);
    }

    private static SiteState site(WebDetector d, java.io.DataInput in) throws java.io.IOException {
      SiteState s = d.new SiteState(str(in));
      s.firstSeen = in.readLong();
      s.windowStart = in.readLong();
      s.availStart = in.readLong();
      s.upSum = in.readLong();
      s.lastRequest = in.readLong();
      s.day = in.readLong();
      s.floodFirst = in.readLong();
      s.floodLast = in.readLong();
      s.outageFirst = in.readLong();
      s.req = in.readInt();
      s.newReq = in.readInt();
      s.stat = in.readInt();
      s.hit = in.readInt();
      s.miss = in.readInt();
      s.referer = in.readInt();
      s.newDistinct = in.readInt();
      s.aReq = in.readInt();
      s.a5xx = in.readInt();
      s.upN = in.readInt();
      s.quiet = in.readInt();
      s.baseline = in.readDouble();
      for (int h = 0; h < 24; h++) {
        s.hourSum[h] = in.readDouble();
        s.hourN[h] = in.readInt();
        s.prevHour[h] = in.readDouble();
      }
      s.flood = in.readBoolean();
      s.outage = in.readBoolean();
      s.floodSources.addAll(strs(in));
      s.lastReq = request(in);
      s.floodAlert = alert(in);
      s.outageAlert = alert(in);
      return s;
    }

    private static void source(java.io.DataOutput out, SourceState s, int net) throws java.io.IOException {
      str(out, s.ip);
      out.writeLong(s.first);
      out.writeLong(s.last);
      out.writeInt(net);
      out.writeDouble(s.flood);
      out.writeLong(s.floodT);
      out.writeDouble(s.scan);
      out.writeLong(s.scanT);
      out.writeDouble(s.crawl);
      out.writeLong(s.crawlT);
      out.writeDouble(s.login);
      out.writeLong(s.loginT);
      out.writeInt(s.alerted);
      out.writeLong(s.extended);
      out.writeInt(s.suspect);
      out.writeBoolean(s.pulledAssets);
      str(out, s.stampSite == null ? null : ((SiteState) s.stampSite).name);
      out.writeLong(s.stampWindow);
      ints(out, s.paths);
      out.writeInt(s.pathCount);
      ints(out, s.agentHashes);
      out.writeBoolean(s.agentTimes != null);
      if (s.agentTimes != null) {
        out.writeInt(s.agentTimes.length);
        for (long t : s.agentTimes) {
          out.writeLong(t);
        }
      }
      strs(out, s.rules);
      for (Alert a : s.ruleAlerts) {
        alert(out, a);
      }
      out.writeBoolean(s.alerts != null);
      if (s.alerts != null) {
        for (Alert a : s.alerts) {
          alert(out, a);
        }
      }
    }

    private static SourceState source(WebDetector d, java.io.DataInput in, NetState[] nets) throws java.io.IOException {
      String ip = str(in);
      SourceState s = new SourceState(ip, in.readLong());
      s.last = in.readLong();
      int net = in.readInt();
      s.net = net < 0 ? null : nets[net];
      s.flood = in.readDouble();
      s.floodT = in.readLong();
      s.scan = in.readDouble();
      s.scanT = in.readLong();
      s.crawl = in.readDouble();
      s.crawlT = in.readLong();
      s.login = in.readDouble();
      s.loginT = in.readLong();
      s.alerted = in.readInt();
      s.extended = in.readLong();
      s.suspect = in.readInt();
      s.pulledAssets = in.readBoolean();
      String stamp = str(in);
      s.stampSite = stamp == null ? null : d.sites.get(stamp);
      s.stampWindow = in.readLong();
      s.paths = ints(in);
      s.pathCount = in.readInt();
      s.agentHashes = ints(in);
      if (in.readBoolean()) {
        s.agentTimes = new long[in.readInt()];
        for (int i = 0; i < s.agentTimes.length; i++) {
          s.agentTimes[i] = in.readLong();
        }
      }
      s.rules.addAll(strs(in));
      for (int i = 0; i < s.rules.size(); i++) {
        s.ruleAlerts.add(alert(in));
      }
      if (in.readBoolean()) {
        s.alerts = new Alert[SLOTS];
        for (int i = 0; i < SLOTS; i++) {
          s.alerts[i] = alert(in);
        }
      }
      return s;
    }

    private static void request(java.io.DataOutput out, Request r) throws java.io.IOException {
      out.writeBoolean(r != null);
      if (r != null) {
        out.writeLong(r.time());
        str(out, r.site());
        str(out, r.ip());
        out.writeInt(r.status());
        out.writeInt(r.pathHash());
        out.writeInt(r.agentHash());
        out.writeInt(r.flags());
        out.writeInt(r.upstreamMillis());
        str(out, r.source());
        out.writeLong(r.line());
      }
    }

    private static Request request(java.io.DataInput in) throws java.io.IOException {
      if (!in.readBoolean()) {
        return null;
      }
      return new Request(in.readLong(), str(in), str(in), in.readInt(), in.readInt(), in.readInt(), in.readInt(),
          in.readInt(), str(in), in.readLong());
    }

    /** An alert held for its attack, or null; web alerts name no events. */
    private static void alert(java.io.DataOutput out, Alert a) throws java.io.IOException {
      out.writeBoolean(a != null);
      if (a == null) {
        return;
      }
      for (String v : new String[] {a.kind(), a.ruleId(), a.ruleTitle(), a.level().name(), a.author(), a.institution(),
          a.host(), a.channel(), a.source()}) {
        str(out, v);
      }
      strs(out, a.tags());
      out.writeLong(a.timestamp());
      out.writeInt(a.eventId());
      out.writeLong(a.record());
      map(out, a.fields());
      map(out, a.group());
      out.writeLong(a.last());
      if (!a.events().isEmpty()) {
        throw new IllegalStateException("a web alert with events: " + a.ruleId());
      }
    }

    private static Alert alert(java.io.DataInput in) throws java.io.IOException {
      if (!in.readBoolean()) {
        return null;
      }
      String kind = str(in);
      String ruleId = str(in);
      String title = str(in);
      Level level = Level.valueOf(str(in));
      String author = str(in);
      String institution = str(in);
      String host = str(in);
      String channel = str(in);
      String source = str(in);
      List<String> tags = List.copyOf(strs(in));
      long first = in.readLong();
      int eventId = in.readInt();
      long record = in.readLong();
      Map<String, String> fields = map(in);
      Map<String, String> group = map(in);
      return new Alert(kind, ruleId, title, level, author, tags, first, institution, host, channel, eventId, source,
          record, fields, group, in.readLong(), List.of());
    }

    /** A map in its order (an alert's fields are in display order). */
    private static void map(java.io.DataOutput out, Map<String, String> m) throws java.io.IOException {
      out.writeInt(m.size());
      for (Map.Entry<String, String> e : m.entrySet()) {
        str(out, e.getKey());
        str(out, e.getValue());
      }
    }

    private static Map<String, String> map(java.io.DataInput in) throws java.io.IOException {
      Map<String, String> m = new LinkedHashMap<>();
      for (int n = in.readInt(); n > 0; n--) {
        m.put(str(in), str(in));
      }
      return m;
    }

    private static void ints(java.io.DataOutput out, int[] v) throws java.io.IOException {
      out.writeInt(v == null ? -1 : v.length);
      if (v != null) {
        for (int x : v) {
          out.writeInt(x);
        }
      }
    }

    private static int[] ints(java.io.DataInput in) throws java.io.IOException {
      int n = in.readInt();
      if (n < 0) {
        return null;
      }
      int[] v = new int[n];
      for (int i = 0; i < n; i++) {
        v[i] = in.readInt();
      }
      return v;
    }

    private static void strs(java.io.DataOutput out, java.util.Collection<String> values) throws java.io.IOException {
      out.writeInt(values.size());
      for (String v : values) {
        str(out, v);
      }
    }

    private static List<String> strs(java.io.DataInput in) throws java.io.IOException {
      int n = in.readInt();
      List<String> v = new ArrayList<>(Math.min(n, 1 << 16));
      for (int i = 0; i < n; i++) {
        v.add(str(in));
      }
      return v;
    }

    static void str(java.io.DataOutput out, String s) throws java.io.IOException {
      if (s == null) {
        out.writeInt(-1);
        return;
      }
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.write(b);
    }

    static String str(java.io.DataInput in) throws java.io.IOException {
      int n = in.readInt();
      if (n < 0) {
        return null;
      }
      if (n > 1 << 26) {
        throw new java.io.IOException("string of " + n + " bytes");
      }
      byte[] b = new byte[n];
      in.readFully(b);
      return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
