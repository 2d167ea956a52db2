package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.lovcen.core.Alert;
import org.lovcen.core.EventRef;

/**
 * A plain batch computation of correlations (not chained) over the whole sorted stream: for every
 * hit, the window is recomputed from scratch by scanning all earlier hits of the group; firings
 * of a group within a timespan of each other form one alert. Quadratic, for tests only.
 */
final class BatchReference {
  private BatchReference() {}

  static List<Alert> run(RuleSet set, List<CorrelationHit> unsorted) {
    List<CorrelationHit> hits = new ArrayList<>(unsorted);
    hits.sort(Comparator.comparingLong(CorrelationHit::timestamp).thenComparing(CorrelationHit::source)
        .thenComparingLong(CorrelationHit::record).thenComparingInt(CorrelationHit::input));
    List<Alert> out = new ArrayList<>();
    for (Correlation c : set.correlations().rules()) {
      out.addAll(one(set, c, hits));
    }
    return out;
  }

  private record Item(CorrelationHit hit, int position, String group, String value) {}

  private static List<Alert> one(RuleSet set, Correlation c, List<CorrelationHit> hits) {
    Map<List<String>, List<Item>> groups = new LinkedHashMap<>();
    for (CorrelationHit h : hits) {
      Correlations.Input in = set.correlations().inputs.get(h.input());
      int position = c.rules().indexOf(in.rule().name());
      if (position < 0) {
        continue;
      }
      String g = field(in, h, "G");
      String v = c.condition().field() == null ? null : field(in, h, c.condition().field());
      groups.computeIfAbsent(Arrays.asList(h.institution(), g), k -> new ArrayList<>())
          .add(new Item(h, position, g, v));
    }
    List<Alert> out = new ArrayList<>();
    groups.forEach((key, items) -> out.addAll(episodes(c, key, items)));
    return out;
  }

  private static String field(Correlations.Input in, CorrelationHit h, String name) {
    int i = Arrays.asList(in.fields()).indexOf(name);
    return i < 0 ? null : h.values()[i];
  }

  private static List<Alert> episodes(Correlation c, List<String> key, List<Item> items) {
    List<Alert> out = new ArrayList<>();
    int firstFiring = -1;
    int windowStart = -1;
    int lastFiring = -1;
    for (int i = 0; i < items.size(); i++) {
      long now = items.get(i).hit().timestamp();
      int start = i;
      while (start > 0 && items.get(start - 1).hit().timestamp() >= now - c.timespan()) {
        start--;
      }
      if (!fires(c, items.subList(start, i + 1))) {
        continue;
      }
      if (lastFiring >= 0 && now - items.get(lastFiring).hit().timestamp() > c.timespan()) {
        out.add(alert(c, key, items.subList(windowStart, lastFiring + 1)));
        firstFiring = -1;
      }
      if (firstFiring < 0) {
        firstFiring = i;
        windowStart = start;
      }
      lastFiring = i;
    }
    if (firstFiring >= 0) {
      out.add(alert(c, key, items.subList(windowStart, lastFiring + 1)));
    }
    return out;
  }

  private static boolean fires(Correlation c, List<Item> w) {
    Correlation.Bounds b = c.condition();
    return switch (c.type()) {
      case EVENT_COUNT -> b.test(w.size());
      case VALUE_COUNT -> b.test(w.stream().map(Item::value).filter(Objects::nonNull).distinct().count());
      case TEMPORAL -> b.test(w.stream().map(Item::position).distinct().count());
      case TEMPORAL_ORDERED -> {
        int next = 0;
        for (Item it : w) {
          if (it.position() == next) {
            next++;
          }
        }
        yield next >= c.rules().size();
      }
      case VALUE_SUM, VALUE_AVG, VALUE_MEDIAN, VALUE_PERCENTILE -> {
        double[] v = w.stream().mapToDouble(it -> Metrics.number(it.value())).filter(d -> !Double.isNaN(d)).toArray();
        yield v.length > 0 && b.test(Metrics.aggregate(c.type(), c.condition().percentile(), v));
      }
    };
  }

  private static Alert alert(Correlation c, List<String> key, List<Item> items) {
    Set<EventRef> refs = new LinkedHashSet<>();
    for (Item it : items) {
      if (refs.size() < CorrelationDetector.MAX_EVENTS) {
        refs.add(new EventRef(it.hit().source(), it.hit().record(), it.hit().timestamp()));
      }
    }
    List<EventRef> sorted = new ArrayList<>(refs);
    sorted.sort(Comparator.comparingLong(EventRef::timestamp).thenComparingLong(EventRef::record));
    Map<String, String> group = new LinkedHashMap<>();
    group.put("G", key.get(1));
    new HashSet<>(sorted);
    return new Alert("correlation", c.id(), c.title(), c.level(), c.author(), c.tags(), sorted.get(0).timestamp(),
        key.get(0), null, null, -1, null, 0, Map.of(), group, items.get(items.size() - 1).hit().timestamp(), sorted);
  }
}
