package org.lovcen.sigma;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.lovcen.sigma.Yaml.Scalar;
import org.lovcen.sigma.Yaml.YMap;

/**
 * Which events a rule's logsource means: Windows channels and EventIDs per service and category,
 * with field renames, from the built-in {@code logsources.yml} plus user files. Immutable;
 * thread-safe.
 */
final class LogsourceMapping {
  /**
   * Which events a variant reads.
   *
   * @param windows true for Windows event logs (events with a channel); false for other logs
   * @param channels folded channel names, or null for any
   * @param eventIds EventIDs, or null for any
   */
  record Route(boolean windows, Set<String> channels, Set<Integer> eventIds) {
    boolean admits(String foldedChannel, int eventId) {
      if (foldedChannel == null) {
        return !windows;
      }
      if (!windows) {
        return false;
      }
      return (channels == null || channels.contains(foldedChannel))
          && (eventIds == null || eventIds.contains(eventId));
    }
  }

  /**
   * One way a logsource is read.
   *
   * @param label e.g. {@code process_creation/sysmon}
   * @param route the events it reads
   * @param renames Sigma field name -> field name in these events
   * @param conditions extra field conditions (field -> any of the values)
   */
  record Variant(String label, Route route, Map<String, String> renames, Map<String, List<String>> conditions) {}

  private final Map<String, List<String>> services;
  private final Map<String, List<Variant>> categories;

  private LogsourceMapping(Map<String, List<String>> services, Map<String, List<Variant>> categories) {
    this.services = services;
    this.categories = categories;
  }

  /** The built-in mapping, extended (and overridden per category/service) by {@code extra} files. */
  static LogsourceMapping load(List<Path> extra) {
    Map<String, List<String>> services = new LinkedHashMap<>();
    Map<String, List<Variant>> categories = new LinkedHashMap<>();
    try (InputStream in = LogsourceMapping.class.getResourceAsStream("logsources.yml")) {
      read("logsources.yml", new String(in.readAllBytes(), StandardCharsets.UTF_8), services, categories);
    } catch (IOException e) {
      throw new SigmaException("cannot read built-in logsources.yml: " + e.getMessage());
    }
    for (Path p : extra) {
      try {
        read(p.toString(), Files.readString(p), services, categories);
      } catch (IOException e) {
        throw new SigmaException(p + ": cannot read mapping: " + e.getMessage());
      }
    }
    return new LogsourceMapping(services, categories);
  }

  private static void read(String name, String text, Map<String, List<String>> services,
      Map<String, List<Variant>> categories) {
    List<String> errors = new ArrayList<>();
    List<Object> docs = Yaml.parseAll(text, errors);
    if (!errors.isEmpty() || docs.size() != 1 || !(docs.get(0) instanceof YMap root)) {
      throw new SigmaException(name + ": not a logsource mapping: " + String.join("; ", errors));
    }
    if (root.get("services") instanceof YMap s) {
      for (Map.Entry<String, Object> e : s.values.entrySet()) {
        services.put(e.getKey().toLowerCase(Locale.ROOT), RuleParser.texts(e.getValue()));
      }
    }
    if (root.get("categories") instanceof YMap c) {
      for (Map.Entry<String, Object> e : c.values.entrySet()) {
        List<Variant> vs = new ArrayList<>();
        List<?> items = e.getValue() instanceof List<?> l ? l : List.of(e.getValue());
        for (Object o : items) {
          if (!(o instanceof YMap v)) {
            throw new SigmaException(name + ": category '" + e.getKey() + "': each variant must be a mapping");
          }
          vs.add(variant(name, e.getKey(), v, services));
        }
        categories.put(e.getKey().toLowerCase(Locale.ROOT), vs);
      }
    }
  }

  private static Variant variant(String file, String category, YMap v, Map<String, List<String>> services) {
    String service = RuleParser.text(v.get("service"));
    Set<String> channels = null;
    if (service != null) {
      List<String> ch = services.get(service.toLowerCase(Locale.ROOT));
      if (ch == null) {
        throw new SigmaException(file + ": category '" + category + "' names unknown service '" + service + "'");
      }
      channels = folded(ch);
    }
    Set<Integer> ids = null;
    if (v.get("EventID") != null) {
      ids = new HashSet<>();
      for (String s : RuleParser.texts(v.get("EventID"))) {
        ids.add(Integer.parseInt(s.trim()));
      }
    }
    Map<String, String> renames = new LinkedHashMap<>();
    if (v.get("fieldmappings") instanceof YMap fm) {
      fm.values.forEach((k, val) -> renames.put(k, String.valueOf((Scalar) val)));
    }
    Map<String, List<String>> conditions = new LinkedHashMap<>();
    if (v.get("conditions") instanceof YMap cm) {
      cm.values.forEach((k, val) -> conditions.put(k, RuleParser.texts(val)));
    }
    String label = category + (service == null ? "" : "/" + service);
    return new Variant(label, new Route(true, channels, ids), Map.copyOf(renames), Map.copyOf(conditions));
  }

  private static Set<String> folded(List<String> names) {
    Set<String> out = new HashSet<>();
    for (String n : names) {
      out.add(Fold.fold(n));
    }
    return Set.copyOf(out);
  }

  /**
   * The variants a logsource is compiled for.
   *
   * @throws UnsupportedRuleException when a Windows category or service has no mapping
   */
  List<Variant> variants(LogSource ls) {
    boolean windows = "windows".equals(ls.product())
        || (ls.product() == null && (categories.containsKey(String.valueOf(ls.category()))
            || services.containsKey(String.valueOf(ls.service()))));
    if (!windows) {
      return List.of(new Variant(ls.toString(), new Route(false, null, null), Map.of(), Map.of()));
    }
    if (ls.category() != null) {
      List<Variant> vs = categories.get(ls.category());
      if (vs == null) {
        throw new UnsupportedRuleException("no Windows log source provides category '" + ls.category()
            + "' (add one with --mapping)");
      }
      if (ls.service() == null) {
        return vs;
      }
      List<String> ch = services.get(ls.service());
      Set<String> want = ch == null ? Set.of() : folded(ch);
      List<Variant> out = new ArrayList<>();
      for (Variant v : vs) {
        if (v.route().channels() == null || !java.util.Collections.disjoint(v.route().channels(), want)) {
          out.add(v);
        }
      }
      if (out.isEmpty()) {
        throw new UnsupportedRuleException("category '" + ls.category() + "' is not read from service '"
            + ls.service() + "'");
      }
      return out;
    }
    if (ls.service() != null) {
      List<String> ch = services.get(ls.service());
      if (ch == null) {
        throw new UnsupportedRuleException("unknown Windows service '" + ls.service() + "' (add it with --mapping)");
      }
      return List.of(new Variant(ls.service(), new Route(true, folded(ch), null), Map.of(), Map.of()));
    }
    return List.of(new Variant("windows", new Route(true, null, null), Map.of(), Map.of()));
  }

  /** Channel names per service, for tests and documentation. */
  Map<String, List<String>> services() {
    return new HashMap<>(services);
  }
}
