package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lovcen.core.Level;
import org.lovcen.sigma.SigmaRule.DetectionItem;
import org.lovcen.sigma.SigmaRule.SearchIdentifier;
import org.lovcen.sigma.Yaml.Scalar;
import org.lovcen.sigma.Yaml.YMap;

/*
 * How and why: YAML -> rule syntax is the first of the engine's stages. Every problem in a
 * document is collected with its position (a rule with three mistakes reports three) and a
 * document with any error yields no rule: nothing is half-built. Documents that are Sigma
 * correlation or filter rules are handed back untouched for their own parser.
 */
/** Parses the YAML documents of one rule file. Stateless; thread-safe. */
final class RuleParser {
  private RuleParser() {}

  /** What one file held. */
  record Parsed(List<SigmaRule> rules, List<YMap> metaRules, List<String> errors, List<Unsupported> unsupported,
      Map<SigmaRule, String> waiting) {}

  /** A valid rule that cannot run here, and why. */
  record Unsupported(String id, String reason) {}

  static Parsed parse(String path, String text, Map<String, List<String>> placeholders) {
    List<String> errors = new ArrayList<>();
    List<Object> docs = Yaml.parseAll(text, errors);
    List<SigmaRule> rules = new ArrayList<>();
    List<YMap> meta = new ArrayList<>();
    List<Unsupported> unsupported = new ArrayList<>();
    Map<SigmaRule, String> waiting = new LinkedHashMap<>();
    for (Object doc : docs) {
      if (doc == null) {
        continue;
      }
      if (!(doc instanceof YMap m)) {
        errors.add("a rule must be a YAML mapping");
        continue;
      }
      if (m.get("correlation") != null || m.get("filter") != null) {
        meta.add(m);
        continue;
      }
      List<String> docErrors = new ArrayList<>();
      try {
        SigmaRule r = rule(path, m, placeholders, docErrors);
        if (docErrors.isEmpty()) {
          rules.add(r);
        }
      } catch (MissingPlaceholderException e) {
        SigmaRule r = withStandIns(path, m, placeholders, docErrors);
        if (r != null && docErrors.isEmpty()) {
          rules.add(r);
          waiting.put(r, "needs values for placeholder(s) " + missing(path, m, placeholders));
        }
      } catch (UnsupportedRuleException e) {
        unsupported.add(new Unsupported(text(m.get("id")), e.getMessage()));
      }
      errors.addAll(docErrors);
    }
    return new Parsed(rules, meta, errors, unsupported, waiting);
  }

  /**
   * A rule whose placeholders have no values yet is still parsed and compiled in full, with a
   * stand-in value per missing placeholder, so that it is known valid; it runs only once real
   * values are configured.
   */
  private static SigmaRule withStandIns(String path, YMap m, Map<String, List<String>> placeholders,
      List<String> errors) {
    Map<String, List<String>> filled = new java.util.HashMap<>(placeholders);
    for (int i = 0; i < 64; i++) {
      try {
        List<String> attempt = new ArrayList<>();
        SigmaRule r = rule(path, m, filled, attempt);
        errors.addAll(attempt);
        return r;
      } catch (MissingPlaceholderException e) {
        filled.put(e.name(), List.of("%" + e.name() + "%"));
      }
    }
    errors.add("too many placeholders");
    return null;
  }

  private static String missing(String path, YMap m, Map<String, List<String>> placeholders) {
    Map<String, List<String>> filled = new java.util.HashMap<>(placeholders);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      try {
        rule(path, m, filled, new ArrayList<>());
        break;
      } catch (MissingPlaceholderException e) {
        names.add("%" + e.name() + "%");
        filled.put(e.name(), List.of("x"));
      }
    }
    return String.join(", ", names);
  }

  private static SigmaRule rule(String path, YMap m, Map<String, List<String>> placeholders, List<String> errors) {
    String title = requiredText(m, "title", errors);
    String id = text(m.get("id"));
    Level level = Level.MEDIUM;
    if (m.get("level") != null) {
      try {
        level = Level.parse(text(m.get("level")));
      } catch (RuntimeException e) {
        errors.add(m.position("level") + ": " + e.getMessage());
      }
    }
    LogSource ls = logsource(m, errors);
    SigmaRule.Detection det = null;
    Object d = m.get("detection");
    if (d instanceof YMap dm) {
      det = detection(dm, placeholders, errors);
    } else {
      errors.add(m.position("detection") + ": 'detection' must be a mapping" + (d == null ? " (missing)" : ""));
    }
    return new SigmaRule(id == null ? path : id, text(m.get("name")), title, text(m.get("status")), level,
        author(m.get("author")), texts(m.get("tags")), orEmpty(text(m.get("description"))), ls, det,
        texts(m.get("fields")), texts(m.get("falsepositives")), path);
  }

  private static String author(Object o) {
    if (o instanceof List<?> l) {
      return String.join(", ", texts(l));
    }
    return orEmpty(text(o));
  }

  private static LogSource logsource(YMap m, List<String> errors) {
    Object o = m.get("logsource");
    if (!(o instanceof YMap ls)) {
      errors.add(m.position("logsource") + ": 'logsource' must be a mapping" + (o == null ? " (missing)" : ""));
      return new LogSource(null, null, null);
    }
    return new LogSource(lower(text(ls.get("product"))), lower(text(ls.get("category"))), lower(text(ls.get("service"))));
  }

  static SigmaRule.Detection detection(YMap dm, Map<String, List<String>> placeholders, List<String> errors) {
    Map<String, SearchIdentifier> ids = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : dm.values.entrySet()) {
      String name = e.getKey();
      if (name.equals("condition") || name.equals("timeframe")) {
        continue;
      }
      String where = dm.position(name);
      List<List<DetectionItem>> groups = identifier(where, name, e.getValue(), placeholders, errors);
      ids.put(name, new SearchIdentifier(name, groups));
    }
    List<Condition> conditions = new ArrayList<>();
    Object c = dm.get("condition");
    List<String> condTexts = texts(c);
    if (condTexts.isEmpty()) {
      errors.add(dm.position("condition") + ": " + (c == null ? "'condition' missing in detection"
          : "'condition' must be a condition or a list of conditions"));
    }
    for (String ct : condTexts) {
      try {
        Condition cond = ConditionParser.parse(ct);
        checkReferences(cond, ids);
        conditions.add(cond);
      } catch (UnsupportedRuleException ex) {
        throw ex;
      } catch (SigmaException ex) {
        errors.add(dm.position("condition") + ": " + ex.getMessage());
      }
    }
    return new SigmaRule.Detection(ids, List.copyOf(conditions));
  }

  private static void checkReferences(Condition c, Map<String, SearchIdentifier> ids) {
    switch (c) {
      case Condition.And a -> a.operands().forEach(x -> checkReferences(x, ids));
      case Condition.Or o -> o.operands().forEach(x -> checkReferences(x, ids));
      case Condition.Not n -> checkReferences(n.operand(), ids);
      case Condition.Ref r -> {
        if (!ids.containsKey(r.name())) {
          throw new SigmaException("condition references unknown search identifier '" + r.name() + "'");
        }
      }
      case Condition.Of o -> {
        if (Identifiers.matching(o.pattern(), ids.keySet()).isEmpty()) {
          throw new SigmaException("'" + o.pattern() + "' matches no search identifier");
        }
      }
    }
  }

  private static List<List<DetectionItem>> identifier(String where, String name, Object v,
      Map<String, List<String>> placeholders, List<String> errors) {
    List<List<DetectionItem>> groups = new ArrayList<>();
    if (v instanceof YMap map) {
      groups.add(group(map, placeholders, errors));
    } else if (v instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(x -> x instanceof YMap)) {
      for (Object x : list) {
        groups.add(group((YMap) x, placeholders, errors));
      }
    } else if (v instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(x -> x instanceof Scalar)) {
      item(where, null, List.of(), list, placeholders, errors).ifPresent(i -> groups.add(List.of(i)));
    } else if (v instanceof Scalar s) {
      item(where, null, List.of(), List.of(s), placeholders, errors).ifPresent(i -> groups.add(List.of(i)));
    } else {
      errors.add(where + ": search identifier '" + name + "' must be a mapping, a list of mappings or a list of "
          + "keywords");
    }
    return groups;
  }

  private static List<DetectionItem> group(YMap map, Map<String, List<String>> placeholders, List<String> errors) {
    List<DetectionItem> items = new ArrayList<>();
    for (Map.Entry<String, Object> e : map.values.entrySet()) {
      String[] parts = e.getKey().split("\\|", -1);
      String field = parts[0].isEmpty() ? null : parts[0];
      List<String> mods = List.of(parts).subList(1, parts.length);
      String where = map.position(e.getKey());
      Object v = e.getValue();
      List<?> values = v instanceof List<?> l ? l : java.util.Collections.singletonList(v == null
          ? new Scalar("null", Yaml.Kind.NULL, 0, 0) : v);
      if (values.isEmpty()) {
        errors.add(where + ": '" + e.getKey() + "' has an empty list of values");
        continue;
      }
      if (!values.stream().allMatch(x -> x instanceof Scalar)) {
        errors.add(where + ": values of '" + e.getKey() + "' must be scalars");
        continue;
      }
      item(where, field, mods, values, placeholders, errors).ifPresent(items::add);
    }
    return items;
  }

  private static java.util.Optional<DetectionItem> item(String where, String field, List<String> mods, List<?> values,
      Map<String, List<String>> placeholders, List<String> errors) {
    List<Modifiers.Raw> raws = new ArrayList<>();
    for (Object o : values) {
      Scalar s = (Scalar) o;
      raws.add(new Modifiers.Raw(s.text(), s.kind()));
    }
    try {
      Modifiers.Result r = Modifiers.apply(field, mods, raws, placeholders);
      return java.util.Optional.of(new DetectionItem(field, List.copyOf(mods), r.values(), r.all(), r.negated()));
    } catch (UnsupportedRuleException e) {
      throw e;
    } catch (SigmaException e) {
      errors.add(where + ": " + (field == null ? "keywords" : field) + ": " + e.getMessage());
      return java.util.Optional.empty();
    }
  }

  private static String requiredText(YMap m, String key, List<String> errors) {
    String t = text(m.get(key));
    if (t == null || t.isBlank()) {
      errors.add("line " + m.line + ": '" + key + "' missing");
      return "";
    }
    return t;
  }

  static String text(Object o) {
    return o instanceof Scalar s && s.kind() != Yaml.Kind.NULL ? s.text() : null;
  }

  static List<String> texts(Object o) {
    if (o instanceof List<?> l) {
      List<String> out = new ArrayList<>();
      for (Object x : l) {
        String t = text(x);
        if (t != null) {
          out.add(t);
        }
      }
      return List.copyOf(out);
    }
    String t = text(o);
    return t == null ? List.of() : List.of(t);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}
