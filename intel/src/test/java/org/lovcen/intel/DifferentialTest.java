package org.lovcen.intel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;

/**
 * The compiled prefix and suffix tables against a plain linear reference ({@link Verifier}, one
 * indicator at a time) on seeded random addresses, CIDR blocks and domains.
 */
class DifferentialTest {
  private static final Source S = new Source("seeded", "", -1, Marking.NONE, -1);

  @Test
  void ipv4Cidrs_matchLikeTheLinearReference() {
    Random r = new Random(20220822);
    List<Indicator> inds = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int bits = r.nextInt(4) == 0 ? 32 : 8 + r.nextInt(25);
      inds.add(ind(ObservableType.IPV4, Observables.formatIpv4(0x0A000000 | r.nextInt(1 << 20) << 4) + "/" + bits));
    }
    List<String> probes = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      probes.add(Observables.formatIpv4(r.nextInt(3) == 0 ? r.nextInt() : 0x0A000000 | r.nextInt(1 << 24)));
    }
    compare(inds, probes, "DestinationIp");
  }

  @Test
  void ipv6Cidrs_matchLikeTheLinearReference() {
    Random r = new Random(7);
    List<Indicator> inds = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long hi = 0x20010db800000000L | (r.nextLong() & 0xFFFFL) << 16;
      int bits = r.nextInt(5) == 0 ? 128 : 32 + r.nextInt(97);
      inds.add(ind(ObservableType.IPV6, Observables.formatIpv6(hi, r.nextLong() & 0xFF) + "/" + bits));
    }
    List<String> probes = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      long hi = 0x20010db800000000L | (r.nextLong() & (r.nextBoolean() ? 0xFFFFL << 16 : 0xFFFFFFFFL));
      probes.add(Observables.formatIpv6(hi, r.nextInt(4) == 0 ? r.nextLong() : r.nextLong() & 0xFF));
    }
    compare(inds, probes, "DestinationIp");
  }

  @Test
  void parentDomains_matchLikeTheLinearReference() {
    Random r = new Random(42);
    String[] labels = {"a", "b", "api", "cdn", "mail", "x-y", "telemetry-msn", "net", "com", "me"};
    List<Indicator> inds = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      inds.add(ind(ObservableType.DOMAIN, name(r, labels, 1 + r.nextInt(3))));
    }
    List<String> probes = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      String n = name(r, labels, 1 + r.nextInt(5));
      probes.add(r.nextInt(5) == 0 ? n.toUpperCase(java.util.Locale.ROOT) + "." : n);
    }
    compare(inds, probes, "QueryName");
  }

  private static String name(Random r, String[] labels, int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append(i > 0 ? "." : "").append(labels[r.nextInt(labels.length)]);
    }
    return b.toString();
  }

  private static Indicator ind(ObservableType t, String v) {
    return Indicator.of(Observable.of(t, v), S);
  }

  private static void compare(List<Indicator> inds, List<String> probes, String field) {
    IndicatorSet set = IndicatorSet.compile(inds);
    IndicatorMatcher m = set.matcher();
    int hits = 0;
    for (String p : probes) {
      Event e = new Event();
      e.add(field, p);
      Set<String> fast = new TreeSet<>();
      m.match(e, a -> fast.add(a.ruleId()));
      Set<String> slow = new TreeSet<>();
      for (Indicator i : set.indicators()) {
        if (Verifier.all(i.clauses().get(0).toArray(new Observable[0]), e)) {
          slow.add(i.id());
        }
      }
      assertThat(fast).as("%s=%s", field, p).isEqualTo(slow);
      hits += slow.size();
    }
    assertThat(hits).as("the data must exercise matches").isGreaterThan(probes.size() / 10);
  }
}
