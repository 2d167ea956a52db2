package org.lovcen.analysis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/*
 * How and why: a host (institution + host name) is the unit; its evidence is the union of its
 * alerts' evidence, plus its technique set when it has three techniques or more (the "chain").
 * A value's weight is its kind's base weight times its rarity over the hosts of the window,
 * ln((H + 1) / h) / ln(H + 1) for a value on h of H hosts (H: the hosts that sent events in the
 * window, or at least those with alerts): 1 for a value on one host, falling to
 * 0 for a value on every host. So a benign tool or a rule that fires everywhere links nothing,
 * while the hash of a tool found on six hosts of three institutions out of hundreds weighs
 * nearly its base weight. Two hosts are linked when the weights of the values they share reach
 * the threshold; linked hosts form groups (union-find), and a group spanning enough institutions
 * is a campaign. Patient zero is the campaign's host with the earliest alert.
 *
 * Work is bounded by values, not by pairs of hosts: a value on more than maxHosts hosts is
 * skipped (its weight would be near zero anyway), so each value adds at most maxHosts^2 / 2 pairs.
 */
/** Links hosts of different institutions into campaigns. Stateless and thread-safe. */
public final class CampaignLinker {
  private CampaignLinker() {}

  /** A host with what its alerts say. */
  public record Host(String institution, String host, long first, long last, long firstAlert, int alerts,
      int levelRank, List<String> techniques, List<String> rules) {
    String key() {
      return institution + '\0' + host;
    }
  }

  /** A shared value with its weight and how many hosts and institutions carry it. */
  public record Weighted(String kind, String value, double weight, int hosts, int institutions) {}

  /** Two hosts linked by the values they share. */
  public record Link(Host a, Host b, double score, List<Weighted> evidence) {}

  /** A campaign: its hosts (earliest first; the first is patient zero) and the links between them. */
  public record Campaign(List<Host> hosts, List<Link> links) {
    public Host patientZero() {
      return hosts.get(0);
    }

    public long first() {
      return hosts.stream().mapToLong(Host::first).min().orElse(0);
    }

    public long last() {
      return hosts.stream().mapToLong(Host::last).max().orElse(0);
    }

    public List<String> institutions() {
      return new ArrayList<>(new TreeSet<>(hosts.stream().map(Host::institution).toList()));
    }

    public double score() {
      return links.stream().mapToDouble(Link::score).sum();
    }
  }

  /** The campaigns among {@code sightings}, largest first; rarity over the hosts that have alerts. */
  public static List<Campaign> link(List<Sighting> sightings, LinkRules rules) {
    return link(sightings, rules, 0);
  }

  /**
   * The campaigns among {@code sightings}, largest first. {@code population} is the number of
   * hosts that sent events in the window (with or without alerts): rarity is measured against it
   * (at least the hosts with alerts), so that a value on every attacked host still counts as rare
   * when the attacked hosts are few among those watched.
   */
  public static List<Campaign> link(List<Sighting> sightings, LinkRules rules, long population) {
    Map<String, Integer> index = new LinkedHashMap<>();
    List<Acc> hosts = new ArrayList<>();
    for (Sighting s : sightings) {
      Integer i = index.get(s.institution() + '\0' + s.host());
      if (i == null) {
        i = hosts.size();
        index.put(s.institution() + '\0' + s.host(), i);
        hosts.add(new Acc(s.institution(), s.host()));
      }
      hosts.get(i).add(s);
    }
    Map<Evidence, List<Integer>> postings = new HashMap<>();
    for (int i = 0; i < hosts.size(); i++) {
      for (Evidence e : hosts.get(i).evidence()) {
        if (rules.weight(e.kind()) > 0) {
          postings.computeIfAbsent(e, k -> new ArrayList<>()).add(i);
        }
      }
    }
    int n = hosts.size();
    double total = Math.max(n, population);
    double norm = Math.log(total + 1.0);
    Map<Long, List<Weighted>> shared = new HashMap<>();
    for (Map.Entry<Evidence, List<Integer>> p : postings.entrySet()) {
      List<Integer> on = p.getValue();
      if (on.size() < 2 || on.size() > rules.maxHosts()) {
        continue;
      }
      double rarity = Math.log((total + 1.0) / on.size()) / norm;
      double w = rules.weight(p.getKey().kind()) * rarity;
      if (w <= 0) {
        continue;
      }
      Weighted ww = new Weighted(p.getKey().kind(), p.getKey().value(), w, on.size(),
          (int) on.stream().map(i -> hosts.get(i).institution).distinct().count());
      for (int x = 0; x < on.size(); x++) {
        for (int y = x + 1; y < on.size(); y++) {
          long key = (long) Math.min(on.get(x), on.get(y)) << 32 | Math.max(on.get(x), on.get(y));
          shared.computeIfAbsent(key, k -> new ArrayList<>()).add(ww);
        }
      }
    }
    int[] parent = new int[n];
    for (int i = 0; i < n; i++) {
      parent[i] = i;
    }
    List<long[]> edges = new ArrayList<>();
    Map<Long, Double> scores = new HashMap<>();
    shared.forEach((key, ws) -> {
      double score = ws.stream().mapToDouble(Weighted::weight).sum();
      if (score >= rules.threshold()) {
        int a = (int) (key >>> 32);
        int b = (int) (key & 0xffffffffL);
        union(parent, a, b);
        edges.add(new long[] {a, b});
        scores.put(key, score);
      }
    });
    Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(i);
    }
    Map<Integer, List<Link>> linksOf = new HashMap<>();
    for (long[] e : edges) {
      int a = (int) e[0];
      int b = (int) e[1];
      long key = e[0] << 32 | e[1];
      List<Weighted> ev = new ArrayList<>(shared.get(key));
      ev.sort(Comparator.comparingDouble(Weighted::weight).reversed().thenComparing(Weighted::kind)
          .thenComparing(Weighted::value));
      linksOf.computeIfAbsent(find(parent, a), k -> new ArrayList<>())
          .add(new Link(hosts.get(a).host(), hosts.get(b).host(), scores.get(key), ev));
    }
    List<Campaign> out = new ArrayList<>();
    groups.forEach((root, members) -> {
      long institutions = members.stream().map(i -> hosts.get(i).institution).distinct().count();
      if (members.size() < 2 || institutions < rules.minInstitutions()) {
        return;
      }
      List<Host> hs = new ArrayList<>(members.stream().map(i -> hosts.get(i).host()).toList());
      hs.sort(Comparator.comparingLong(Host::first).thenComparing(Host::institution).thenComparing(Host::host));
      List<Link> ls = new ArrayList<>(linksOf.getOrDefault(root, List.of()));
      ls.sort(Comparator.comparingDouble(Link::score).reversed().thenComparing(l -> l.a().key())
          .thenComparing(l -> l.b().key()));
      out.add(new Campaign(hs, ls));
    });
    out.sort(Comparator.comparingInt((Campaign c) -> c.hosts().size()).reversed()
        .thenComparingLong(Campaign::first));
    return out;
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  private static void union(int[] parent, int a, int b) {
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }

  /** A host's alerts gathered. */
  private static final class Acc {
    final String institution;
    final String name;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long firstAlert;
    int alerts;
    int level;
    final TreeSet<String> techniques = new TreeSet<>();
    final TreeSet<String> rules = new TreeSet<>();
    final java.util.LinkedHashSet<Evidence> evidence = new java.util.LinkedHashSet<>();

    Acc(String institution, String name) {
      this.institution = institution;
      this.name = name;
    }

    void add(Sighting s) {
      if (s.ts() < first) {
        first = s.ts();
        firstAlert = s.alert();
      }
      last = Math.max(last, s.ts());
      alerts++;
      level = Math.max(level, s.levelRank());
      techniques.addAll(s.techniques());
      rules.add(s.rule());
      evidence.addAll(s.evidence());
    }

    List<Evidence> evidence() {
      List<Evidence> out = new ArrayList<>(evidence);
      if (techniques.size() >= 3) {
        out.add(new Evidence("techniques", String.join(" ", techniques)));
      }
      return out;
    }

    Host host() {
      return new Host(institution, name, first, last, firstAlert, alerts, level, List.copyOf(techniques),
          List.copyOf(rules));
    }
  }
}
