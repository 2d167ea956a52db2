package org.lovcen.cli;

import java.io.IOException;
import java.io.Writer;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.lovcen.core.Alert;
import org.lovcen.core.Level;
import org.lovcen.core.Timestamps;
import org.lovcen.sigma.RuleSet;

/** The end-of-hunt summary: counts per level, top rules and hosts, ATT&CK tactics, throughput. */
final class Summary {
  private Summary() {}

  static void print(Hunt.Result r, long problems, int files, RuleSet set, double loadSeconds, double huntSeconds,
      Writer out, boolean color) throws IOException {
    List<Alert> alerts = r.alerts();
    String b = color ? Colors.BOLD : "";
    String z = color ? Colors.RESET : "";
    out.write("\n" + b + "Summary" + z + "\n");
    out.write(String.format(Locale.ROOT, "  %,d events in %,d files (%.1f MB), %,d rules (%,d variants); rules "
        + "loaded in %.1f s, hunt %.1f s (%,.0f events/s)%n", r.events(), files, r.bytes() / 1e6, set.rules().size(),
        set.variants(), loadSeconds, huntSeconds, huntSeconds > 0 ? r.events() / huntSeconds : 0.0));
    if (problems > 0) {
      out.write(String.format(Locale.ROOT, "  %,d input problems (malformed or skipped records)%n", problems));
    }
    if (alerts.isEmpty()) {
      out.write("  no detections\n");
      out.flush();
      return;
    }
    out.write(String.format(Locale.ROOT, "  %,d detections between %s and %s%n", alerts.size(),
        Timestamps.format(alerts.get(0).timestamp()), Timestamps.format(alerts.get(alerts.size() - 1).timestamp())));
    long correlations = alerts.stream().filter(a -> "correlation".equals(a.kind())).count();
    if (correlations > 0) {
      out.write(String.format(Locale.ROOT, "  of which %,d correlation alerts%n", correlations));
    }
    Map<Level, Long> byLevel = new EnumMap<>(Level.class);
    alerts.forEach(a -> byLevel.merge(a.level(), 1L, Long::sum));
    StringBuilder lv = new StringBuilder("  by level:");
    for (Level l : List.of(Level.CRITICAL, Level.HIGH, Level.MEDIUM, Level.LOW, Level.INFORMATIONAL)) {
      lv.append(' ').append(l.label()).append(' ').append(byLevel.getOrDefault(l, 0L));
    }
    out.write(lv + "\n");
    top(out, "top rules", alerts.stream().collect(Collectors.groupingBy(a -> a.ruleTitle() + " (" + a.level().label()
        + ")", Collectors.counting())), 10);
    top(out, "top hosts", alerts.stream().filter(a -> a.host() != null)
        .collect(Collectors.groupingBy(Alert::host, Collectors.counting())), 10);
    Map<String, Long> tactics = new LinkedHashMap<>();
    Map<String, Long> counts = new TreeMap<>();
    alerts.forEach(a -> Attack.tactics(a.tags()).forEach(t -> counts.merge(t, 1L, Long::sum)));
    Attack.TACTICS.values().forEach(t -> {
      if (counts.containsKey(t)) {
        tactics.put(t, counts.get(t));
      }
    });
    if (!tactics.isEmpty()) {
      out.write("  ATT&CK tactics (matrix order):\n");
      for (Map.Entry<String, Long> e : tactics.entrySet()) {
        out.write(String.format(Locale.ROOT, "    %-22s %,d%n", e.getKey(), e.getValue()));
      }
    }
    Map<String, Long> techniques = new TreeMap<>();
    alerts.forEach(a -> Attack.shortTags(a.tags()).forEach(t -> techniques.merge(t, 1L, Long::sum)));
    Map<String, Long> named = new LinkedHashMap<>();
    techniques.forEach((id, n) -> {
      String name = Techniques.name(id);
      named.put(name == null ? id : id + " " + name, n);
    });
    top(out, "top ATT&CK techniques", named, 10);
    out.flush();
  }

  private static void top(Writer out, String title, Map<String, Long> counts, int n) throws IOException {
    if (counts.isEmpty()) {
      return;
    }
    out.write("  " + title + ":\n");
    List<Map.Entry<String, Long>> sorted = counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(n).toList();
    for (Map.Entry<String, Long> e : sorted) {
      out.write(String.format(Locale.ROOT, "    %,7d  %s%n", e.getValue(), e.getKey()));
    }
  }
}
