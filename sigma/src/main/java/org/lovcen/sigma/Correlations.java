package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lovcen.core.Event;

/*
 * How and why: the compiled form of the correlation rules of a rule set. References (by id or
 * name) are resolved once, against the detection rules that run and the other correlations;
 * aliases are resolved per referenced rule into the field names read from its events. Each
 * referenced detection rule becomes an "input" with the list of fields to read from a matching
 * event (the union over every correlation that uses it), and each correlation an index per input
 * position into that list. A correlation referenced by another correlation feeds it its firings,
 * with its group-by values as the fields the parent reads. The detector (per runner, stateful)
 * only ever sees indexes.
 */
/** The correlation rules of a rule set, resolved and compiled. Immutable; thread-safe. */
public final class Correlations {
  /** A referenced detection rule: the fields read from its matching events, and who uses them. */
  record Input(SigmaRule rule, String[] fields, int[] targets, int[] positions) {}

  /**
   * One correlation with its resolved references.
   *
   * @param rule the correlation
   * @param index its position
   * @param sources per referenced rule: input index (>= 0) or -(child correlation index) - 1
   * @param groupFields per referenced rule: index into the source's fields per group-by field (-1: none)
   * @param valueField per referenced rule: index of the condition field (-1: none)
   * @param parents correlations that reference this one
   * @param parentPositions the position of this correlation among each parent's rules
   */
  record Node(Correlation rule, int index, int[] sources, int[][] groupFields, int[] valueField, int[] parents,
      int[] parentPositions) {}

  private static final Correlations NONE = new Correlations(List.of(), List.of(), new IdentityHashMap<>(),
      java.util.Collections.newSetFromMap(new IdentityHashMap<>()), Set.of(), 0);

  final List<Node> nodes;
  final List<Input> inputs;
  private final IdentityHashMap<SigmaRule, Integer> inputOf;
  private final Set<SigmaRule> hidden;
  private final Set<String> hiddenCorrelations;
  private final int filters;

  private Correlations(List<Node> nodes, List<Input> inputs, IdentityHashMap<SigmaRule, Integer> inputOf,
      Set<SigmaRule> hidden, Set<String> hiddenCorrelations, int filters) {
    this.nodes = nodes;
    this.inputs = inputs;
    this.inputOf = inputOf;
    this.hidden = hidden;
    this.hiddenCorrelations = hiddenCorrelations;
    this.filters = filters;
  }

  static Correlations none() {
    return NONE;
  }

  /** The correlation rules, in load order. */
  public List<Correlation> rules() {
    return nodes.stream().map(Node::rule).toList();
  }

  /** Number of Sigma filters applied to the rules. */
  public int filters() {
    return filters;
  }

  /** Whether no correlation runs. */
  public boolean isEmpty() {
    return nodes.isEmpty();
  }

  /**
   * Whether the rule's own matches are not output: it is referenced by a correlation with
   * {@code generate: false} (the default).
   */
  public boolean hidden(SigmaRule rule) {
    return hidden.contains(rule);
  }

  /** Whether the correlation's own alerts are not output (referenced without generate, or below the level). */
  public boolean hidden(String correlationId) {
    return hiddenCorrelations.contains(correlationId);
  }

  /** The hit for a match of the rule, or null when no correlation references the rule. */
  public CorrelationHit hit(SigmaRule rule, Event e) {
    Integer in = inputOf.get(rule);
    if (in == null) {
      return null;
    }
    String[] fields = inputs.get(in).fields();
    String[] values = new String[fields.length];
    for (int i = 0; i < fields.length; i++) {
      values[i] = e.get(fields[i]);
    }
    return new CorrelationHit(in, e.timestamp(), e.institution(), e.host(), values, e.source(), e.record());
  }

  /** A new detector over these correlations, for one runner (not thread-safe). */
  public CorrelationDetector detector(CorrelationDetector.Options options) {
    return new CorrelationDetector(this, options);
  }

  /** Rule ids and names referenced by the correlations (such rules run whatever their level). */
  static Set<String> referenced(List<Correlation> correlations) {
    Set<String> out = new java.util.HashSet<>();
    correlations.forEach(c -> out.addAll(c.rules()));
    return out;
  }

  /**
   * Resolves references. Problems (unknown rule, a cycle, an alias naming no referenced rule) go to
   * {@code errors} as (correlation, reason) and drop that correlation.
   */
  static Correlations resolve(List<Correlation> all, List<SigmaRule> rules, int filters,
      org.lovcen.core.Level minLevel, List<RuleSet.Issue> errors) {
    Map<String, SigmaRule> byRef = new HashMap<>();
    for (SigmaRule r : rules) {
      byRef.putIfAbsent(r.id(), r);
      if (r.name() != null) {
        byRef.putIfAbsent(r.name(), r);
      }
    }
    List<Correlation> ok = valid(all, byRef, errors);
    if (ok.isEmpty()) {
      return new Correlations(List.of(), List.of(), new IdentityHashMap<>(),
          java.util.Collections.newSetFromMap(new IdentityHashMap<>()), Set.of(), filters);
    }
    return build(ok, byRef, filters, minLevel);
  }

  private static List<Correlation> valid(List<Correlation> all, Map<String, SigmaRule> byRef,
      List<RuleSet.Issue> errors) {
    List<Correlation> ok = new ArrayList<>(all);
    boolean changed = true;
    while (changed) {
      changed = false;
      Map<String, Correlation> corr = index(ok);
      for (Correlation c : List.copyOf(ok)) {
        String why = problem(c, byRef, corr);
        if (why != null) {
          errors.add(new RuleSet.Issue(c.id(), c.path(), why));
          ok.remove(c);
          changed = true;
        }
      }
    }
    return ok;
  }

  private static Map<String, Correlation> index(List<Correlation> cs) {
    Map<String, Correlation> out = new HashMap<>();
    for (Correlation c : cs) {
      out.putIfAbsent(c.id(), c);
      if (c.name() != null) {
        out.putIfAbsent(c.name(), c);
      }
    }
    return out;
  }

  private static String problem(Correlation c, Map<String, SigmaRule> byRef, Map<String, Correlation> corr) {
    for (String ref : c.rules()) {
      if (!byRef.containsKey(ref) && !corr.containsKey(ref)) {
        return "correlation references '" + ref + "', which is no loaded rule or correlation (or does not run)";
      }
    }
    for (Map.Entry<String, Map<String, String>> a : c.aliases().entrySet()) {
      for (String rule : a.getValue().keySet()) {
        if (!c.rules().contains(rule)) {
          return "alias '" + a.getKey() + "' names '" + rule + "', which the correlation does not reference";
        }
      }
    }
    return cycle(c, corr, new LinkedHashSet<>()) ? "correlation references itself through its rules" : null;
  }

  private static boolean cycle(Correlation c, Map<String, Correlation> corr, Set<Correlation> path) {
    if (!path.add(c)) {
      return true;
    }
    for (String ref : c.rules()) {
      Correlation child = corr.get(ref);
      if (child != null && cycle(child, corr, path)) {
        return true;
      }
    }
    path.remove(c);
    return false;
  }

  private static Correlations build(List<Correlation> cs, Map<String, SigmaRule> byRef, int filters,
      org.lovcen.core.Level minLevel) {
    Map<String, Correlation> corr = index(cs);
    Map<Correlation, Integer> nodeIndex = new IdentityHashMap<>();
    for (int i = 0; i < cs.size(); i++) {
      nodeIndex.put(cs.get(i), i);
    }
    IdentityHashMap<SigmaRule, Integer> inputOf = new IdentityHashMap<>();
    List<SigmaRule> inputRules = new ArrayList<>();
    List<List<String>> inputFields = new ArrayList<>();
    Set<SigmaRule> hidden = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    Set<String> hiddenCorr = new java.util.HashSet<>();
    int[][] sources = new int[cs.size()][];
    int[][][] groupFields = new int[cs.size()][][];
    int[][] valueFields = new int[cs.size()][];
    List<List<int[]>> parents = new ArrayList<>();
    cs.forEach(c -> parents.add(new ArrayList<>()));
    for (int ci = 0; ci < cs.size(); ci++) {
      Correlation c = cs.get(ci);
      int n = c.rules().size();
      sources[ci] = new int[n];
      groupFields[ci] = new int[n][];
      valueFields[ci] = new int[n];
      if (c.level().compareTo(minLevel) < 0) {
        hiddenCorr.add(c.id());
      }
      for (int p = 0; p < n; p++) {
        String ref = c.rules().get(p);
        String[] wanted = wanted(c, ref);
        Correlation child = corr.get(ref);
        SigmaRule base = child == null ? byRef.get(ref) : null;
        if (base != null) {
          int in = inputOf.computeIfAbsent(base, r -> {
            inputRules.add(r);
            inputFields.add(new ArrayList<>());
            return inputRules.size() - 1;
          });
          if (!c.generate()) {
            hidden.add(base);
          }
          sources[ci][p] = in;
          groupFields[ci][p] = positions(inputFields.get(in), wanted, c.groupBy().size(), true);
          valueFields[ci][p] = c.condition().field() == null ? -1
              : positions(inputFields.get(in), wanted, c.groupBy().size(), true)[c.groupBy().size()];
        } else {
          int childIndex = nodeIndex.get(child);
          if (!c.generate()) {
            hiddenCorr.add(child.id());
          }
          sources[ci][p] = -childIndex - 1;
          List<String> childGroup = new ArrayList<>(child.groupBy());
          int[] pos = positions(childGroup, wanted, c.groupBy().size(), false);
          groupFields[ci][p] = java.util.Arrays.copyOf(pos, c.groupBy().size());
          valueFields[ci][p] = c.condition().field() == null ? -1 : pos[c.groupBy().size()];
          parents.get(childIndex).add(new int[] {ci, p});
        }
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (int ci = 0; ci < cs.size(); ci++) {
      int[] ps = parents.get(ci).stream().mapToInt(x -> x[0]).toArray();
      int[] pp = parents.get(ci).stream().mapToInt(x -> x[1]).toArray();
      int[][] gf = new int[groupFields[ci].length][];
      for (int p = 0; p < gf.length; p++) {
        gf[p] = java.util.Arrays.copyOf(groupFields[ci][p], cs.get(ci).groupBy().size());
      }
      nodes.add(new Node(cs.get(ci), ci, sources[ci], gf, valueFields[ci], ps, pp));
    }
    List<Input> inputs = new ArrayList<>();
    for (int i = 0; i < inputRules.size(); i++) {
      inputs.add(new Input(inputRules.get(i), inputFields.get(i).toArray(new String[0]), new int[0], new int[0]));
    }
    return new Correlations(List.copyOf(nodes), List.copyOf(inputs), inputOf, hidden, Set.copyOf(hiddenCorr),
        filters);
  }

  /** Field names the correlation reads from a referenced rule's events: group-by (aliases resolved), then the field. */
  private static String[] wanted(Correlation c, String ref) {
    String[] out = new String[c.groupBy().size() + 1];
    for (int g = 0; g < c.groupBy().size(); g++) {
      String name = c.groupBy().get(g);
      Map<String, String> alias = c.aliases().get(name);
      out[g] = alias != null && alias.containsKey(ref) ? alias.get(ref) : name;
    }
    out[out.length - 1] = c.condition().field();
    return out;
  }

  /** Index of each wanted name in the list (appending when {@code grow}, else -1 when absent). */
  private static int[] positions(List<String> fields, String[] wanted, int groups, boolean grow) {
    int[] out = new int[wanted.length];
    for (int i = 0; i < wanted.length; i++) {
      String w = wanted[i];
      if (w == null) {
        out[i] = -1;
        continue;
      }
      int at = fields.indexOf(w);
      if (at < 0 && grow) {
        fields.add(w);
        at = fields.size() - 1;
      }
      out[i] = at;
    }
    return out;
  }
}
