package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.sigma.SigmaRule.DetectionItem;
import org.lovcen.sigma.SigmaRule.SearchIdentifier;

/*
 * How and why: the last pure stage before evaluation. Conditions become a tree of Nodes whose
 * leaves read fields by interned id; a logsource variant contributes its field renames and extra
 * conditions (e.g. registry_add is Sysmon 12 with EventType CreateKey). The switches over the
 * sealed Condition and SigmaValue types are exhaustive, so a new form cannot be forgotten here.
 */
/** Compiles parsed rules into matcher trees. Not thread-safe: it grows the field dictionary. */
final class Compiler {
  private final HashMap<String, Integer> fieldIds;

  Compiler(HashMap<String, Integer> fieldIds) {
    this.fieldIds = fieldIds;
  }

  int fieldId(String name) {
    Integer id = fieldIds.get(name);
    if (id == null) {
      id = fieldIds.size();
      fieldIds.put(name, id);
    }
    return id;
  }

  /** The matcher tree of one rule read through one logsource variant. */
  Node compile(SigmaRule rule, LogsourceMapping.Variant variant) {
    Map<String, Node> memo = new HashMap<>();
    List<Node> conds = new ArrayList<>();
    for (Condition c : rule.detection().conditions()) {
      conds.add(condition(c, rule.detection().identifiers(), variant, memo));
    }
    Node cond = conds.size() == 1 ? conds.get(0) : new Node.Or(conds.toArray(new Node[0]));
    if (variant.conditions().isEmpty()) {
      return cond;
    }
    List<Node> all = new ArrayList<>();
    variant.conditions().forEach((field, values) -> {
      List<ValueMatcher> ms = new ArrayList<>();
      for (String v : values) {
        ms.add(new ValueMatcher.Glob(Modifiers.wildcards(v), false));
      }
      all.add(new Node.Field(fieldId(field), field, ms.toArray(new ValueMatcher[0])));
    });
    all.add(cond);
    return new Node.And(all.toArray(new Node[0]));
  }

  private Node condition(Condition c, Map<String, SearchIdentifier> ids, LogsourceMapping.Variant variant,
      Map<String, Node> memo) {
    return switch (c) {
      case Condition.And a -> new Node.And(each(a.operands(), ids, variant, memo));
      case Condition.Or o -> new Node.Or(each(o.operands(), ids, variant, memo));
      case Condition.Not n -> new Node.Not(condition(n.operand(), ids, variant, memo));
      case Condition.Ref r -> identifier(ids.get(r.name()), variant, memo);
      case Condition.Of of -> {
        List<Node> nodes = new ArrayList<>();
        for (String name : Identifiers.matching(of.pattern(), ids.keySet())) {
          nodes.add(identifier(ids.get(name), variant, memo));
        }
        Node[] arr = nodes.toArray(new Node[0]);
        if (of.count() < 0) {
          yield new Node.And(arr);
        }
        yield of.count() == 1 ? new Node.Or(arr) : new Node.AtLeast(of.count(), arr);
      }
    };
  }

  private Node[] each(List<Condition> cs, Map<String, SearchIdentifier> ids, LogsourceMapping.Variant variant,
      Map<String, Node> memo) {
    Node[] out = new Node[cs.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = condition(cs.get(i), ids, variant, memo);
    }
    return out;
  }

  private Node identifier(SearchIdentifier si, LogsourceMapping.Variant variant, Map<String, Node> memo) {
    Node cached = memo.get(si.name());
    if (cached != null) {
      return cached;
    }
    List<Node> groups = new ArrayList<>();
    for (List<DetectionItem> g : si.groups()) {
      List<Node> items = new ArrayList<>();
      for (DetectionItem item : g) {
        items.add(item(item, variant));
      }
      groups.add(items.size() == 1 ? items.get(0) : new Node.And(items.toArray(new Node[0])));
    }
    Node n = groups.isEmpty() ? new Node.Const(false)
        : groups.size() == 1 ? groups.get(0) : new Node.Or(groups.toArray(new Node[0]));
    memo.put(si.name(), n);
    return n;
  }

  private Node item(DetectionItem item, LogsourceMapping.Variant variant) {
    String field = item.field() == null ? null : variant.renames().getOrDefault(item.field(), item.field());
    List<Node> parts = new ArrayList<>();
    List<ValueMatcher> matchers = new ArrayList<>();
    for (SigmaValue v : item.values()) {
      Node special = special(field, v, variant);
      if (special != null) {
        parts.add(special);
      } else if (item.all()) {
        parts.add(leaf(field, new ValueMatcher[] {field == null ? keywordMatcher(v) : matcher(v)}));
      } else {
        matchers.add(field == null ? keywordMatcher(v) : matcher(v));
      }
    }
    if (!matchers.isEmpty()) {
      parts.add(leaf(field, matchers.toArray(new ValueMatcher[0])));
    }
    Node n;
    if (parts.size() == 1) {
      n = parts.get(0);
    } else {
      n = item.all() ? new Node.And(parts.toArray(new Node[0])) : new Node.Or(parts.toArray(new Node[0]));
    }
    return item.negated() ? new Node.Not(n) : n;
  }

  private Node leaf(String field, ValueMatcher[] ms) {
    return field == null ? new Node.Keyword(ms) : new Node.Field(fieldId(field), field, ms);
  }

  /** Keywords search the whole event: a plain keyword matches anywhere in a value (as pySigma's raw search). */
  private static ValueMatcher keywordMatcher(SigmaValue v) {
    if (v instanceof SigmaValue.Str s) {
      String p = s.pattern();
      if (p.isEmpty() || p.charAt(0) != SigmaValue.STAR) {
        p = SigmaValue.STAR + p;
      }
      if (p.charAt(p.length() - 1) != SigmaValue.STAR || p.length() == 1) {
        p = p + SigmaValue.STAR;
      }
      return new ValueMatcher.Glob(p, s.cased());
    }
    return matcher(v);
  }

  /** Values that are not tests of the field's own value: exists and field references. */
  private Node special(String field, SigmaValue v, LogsourceMapping.Variant variant) {
    if (v instanceof SigmaValue.Exists e) {
      return new Node.Exists(fieldId(field), e.exists());
    }
    if (v instanceof SigmaValue.FieldRef f) {
      String ref = variant.renames().getOrDefault(f.field(), f.field());
      return new Node.FieldRef(fieldId(field), fieldId(ref), f.startsWith(), f.endsWith());
    }
    return null;
  }

  static ValueMatcher matcher(SigmaValue v) {
    return switch (v) {
      case SigmaValue.Str s -> new ValueMatcher.Glob(s.pattern(), s.cased());
      case SigmaValue.Num n -> new ValueMatcher.Num(n.text(), n.value());
      case SigmaValue.Bool b -> new ValueMatcher.Bool(b.value());
      case SigmaValue.Null n -> new ValueMatcher.Null();
      case SigmaValue.Re r -> new ValueMatcher.Regex(r);
      case SigmaValue.Cidr c -> new ValueMatcher.Cidr(c.network());
      case SigmaValue.Compare c -> new ValueMatcher.Compare(c.op(), c.value());
      case SigmaValue.TimePart t -> new ValueMatcher.TimePart(t.part(), matcher(t.inner()));
      case SigmaValue.Exists e -> throw new IllegalStateException("exists is compiled as a node");
      case SigmaValue.FieldRef f -> throw new IllegalStateException("fieldref is compiled as a node");
    };
  }
}
