package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.lovcen.core.Level;
import org.lovcen.sigma.Yaml.Scalar;
import org.lovcen.sigma.Yaml.YMap;

/*
 * How and why: the YAML -> syntax stage for the two kinds of meta rules, correlations and
 * filters. As for detection rules, every problem of a document is collected with its position and
 * a document with any error yields nothing. Constructs the specification allows but this engine
 * cannot run (an extended string condition, several value_count fields) are reported as
 * unsupported, not as errors. Where the specification is silent the choices follow pySigma (see
 * docs/SIGMA.md, "Correlations and filters").
 */
/** Parses correlation and filter documents. Stateless; thread-safe. */
final class MetaRuleParser {
  private MetaRuleParser() {}

  private static final Pattern TIMESPAN = Pattern.compile("([0-9]+)([smhdwMy])");
  private static final Map<String, Long> UNIT_SECONDS = Map.of("s", 1L, "m", 60L, "h", 3600L, "d", 86400L,
      "w", 604800L, "M", 2629746L, "y", 31556952L);

  /** What one meta document held: a correlation, a filter, or nothing (see the errors). */
  record Parsed(Correlation correlation, SigmaFilter filter, List<String> errors, String unsupported) {}

  static Parsed parse(String path, YMap m) {
    List<String> errors = new ArrayList<>();
    try {
      if (m.get("correlation") != null) {
        Correlation c = correlation(path, m, errors);
        return errors.isEmpty() ? new Parsed(c, null, errors, null) : new Parsed(null, null, errors, null);
      }
      SigmaFilter f = filter(path, m, errors);
      return errors.isEmpty() ? new Parsed(null, f, errors, null) : new Parsed(null, null, errors, null);
    } catch (UnsupportedRuleException e) {
      return new Parsed(null, null, errors, e.getMessage());
    }
  }

  // ---- correlations

  private static Correlation correlation(String path, YMap m, List<String> errors) {
    String title = required(m, "title", errors);
    Level level = level(m, errors);
    if (!(m.get("correlation") instanceof YMap c)) {
      errors.add(m.position("correlation") + ": 'correlation' must be a mapping");
      return null;
    }
    Correlation.Type type = type(c, errors);
    List<String> rules = names(c, "rules", true, errors);
    List<String> groupBy = names(c, "group-by", false, errors);
    String span = RuleParser.text(c.get("timespan"));
    long micros = timespan(c, span, errors);
    Correlation.Bounds cond = type == null ? null : condition(c, type, rules.size(), errors);
    Map<String, Map<String, String>> aliases = aliases(c, errors);
    boolean generate = generate(c, errors);
    checkUnknown(c, List.of("type", "rules", "group-by", "timespan", "condition", "aliases", "generate"), errors);
    String id = RuleParser.text(m.get("id"));
    return new Correlation(id == null ? path + ":" + m.line : id, RuleParser.text(m.get("name")), title,
        RuleParser.text(m.get("status")), level, author(m.get("author")), RuleParser.texts(m.get("tags")), type,
        rules, groupBy, span, micros, cond, aliases, generate, path);
  }

  private static Correlation.Type type(YMap c, List<String> errors) {
    String t = RuleParser.text(c.get("type"));
    if (t == null) {
      errors.add(c.position("type") + ": correlation 'type' missing");
      return null;
    }
    if (t.endsWith("_extended")) {
      throw new UnsupportedRuleException(c.position("type") + ": correlation type '" + t
          + "' is a pySigma extension, not in the specification");
    }
    try {
      return Correlation.Type.valueOf(t.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      errors.add(c.position("type") + ": '" + t + "' is no correlation type (event_count, value_count, temporal, "
          + "temporal_ordered, value_sum, value_avg, value_percentile, value_median)");
      return null;
    }
  }

  private static List<String> names(YMap c, String key, boolean required, List<String> errors) {
    Object o = c.get(key);
    if (o == null) {
      if (required) {
        errors.add(c.position(key) + ": correlation '" + key + "' missing");
      }
      return List.of();
    }
    if (o instanceof Scalar) {
      return List.of(RuleParser.text(o));
    }
    if (o instanceof List<?> l && l.stream().allMatch(x -> x instanceof Scalar) && !(required && l.isEmpty())) {
      return RuleParser.texts(l);
    }
    errors.add(c.position(key) + ": correlation '" + key + "' must be a name or a list of names");
    return List.of();
  }

  private static long timespan(YMap c, String span, List<String> errors) {
    if (span == null) {
      errors.add(c.position("timespan") + ": correlation 'timespan' missing");
      return 0;
    }
    Matcher mt = TIMESPAN.matcher(span);
    long n = mt.matches() && mt.group(1).length() < 10 ? Long.parseLong(mt.group(1)) : 0;
    if (n <= 0) {
      errors.add(c.position("timespan") + ": timespan '" + span + "' is not a positive number followed by s, m, h "
          + "or d");
      return 0;
    }
    return n * UNIT_SECONDS.get(mt.group(2)) * 1_000_000L;
  }

  private static Correlation.Bounds condition(YMap c, Correlation.Type type, int rules, List<String> errors) {
    Object o = c.get("condition");
    boolean temporal = type == Correlation.Type.TEMPORAL || type == Correlation.Type.TEMPORAL_ORDERED;
    if (o == null) {
      if (!temporal) {
        errors.add(c.position("condition") + ": correlation 'condition' missing (required for " + type.spec() + ")");
        return null;
      }
      return new Correlation.Bounds(List.of(new Correlation.Bound(Correlation.Op.GTE, rules)), null, 0);
    }
    if (o instanceof Scalar && temporal) {
      throw new UnsupportedRuleException(c.position("condition") + ": extended (expression) conditions are a "
          + "pySigma extension, not in the specification");
    }
    if (!(o instanceof YMap cm)) {
      errors.add(c.position("condition") + ": correlation 'condition' must be a mapping");
      return null;
    }
    Correlation.Bounds b = bounds(cm, type, errors);
    if (b != null && type == Correlation.Type.TEMPORAL_ORDERED
        && !(b.bounds().size() == 1 && b.bounds().get(0).op() == Correlation.Op.GTE
        && b.bounds().get(0).limit() == rules)) {
      throw new UnsupportedRuleException(c.position("condition") + ": temporal_ordered needs every rule in order; "
          + "a condition other than gte " + rules + " is not supported");
    }
    return b;
  }

  private static Correlation.Bounds bounds(YMap cm, Correlation.Type type, List<String> errors) {
    List<Correlation.Bound> bounds = new ArrayList<>();
    String field = null;
    int percentile = 0;
    for (Map.Entry<String, Object> e : cm.values.entrySet()) {
      String k = e.getKey();
      switch (k) {
        case "field" -> field = field(cm, e.getValue(), errors);
        case "percentile" -> percentile = (int) number(cm, k, e.getValue(), errors);
        case "gt", "gte", "lt", "lte", "eq", "neq" -> bounds.add(
            new Correlation.Bound(Correlation.Op.valueOf(k.toUpperCase(Locale.ROOT)), number(cm, k, e.getValue(), errors)));
        default -> errors.add(cm.position(k) + ": unknown condition key '" + k + "' (gt, gte, lt, lte, eq, neq, field)");
      }
    }
    if (bounds.isEmpty()) {
      errors.add("line " + cm.line + ": the condition needs one of gt, gte, lt, lte, eq, neq");
    }
    if (type.needsField() && field == null) {
      errors.add("line " + cm.line + ": " + type.spec() + " needs 'field' in the condition");
    }
    if (!type.needsField() && field != null) {
      errors.add(cm.position("field") + ": 'field' is only for value_* correlations, not " + type.spec());
    }
    if (type == Correlation.Type.VALUE_PERCENTILE && percentile == 0) {
      percentile = 95;
    }
    return new Correlation.Bounds(List.copyOf(bounds), field, percentile);
  }

  private static String field(YMap cm, Object v, List<String> errors) {
    if (v instanceof List<?> l && l.size() > 1) {
      throw new UnsupportedRuleException(cm.position("field") + ": several condition fields are not supported");
    }
    String f = v instanceof List<?> l && l.size() == 1 ? RuleParser.text(l.get(0)) : RuleParser.text(v);
    if (f == null || f.isBlank()) {
      errors.add(cm.position("field") + ": 'field' must name a field");
    }
    return f;
  }

  private static double number(YMap cm, String key, Object v, List<String> errors) {
    if (v instanceof Scalar s && (s.kind() == Yaml.Kind.INT || s.kind() == Yaml.Kind.FLOAT)) {
      try {
        double d = Double.parseDouble(s.text());
        if (Double.isFinite(d)) {
          return d;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    errors.add(cm.position(key) + ": '" + v + "' is no number for '" + key + "'");
    return 0;
  }

  private static Map<String, Map<String, String>> aliases(YMap c, List<String> errors) {
    Object o = c.get("aliases");
    if (o == null) {
      return Map.of();
    }
    if (!(o instanceof YMap am)) {
      errors.add(c.position("aliases") + ": 'aliases' must be a mapping");
      return Map.of();
    }
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : am.values.entrySet()) {
      if (!(e.getValue() instanceof YMap rm) || !rm.values.values().stream().allMatch(x -> RuleParser.text(x) != null)) {
        errors.add(am.position(e.getKey()) + ": alias '" + e.getKey() + "' must map rule names to field names");
        continue;
      }
      Map<String, String> byRule = new LinkedHashMap<>();
      rm.values.forEach((rule, field) -> byRule.put(rule, RuleParser.text(field)));
      out.put(e.getKey(), Map.copyOf(byRule));
    }
    return Map.copyOf(out);
  }

  private static boolean generate(YMap c, List<String> errors) {
    Object o = c.get("generate");
    if (o == null) {
      return false;
    }
    if (o instanceof Scalar s && s.kind() == Yaml.Kind.BOOL) {
      return Boolean.parseBoolean(s.text().toLowerCase(Locale.ROOT));
    }
    errors.add(c.position("generate") + ": 'generate' must be true or false");
    return false;
  }

  private static void checkUnknown(YMap c, List<String> known, List<String> errors) {
    for (String k : c.values.keySet()) {
      if (!known.contains(k)) {
        errors.add(c.position(k) + ": unknown correlation key '" + k + "'");
      }
    }
  }

  // ---- filters

  private static SigmaFilter filter(String path, YMap m, List<String> errors) {
    String title = required(m, "title", errors);
    LogSource ls = null;
    if (m.get("logsource") instanceof YMap lm) {
      ls = new LogSource(lower(lm.get("product")), lower(lm.get("category")), lower(lm.get("service")));
    } else {
      errors.add(m.position("logsource") + ": a filter needs a 'logsource' mapping");
    }
    if (!(m.get("filter") instanceof YMap f)) {
      errors.add(m.position("filter") + ": 'filter' must be a mapping");
      return null;
    }
    List<String> rules = filterRules(f, errors);
    if (!(f.get("condition") instanceof Scalar)) {
      errors.add(f.position("condition") + ": a filter needs exactly one condition, as a string");
      return null;
    }
    YMap detection = new YMap(f.line);
    f.values.forEach((k, v) -> {
      if (!k.equals("rules")) {
        detection.values.put(k, v);
        detection.positions.put(k, f.position(k));
      }
    });
    SigmaRule.Detection det = detection(detection, errors);
    String id = RuleParser.text(m.get("id"));
    return new SigmaFilter(id == null ? path + ":" + m.line : id, title, ls, rules, det, path);
  }

  private static SigmaRule.Detection detection(YMap d, List<String> errors) {
    try {
      return RuleParser.detection(d, Map.of(), errors);
    } catch (MissingPlaceholderException e) {
      throw new UnsupportedRuleException("filter uses placeholder %" + e.name() + "%");
    }
  }

  private static List<String> filterRules(YMap f, List<String> errors) {
    Object o = f.get("rules");
    if (o == null) {
      errors.add(f.position("rules") + ": a filter needs 'rules' (a list of rule ids or names, or 'any')");
      return List.of();
    }
    String one = RuleParser.text(o);
    if (one != null) {
      String l = one.toLowerCase(Locale.ROOT);
      return l.equals("any") || l.equals("all") ? List.of() : List.of(one);
    }
    if (o instanceof List<?> l && l.stream().allMatch(x -> RuleParser.text(x) != null)) {
      return RuleParser.texts(l);
    }
    errors.add(f.position("rules") + ": filter 'rules' must be 'any', a rule id or name, or a list of them");
    return List.of();
  }

  // ---- shared

  private static String required(YMap m, String key, List<String> errors) {
    String t = RuleParser.text(m.get(key));
    if (t == null || t.isBlank()) {
      errors.add("line " + m.line + ": '" + key + "' missing");
      return "";
    }
    return t;
  }

  private static Level level(YMap m, List<String> errors) {
    if (m.get("level") == null) {
      return Level.MEDIUM;
    }
    try {
      return Level.parse(RuleParser.text(m.get("level")));
    } catch (RuntimeException e) {
      errors.add(m.position("level") + ": " + e.getMessage());
      return Level.MEDIUM;
    }
  }

  private static String author(Object o) {
    if (o instanceof List<?> l) {
      return String.join(", ", RuleParser.texts(l));
    }
    String t = RuleParser.text(o);
    return t == null ? "" : t;
  }

  private static String lower(Object o) {
    String t = RuleParser.text(o);
    return t == null ? null : t.toLowerCase(Locale.ROOT);
  }
}
