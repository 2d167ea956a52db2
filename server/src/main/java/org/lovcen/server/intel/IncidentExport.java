package org.lovcen.server.intel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lovcen.core.Timestamps;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.Intel;
import org.lovcen.intel.IntelException;
import org.lovcen.intel.Sighting;
import org.lovcen.store.AlertRow;
import org.lovcen.store.Database;
import org.lovcen.store.IntelStore;
import org.lovcen.store.Scope;

/*
 * How and why: an incident's indicator alerts name the indicators they matched (indicator_id and
 * pattern in the alert's group). Each is exported as the server knows it now: the live indicator,
 * else its newest stored row (it may have been revoked since), else rebuilt from what the alert
 * carries (pattern, marking, sources). One sighting per indicator sums the incident's alerts:
 * count, first and last seen, and the institutions where it was seen. The exporters of the intel
 * module write the bundle or event, and never write TLP:RED indicators.
 */
/** The indicators an incident sighted, ready for a STIX bundle or a MISP event. Stateless. */
public final class IncidentExport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The indicators, and per indicator id its sighting. */
  public record Sighted(List<Indicator> indicators, Map<String, Sighting> sightings) {}

  private IncidentExport() {}

  /** The indicators and sightings of an incident's alerts (other kinds of alerts are ignored). */
  public static Sighted of(List<AlertRow> alerts, LiveIndicators live, Database db) {
    Map<String, Indicator> indicators = new LinkedHashMap<>();
    Map<String, long[]> spans = new LinkedHashMap<>();
    Map<String, Set<String>> where = new LinkedHashMap<>();
    for (AlertRow a : alerts) {
      String id = a.group() == null ? null : a.group().get("indicator_id");
      if (!"indicator".equals(a.kind()) || id == null) {
        continue;
      }
      if (!indicators.containsKey(id)) {
        Indicator i = find(id, a, live, db);
        if (i == null) {
          continue;
        }
        indicators.put(id, i);
      }
      long[] s = spans.computeIfAbsent(id, k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
      s[0] = Math.min(s[0], a.ts());
      s[1] = Math.max(s[1], a.lastTs());
      s[2]++;
      where.computeIfAbsent(id, k -> new LinkedHashSet<>()).add(a.institution());
    }
    Map<String, Sighting> sightings = new LinkedHashMap<>();
    spans.forEach((id, s) -> sightings.put(id, new Sighting(id, s[0], s[1], (int) s[2], List.copyOf(where.get(id)))));
    return new Sighted(new ArrayList<>(indicators.values()), sightings);
  }

  /** Writes them as a STIX 2.1 bundle ({@code stix}) or a MISP event ({@code misp}). */
  public static String write(Sighted s, String format, String identity) throws IOException {
    StringWriter w = new StringWriter();
    long now = System.currentTimeMillis() * 1000;
    if (format.equals("misp")) {
      Intel.exportMisp(s.indicators(), s.sightings(), identity, now, w);
    } else {
      Intel.exportStix(s.indicators(), s.sightings(), identity, now, w);
    }
    return w.toString();
  }

  private static Indicator find(String id, AlertRow a, LiveIndicators live, Database db) {
    Indicator i = live.current().find(id);
    if (i != null) {
      return i;
    }
    Indicator newest = null;
    for (IntelStore.Row r : new IntelStore(db).byIndicator(Scope.NATIONAL, id)) {
      try {
        Indicator v = Intel.indicator(r.object(), r.source());
        newest = newest == null || v.modified().compareTo(newest.modified()) > 0 ? v
            : newest.withSources(union(newest, v));
      } catch (IntelException e) {
        // a row that no longer parses: try the next, else the alert
      }
    }
    return newest != null ? newest : fromAlert(id, a);
  }

  private static List<org.lovcen.intel.Source> union(Indicator a, Indicator b) {
    LinkedHashSet<org.lovcen.intel.Source> s = new LinkedHashSet<>(a.sources());
    s.addAll(b.sources());
    return List.copyOf(s);
  }

  /** The indicator rebuilt from the alert: its pattern, marking and sources, valid since its first sighting. */
  private static Indicator fromAlert(String id, AlertRow a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", "indicator");
    o.put("spec_version", "2.1");
    o.put("id", id);
    o.put("pattern", a.group().getOrDefault("pattern", ""));
    o.put("pattern_type", "stix");
    o.put("valid_from", Timestamps.format(a.ts()));
    ArrayNode sources = o.putArray("x_lovcen_sources");
    for (String s : a.group().getOrDefault("sources", "").split(";")) {
      String[] p = s.split("\\|", -1);
      if (p[0].isEmpty()) {
        continue;
      }
      ObjectNode n = sources.addObject();
      n.put("name", p[0]);
      if (p.length > 1 && !p[1].isEmpty() && !p[1].equals("-1")) {
        n.put("confidence", Integer.parseInt(p[1]));
      }
      if (p.length > 2 && !p[2].isEmpty()) {
        n.put("marking", p[2]);
      }
    }
    if (sources.isEmpty()) {
      sources.addObject().put("name", a.author() == null ? "" : a.author()).put("marking",
          a.group().getOrDefault("marking", ""));
    }
    try {
      return Intel.indicator(o, "alert");
    } catch (IntelException | NumberFormatException e) {
      return null;
    }
  }
}
