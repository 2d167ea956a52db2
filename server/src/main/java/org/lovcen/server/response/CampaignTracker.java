package org.lovcen.server.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.lovcen.analysis.CampaignLinker;
import org.lovcen.analysis.Evidence;
import org.lovcen.analysis.EvidenceExtractor;
import org.lovcen.analysis.LinkRules;
import org.lovcen.analysis.Sighting;
import org.lovcen.core.Level;
import org.lovcen.server.ServeConfig;
import org.lovcen.store.AlertRow;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.Database;

/*
 * How and why: campaigns grow as alerts arrive, so the linker runs periodically (and on demand)
 * over the alerts of the window before the newest alert (event time, so a replay of old logs
 * links like live ones) and reconciles what it finds with the stored campaigns: a group of linked
 * hosts that holds a host of a stored campaign is that campaign (grown); one that holds hosts of
 * several stored campaigns merges them into the oldest; otherwise it is a new campaign. Hosts are
 * only ever added (a host stays in its campaign after its alerts leave the window), links are
 * replaced by the current ones. Writes happen in one transaction per run.
 *
 * The window can hold hundreds of thousands of alerts, and re-reading them with their events every
 * run would cost more than the ingest it watches (and, in garbage, the latency of every alert). So
 * the tracker keeps what it made of each alert (the sighting: a few interned values) and per run
 * reads only the window's ids and revisions, then the contents of the alerts that are new or were
 * completed since (a revision counted up by AlertStore.complete). The population of hosts is a
 * loose index scan. The periodic run stops there when nothing changed; the linker itself works on
 * hosts, not alerts, and is cheap. A fresh tracker (after a restart) reads the window once.
 */
/** Links alerts of different institutions into campaigns and stores them. Thread-safe (runs serialised). */
public final class CampaignTracker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TECHNIQUE = Pattern.compile("attack\\.t\\d{4}(\\.\\d{3})?");

  private final Database db;
  private final CampaignStore store;
  private final ServeConfig.Campaigns config;
  private final LinkRules rules;
  /** The window's alerts as last read, by id. */
  private volatile Map<Long, Held> held = new HashMap<>();
  private volatile double lastRunSeconds;
  /** One instance of each equal value the held sightings carry (many alerts say the same). */
  private final Pool pool = new Pool();
  private long population = -1;
  /** Whether the window changed since the last run that stored campaigns ({@link #link()} stores none). */
  private boolean unstored;

  public CampaignTracker(Database db, ServeConfig.Campaigns config) {
    this.db = db;
    this.store = new CampaignStore(db);
    this.config = config;
    this.rules = rules(config);
  }

  /** The link rules of the configuration: points become weights (100 points = 1.0). */
  public static LinkRules rules(ServeConfig.Campaigns c) {
    if (c.threshold() <= 0) {
      throw new org.lovcen.core.LovcenException("campaigns.threshold must be positive, got " + c.threshold());
    }
    if (c.minInstitutions() < 2) {
      throw new org.lovcen.core.LovcenException("campaigns.min_institutions: a campaign spans at least 2 "
          + "institutions, got " + c.minInstitutions());
    }
    ServeConfig.Weights w = c.weights();
    Map<String, Double> weights = new LinkedHashMap<>();
    weights.put("hash", w.hash() / 100.0);
    weights.put("indicator", w.indicator() / 100.0);
    weights.put("domain", w.domain() / 100.0);
    weights.put("address", w.address() / 100.0);
    weights.put("command", w.command() / 100.0);
    weights.put("file", w.file() / 100.0);
    weights.put("techniques", w.techniques() / 100.0);
    weights.put("rule", w.rule() / 100.0);
    weights.put("system-hash", w.systemHash() / 100.0);
    return new LinkRules(c.threshold() / 100.0, c.minInstitutions(), weights, c.maxHosts());
  }

  /** Links the alerts of the window and stores the campaigns; returns the ids of campaigns new in this run. */
  public synchronized List<Long> run() {
    return run(true);
  }

  /**
   * The periodic run: as {@link #run()}, but links and stores only when an alert of the window is
   * new, changed or gone, or the window's population of hosts changed, since the last run.
   */
  public synchronized List<Long> runIfChanged() {
    return run(false);
  }

  /** The campaigns in the window as the linker sees them now, without storing them. */
  public synchronized List<CampaignLinker.Campaign> link() {
    Window w = window();
    return w == null ? List.of() : CampaignLinker.link(w.sightings(), rules, w.population());
  }

  /** How many alerts the tracker holds (what it read of the window), for the metrics. */
  public int held() {
    return held.size();
  }

  /** How long the last run took (reading, linking, storing), for the metrics. */
  public double lastRunSeconds() {
    return lastRunSeconds;
  }

  /**
   * The sightings of the window, in the order the store reads them, its population of hosts, and
   * whether any of that changed since the last run that stored campaigns.
   */
  private record Window(List<Sighting> sightings, long population, boolean changed) {}

  /** What the tracker read of an alert: its revision and the sighting made of it. */
  private record Held(long revision, Sighting sighting) {}

  /**
   * Brings the held sightings up to the window: reads the ids and revisions of the window's
   * alerts, then the contents of only those that are new or of a new revision; drops the alerts
   * that left the window. Null when there is no alert at all.
   */
  private Window window() {
    Long newest = store.newestAlertTs();
    if (newest == null) {
      boolean changed = !held.isEmpty();
      held = new HashMap<>();
      return changed ? new Window(List.of(), 0, true) : null;
    }
    long from = newest - TimeUnit.HOURS.toMicros(config.windowHours());
    long[][] keys = {new long[1024], new long[1024]};
    int[] n = {0};
    store.sightingKeys(from, Level.parse(config.minLevel()).ordinal(), config.maxAlerts(), (id, revision) -> {
      if (n[0] == keys[0].length) {
        keys[0] = Arrays.copyOf(keys[0], n[0] * 2);
        keys[1] = Arrays.copyOf(keys[1], n[0] * 2);
      }
      keys[0][n[0]] = id;
      keys[1][n[0]++] = revision;
    });
    Map<Long, Held> next = new HashMap<>(n[0] * 4 / 3 + 16);
    List<Long> read = new ArrayList<>();
    for (int i = 0; i < n[0]; i++) {
      Held h = held.get(keys[0][i]);
      if (h != null && h.revision() == keys[1][i]) {
        next.put(keys[0][i], h);
      } else {
        read.add(keys[0][i]);
      }
    }
    boolean changed = !read.isEmpty() || next.size() != held.size();
    store.sightingsById(read, s -> next.put(s.alert().id(), new Held(s.revision(), pool.of(sighting(s)))));
    held = next;
    pool.trim(held.values().stream().map(Held::sighting));
    List<Sighting> sightings = new ArrayList<>(n[0]);
    for (int i = 0; i < n[0]; i++) {
      Held h = held.get(keys[0][i]);
      if (h != null) { // null: deleted (retention) between the two reads
        sightings.add(h.sighting());
      }
    }
    long population = store.activeHosts(from);
    changed |= population != this.population;
    this.population = population;
    unstored |= changed;
    return new Window(sightings, population, unstored);
  }

  private List<Long> run(boolean always) {
    long t0 = System.nanoTime();
    try {
      return reconcile(always);
    } finally {
      lastRunSeconds = (System.nanoTime() - t0) / 1e9;
    }
  }

  private List<Long> reconcile(boolean always) {
    Window w = window();
    if (w == null || !always && !w.changed()) {
      return List.of();
    }
    List<CampaignLinker.Campaign> found = CampaignLinker.link(w.sightings(), rules, w.population());
    if (found.isEmpty()) {
      unstored = false;
      return List.of();
    }
    long now = System.currentTimeMillis() * 1000;
    List<Long> created = store(found, now);
    unstored = false; // after the commit: a failed run is tried again by the next periodic one
    return created;
  }

  private List<Long> store(List<CampaignLinker.Campaign> found, long now) {
    return db.jdbi().inTransaction(h -> {
      List<Long> created = new ArrayList<>();
      for (CampaignLinker.Campaign c : found) {
        Map<String, List<String>> byInstitution = new TreeMap<>();
        for (CampaignLinker.Host x : c.hosts()) {
          byInstitution.computeIfAbsent(x.institution(), k -> new ArrayList<>()).add(x.host());
        }
        List<Long> holding = store.holding(h, byInstitution);
        long id;
        if (holding.isEmpty()) {
          id = store.create(h, campaign(0, c, List.of(), now));
          created.add(id);
        } else {
          id = holding.get(0);
          for (long other : holding.subList(1, holding.size())) {
            store.absorb(h, id, other, now);
          }
        }
        for (CampaignLinker.Host x : c.hosts()) {
          store.upsertHost(h, id, new CampaignStore.Host(x.institution(), x.host(), x.first(), x.last(), x.alerts(),
              x.techniques(), x.rules()));
        }
        store.replaceLinks(h, id, links(c));
        store.update(h, campaign(id, c, store.hosts(h, id), now));
      }
      return created;
    });
  }

  /** The campaign row from the linker's campaign and the stored hosts (which may hold more). */
  private static CampaignStore.Campaign campaign(long id, CampaignLinker.Campaign c, List<CampaignStore.Host> stored,
      long now) {
    long first = c.first();
    long last = c.last();
    String zi = c.patientZero().institution();
    String zh = c.patientZero().host();
    long zt = c.patientZero().first();
    TreeSet<String> institutions = new TreeSet<>(c.institutions());
    TreeSet<String> hosts = new TreeSet<>();
    TreeSet<String> techniques = new TreeSet<>();
    for (CampaignLinker.Host x : c.hosts()) {
      hosts.add(x.institution() + '\0' + x.host());
      techniques.addAll(x.techniques());
    }
    for (CampaignStore.Host x : stored) {
      institutions.add(x.institution());
      hosts.add(x.institution() + '\0' + x.host());
      techniques.addAll(x.techniques());
      last = Math.max(last, x.lastTs());
      if (x.firstTs() < zt) {
        zt = x.firstTs();
        zi = x.institution();
        zh = x.host();
      }
      first = Math.min(first, x.firstTs());
    }
    int level = c.hosts().stream().mapToInt(CampaignLinker.Host::levelRank).max().orElse(0);
    Level l = Level.values()[Math.min(level, Level.values().length - 1)];
    List<String> tech = new ArrayList<>(techniques);
    String title = "Campaign across " + institutions.size() + " institutions"
        + (tech.isEmpty() ? "" : " (" + String.join(", ", tech.subList(0, Math.min(4, tech.size())))
            + (tech.size() > 4 ? ", …" : "") + ")");
    return new CampaignStore.Campaign(id, title, "active", l.label(), l.ordinal(), first, last, zi, zh, zt,
        institutions.size(), hosts.size(), c.score(), tech.subList(0, Math.min(200, tech.size())), now, now);
  }

  private static List<CampaignStore.Link> links(CampaignLinker.Campaign c) {
    List<CampaignStore.Link> out = new ArrayList<>();
    for (CampaignLinker.Link l : c.links()) {
      List<Map<String, Object>> ev = new ArrayList<>();
      for (CampaignLinker.Weighted w : l.evidence()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", w.kind());
        m.put("value", w.value());
        m.put("weight", Math.round(w.weight() * 1000) / 1000.0);
        m.put("hosts", w.hosts());
        m.put("institutions", w.institutions());
        ev.add(m);
      }
      out.add(new CampaignStore.Link(0, l.a().institution(), l.a().host(), l.b().institution(), l.b().host(),
          Math.round(l.score() * 1000) / 1000.0, ev));
    }
    return out;
  }

  /** An alert as the linker sees it: its fields, group values and its event's fields. */
  public static Sighting sighting(CampaignStore.Sighting s) {
    AlertRow a = s.alert();
    Map<String, String> fields = new LinkedHashMap<>();
    if (s.eventFields() != null) {
      try {
        JsonNode n = JSON.readTree(s.eventFields());
        n.properties().forEach(e -> {
          JsonNode v = e.getValue().isArray() && !e.getValue().isEmpty() ? e.getValue().get(0) : e.getValue();
          if (v.isValueNode() && !v.isNull()) {
            fields.put(e.getKey(), v.asText());
          }
        });
      } catch (IOException e) {
        // a damaged event: the alert's own fields still count
      }
    }
    fields.putAll(a.group());
    fields.putAll(a.fields());
    return new Sighting(a.id(), a.institution(), a.host(), a.ts(), a.levelRank(), a.ruleId(), techniques(a.tags()),
        EvidenceExtractor.of(a.kind(), a.ruleId(), fields));
  }

  /** ATT&CK technique ids ({@code T1003.001}) of a rule's tags. */
  public static List<String> techniques(List<String> tags) {
    List<String> out = new ArrayList<>();
    for (String t : tags) {
      String l = t.toLowerCase(Locale.ROOT);
      if (TECHNIQUE.matcher(l).matches()) {
        out.add(l.substring(7).toUpperCase(Locale.ROOT));
      }
    }
    return out;
  }

  /**
   * Canonical instances of the values sightings carry (institutions, hosts, rules, technique lists,
   * evidence), so that a window of many alerts that say the same thing holds each value once.
   * Rebuilt from the held sightings when it has grown to twice what they use.
   */
  private static final class Pool {
    private Map<Object, Object> values = new HashMap<>();
    private int base;

    @SuppressWarnings("unchecked")
    private <T> T one(T v) {
      if (v == null) {
        return null;
      }
      Object had = values.putIfAbsent(v, v);
      return had == null ? v : (T) had;
    }

    Sighting of(Sighting s) {
      List<Evidence> evidence = new ArrayList<>(s.evidence().size());
      for (Evidence e : s.evidence()) {
        evidence.add(one(new Evidence(one(e.kind()), one(e.value()))));
      }
      return new Sighting(s.alert(), one(s.institution()), one(s.host()), s.ts(), s.levelRank(), one(s.rule()),
          one(List.copyOf(s.techniques())), one(List.copyOf(evidence)));
    }

    void trim(java.util.stream.Stream<Sighting> used) {
      if (values.size() <= 2 * base + 10_000) {
        return;
      }
      values = new HashMap<>();
      used.forEach(s -> {
        one(s.institution());
        one(s.host());
        one(s.rule());
        one(s.techniques());
        one(s.evidence());
        s.evidence().forEach(e -> {
          one(e);
          one(e.kind());
          one(e.value());
        });
      });
      base = values.size();
    }
  }
}
