package org.lovcen.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/*
 * How and why: every parameter has one default in DEFAULTS, keyed by its dotted YAML path; a
 * configuration file overrides any subset (nested or dotted keys), unknown keys and wrong types
 * are all reported at once, and the result is read into final fields so that the detectors never
 * look anything up per line. docs/WEB.md documents each key.
 */
/** The website detectors' parameters. Immutable and thread-safe. */
public final class WebConfig {
  private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

  static {
    d("source.flood.capacity", 400.0);
    d("source.flood.leak_per_second", 5.0);
    d("source.network_flood.capacity", 3000.0);
    d("source.network_flood.leak_per_second", 40.0);
    d("source.scan.capacity", 25.0);
    d("source.scan.leak_per_second", 0.1);
    d("source.crawl.capacity", 600.0);
    d("source.crawl.leak_per_second", 1.0);
    d("source.brute_force.capacity", 12.0);
    d("source.brute_force.leak_per_second", 0.05);
    d("source.brute_force.login_paths", List.of("/login", "/wp-login.php", "/xmlrpc.php", "/user/login",
        "/admin/login", "/administrator/index.php", "/prijava", "/auth"));
    d("source.ua_rotation.distinct_agents", 6L);
    d("source.ua_rotation.window_seconds", 300L);
    d("source.new_after_minutes", 60L);
    d("source.max_tracked", 2_000_000L);
    d("source.idle_expiry_minutes", 120L);
    d("site.window_seconds", 10L);
    d("site.learn_minutes", 30L);
    d("site.baseline_half_life_minutes", 20.0);
    d("site.surge_factor", 3.0);
    d("site.min_extra_rps", 15.0);
    d("site.new_source_share", 0.5);
    d("site.min_new_sources", 50L);
    d("site.news.static_share", 0.25);
    d("site.news.cache_hit_share", 0.5);
    d("site.news.referer_share", 0.3);
    d("site.flood_min_requests", 3L);
    d("site.quiet_windows_to_end", 6L);
    d("availability.window_seconds", 60L);
    d("availability.min_requests", 30L);
    d("availability.error_share", 0.5);
    d("availability.upstream_millis", 5000L);
    d("availability.silence_seconds", 180L);
    d("availability.silence_min_rps", 0.5);
    d("campaign.window_minutes", 10L);
    d("campaign.min_sites", 2L);
    d("decisions.duration_minutes", 240L);
    d("decisions.range_min_sources", 12L);
    d("decisions.actions.source_flood", "ban");
    d("decisions.actions.distributed_flood", "ban");
    d("decisions.actions.scan", "ban");
    d("decisions.actions.brute_force", "ban");
    d("decisions.actions.exploit", "ban");
    d("decisions.actions.crawl", "captcha");
    d("decisions.actions.ua_rotation", "captcha");
    d("decisions.allowlist", List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
        "66.249.64.0/19", "157.55.39.0/24", "207.46.13.0/24", "40.77.167.0/24"));
    d("lateness_seconds", 30L);
    d("institutions", Map.of());
  }

  private static void d(String k, Object v) {
    DEFAULTS.put(k, v);
  }

  /** The defaults. */
  public static final WebConfig DEFAULT = new WebConfig(DEFAULTS);

  final double floodCapacity;
  final double floodLeak;
  final double netCapacity;
  final double netLeak;
  final double scanCapacity;
  final double scanLeak;
  final double crawlCapacity;
  final double crawlLeak;
  final double loginCapacity;
  final double loginLeak;
  final String[] loginPaths;
  final int uaDistinct;
  final long uaWindow;
  final long newAfter;
  final int maxSources;
  final long idleExpiry;
  final long window;
  final long learn;
  final double halfLifeMinutes;
  final double surgeFactor;
  final double minExtraRps;
  final double newShare;
  final int minNewSources;
  final double newsStatic;
  final double newsCache;
  final double newsReferer;
  final int floodMinRequests;
  final int quietWindows;
  final long availWindow;
  final int availMin;
  final double errorShare;
  final int upstreamMillis;
  final long silence;
  final double silenceMinRps;
  final long campaignWindow;
  final int campaignSites;
  final long banDuration;
  final int rangeMin;
  final Map<String, String> actions;
  final List<Cidr> allowlist;
  final long lateness;
  final Map<String, String> institutions;
  /** Every parameter, for telling whether a detector's saved state was taken under this configuration. */
  final String signature;

  private WebConfig(Map<String, Object> v) {
    signature = new java.util.TreeMap<>(v).toString();
    floodCapacity = dbl(v, "source.flood.capacity");
    floodLeak = dbl(v, "source.flood.leak_per_second");
    netCapacity = dbl(v, "source.network_flood.capacity");
    netLeak = dbl(v, "source.network_flood.leak_per_second");
    scanCapacity = dbl(v, "source.scan.capacity");
    scanLeak = dbl(v, "source.scan.leak_per_second");
    crawlCapacity = dbl(v, "source.crawl.capacity");
    crawlLeak = dbl(v, "source.crawl.leak_per_second");
    loginCapacity = dbl(v, "source.brute_force.capacity");
    loginLeak = dbl(v, "source.brute_force.leak_per_second");
    loginPaths = strings(v, "source.brute_force.login_paths").toArray(new String[0]);
    uaDistinct = (int) lng(v, "source.ua_rotation.distinct_agents");
    uaWindow = lng(v, "source.ua_rotation.window_seconds") * 1_000_000L;
    newAfter = lng(v, "source.new_after_minutes") * 60_000_000L;
    maxSources = (int) lng(v, "source.max_tracked");
    idleExpiry = lng(v, "source.idle_expiry_minutes") * 60_000_000L;
    window = lng(v, "site.window_seconds") * 1_000_000L;
    learn = lng(v, "site.learn_minutes") * 60_000_000L;
    halfLifeMinutes = dbl(v, "site.baseline_half_life_minutes");
    surgeFactor = dbl(v, "site.surge_factor");
    minExtraRps = dbl(v, "site.min_extra_rps");
    newShare = dbl(v, "site.new_source_share");
    minNewSources = (int) lng(v, "site.min_new_sources");
    newsStatic = dbl(v, "site.news.static_share");
    newsCache = dbl(v, "site.news.cache_hit_share");
    newsReferer = dbl(v, "site.news.referer_share");
    floodMinRequests = (int) lng(v, "site.flood_min_requests");
    quietWindows = (int) lng(v, "site.quiet_windows_to_end");
    availWindow = lng(v, "availability.window_seconds") * 1_000_000L;
    availMin = (int) lng(v, "availability.min_requests");
    errorShare = dbl(v, "availability.error_share");
    upstreamMillis = (int) lng(v, "availability.upstream_millis");
    silence = lng(v, "availability.silence_seconds") * 1_000_000L;
    silenceMinRps = dbl(v, "availability.silence_min_rps");
    campaignWindow = lng(v, "campaign.window_minutes") * 60_000_000L;
    campaignSites = (int) lng(v, "campaign.min_sites");
    banDuration = lng(v, "decisions.duration_minutes") * 60_000_000L;
    rangeMin = (int) lng(v, "decisions.range_min_sources");
    Map<String, String> acts = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : v.entrySet()) {
      if (e.getKey().startsWith("decisions.actions.")) {
        acts.put(e.getKey().substring("decisions.actions.".length()), String.valueOf(e.getValue()));
      }
    }
    actions = Map.copyOf(acts);
    allowlist = strings(v, "decisions.allowlist").stream().map(Cidr::parse).toList();
    lateness = lng(v, "lateness_seconds") * 1_000_000L;
    Map<String, String> inst = new LinkedHashMap<>();
    ((Map<?, ?>) v.get("institutions")).forEach((k, x) -> inst.put(String.valueOf(k), String.valueOf(x)));
    institutions = Map.copyOf(inst);
  }

  /**
   * Reads a YAML file over the defaults. Every unknown key and wrong type is reported together.
   *
   * @throws AccessLogException naming the file and the keys at fault
   */
  public static WebConfig load(Path file) {
    Object doc;
    try {
      doc = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      throw new AccessLogException(file.toString(), "", "cannot read the web configuration: " + e.getMessage());
    }
    return of(doc instanceof Map<?, ?> m ? m : Map.of(), file.toString());
  }

  /** The defaults overridden by a (nested or dotted) map. */
  public static WebConfig of(Map<?, ?> overrides, String origin) {
    Map<String, Object> v = new LinkedHashMap<>(DEFAULTS);
    List<String> problems = new ArrayList<>();
    flatten("", overrides, v, problems);
    if (!problems.isEmpty()) {
      throw new AccessLogException(origin, "", String.join("; ", problems));
    }
    try {
      return new WebConfig(v);
    } catch (AccessLogException e) {
      throw new AccessLogException(origin, e.position(), e.getMessage());
    }
  }

  private static void flatten(String prefix, Map<?, ?> m, Map<String, Object> out, List<String> problems) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String k = prefix + e.getKey();
      Object x = e.getValue();
      if (k.equals("institutions")) {
        out.put(k, x instanceof Map<?, ?> ? x : Map.of());
      } else if (x instanceof Map<?, ?> sub && !DEFAULTS.containsKey(k)) {
        flatten(k + ".", sub, out, problems);
      } else if (!DEFAULTS.containsKey(k)) {
        problems.add("unknown key '" + k + "'");
      } else if (!sameType(DEFAULTS.get(k), x)) {
        problems.add("'" + k + "' must be " + typeName(DEFAULTS.get(k)) + ", not '" + x + "'");
      } else {
        out.put(k, x);
      }
    }
  }

  private static boolean sameType(Object def, Object x) {
    if (def instanceof Number) {
      return x instanceof Number;
    }
    if (def instanceof List) {
      return x instanceof List;
    }
    return x instanceof String s && (s.equals("ban") || s.equals("captcha") || s.equals("none"));
  }

  private static String typeName(Object def) {
    return def instanceof Number ? "a number" : def instanceof List ? "a list" : "ban, captcha or none";
  }

  private static double dbl(Map<String, Object> v, String k) {
    return ((Number) v.get(k)).doubleValue();
  }

  private static long lng(Map<String, Object> v, String k) {
    return ((Number) v.get(k)).longValue();
  }

  private static List<String> strings(Map<String, Object> v, String k) {
    return ((List<?>) v.get(k)).stream().map(String::valueOf).toList();
  }

  /** Every key with its default, in documentation order. */
  public static Map<String, Object> defaults() {
    return java.util.Collections.unmodifiableMap(DEFAULTS);
  }

  /** True for a path brute force is counted on (exact, or followed by {@code /} or {@code ?}). */
  public boolean isLoginPath(String path) {
    if (path == null) {
      return false;
    }
    for (String p : loginPaths) {
      if (path.regionMatches(true, 0, p, 0, p.length())
          && (path.length() == p.length() || path.charAt(p.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  /** The action for a detector ({@code ban}, {@code captcha} or {@code none}). */
  public String action(String detector) {
    return actions.getOrDefault(detector.startsWith("sigma:") ? "exploit" : detector, "ban");
  }

  /** True when the address or network overlaps an allowlisted network. */
  public boolean allowlisted(Cidr c) {
    for (Cidr a : allowlist) {
      if (a.overlaps(c)) {
        return true;
      }
    }
    return false;
  }

  /** The institution of a site: from {@code institutions}, else {@code fallback}, else the site. */
  public String institution(String site, String fallback) {
    String i = institutions.get(site);
    return i != null ? i : fallback != null ? fallback : site;
  }

  /** How long a proposed decision lasts ({@code decisions.duration_minutes}), in micros. */
  public long decisionMicros() {
    return banDuration;
  }

  /** The configured allowlist. */
  public List<Cidr> allowlist() {
    return allowlist;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "WebConfig[window=%ds, surge=%.1fx]", window / 1_000_000, surgeFactor);
  }
}
