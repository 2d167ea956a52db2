package org.lovcen.sigma;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.lovcen.core.Level;

/*
 * How and why: the immutable compiled form of a rule corpus, shared by every evaluator thread
 * (compile once, run cheaply). Loading parses files in parallel, then compiles each rule once
 * per logsource variant into a matcher tree, interns every field name rules use into a dense id,
 * and builds one Aho-Corasick automaton per field over the prefilter literals of all rules. A
 * problem in one rule never stops the others: it is listed in the report with its file and
 * reason.
 */
/** A loaded and compiled set of Sigma rules. Immutable; thread-safe. */
public final class RuleSet {
  /**
   * How to load rules.
   *
   * @param placeholders values for {@code %name%} placeholders of {@code expand}
   * @param mappings extra logsource mapping files
   * @param statuses also run rules with status deprecated and unsupported
   * @param minLevel rules below this level are not run
   * @param prefilter use the literal prefilter (off only to check that it changes nothing)
   */
  public record Options(Map<String, List<String>> placeholders, List<Path> mappings, boolean statuses,
      Level minLevel, boolean prefilter) {
    /** Defaults: no placeholders, built-in mapping, skip deprecated/unsupported, all levels, prefilter on. */
    public static Options defaults() {
      return new Options(Map.of(), List.of(), false, Level.INFORMATIONAL, true);
    }

    public Options withPrefilter(boolean on) {
      return new Options(placeholders, mappings, statuses, minLevel, on);
    }

    public Options withMinLevel(Level level) {
      return new Options(placeholders, mappings, statuses, level, prefilter);
    }

    public Options withAllStatuses(boolean all) {
      return new Options(placeholders, mappings, all, minLevel, prefilter);
    }

    public Options withPlaceholders(Map<String, List<String>> values) {
      return new Options(Map.copyOf(values), mappings, statuses, minLevel, prefilter);
    }

    public Options withMappings(List<Path> files) {
      return new Options(placeholders, List.copyOf(files), statuses, minLevel, prefilter);
    }
  }

  /**
   * A rule that could not be used, or is not run yet.
   *
   * @param id rule id, or null when the file could not be parsed that far
   * @param path the rule file
   * @param reason why, with the position in the file where there is one
   */
  public record Issue(String id, String path, String reason) {}

  /**
   * What loading found.
   *
   * @param files rule files read
   * @param loaded valid rule documents
   * @param compiled rules compiled for every logsource variant they have
   * @param active compiled rules that run (status, level and placeholders allowing)
   * @param unsupported valid rules this engine cannot run, each with its reason
   * @param waiting compiled rules that wait for placeholder values
   * @param errors invalid rule documents, each with file and reason
   */
  public record Report(int files, int loaded, int compiled, int active, List<Issue> unsupported,
      List<Issue> waiting, List<Issue> errors) {}

  /** One rule compiled for one logsource variant. */
  static final class Compiled {
    final int index;
    final SigmaRule rule;
    final LogsourceMapping.Route route;
    final Node root;
    final List<Prefilter.Literal> prefilter;
    /** EventIDs the rule requires (null: unconstrained); narrows the route for known EventIDs. */
    final java.util.Set<Integer> eventIds;

    Compiled(int index, SigmaRule rule, LogsourceMapping.Route route, Node root, List<Prefilter.Literal> prefilter,
        java.util.Set<Integer> eventIds) {
      this.index = index;
      this.rule = rule;
      this.route = route;
      this.root = root;
      this.prefilter = prefilter;
      this.eventIds = eventIds;
    }

    /** Whether the rule can match an event of this channel and EventID (-1: unknown). */
    boolean admits(String foldedChannel, int eventId) {
      return route.admits(foldedChannel, eventId) && (eventIds == null || eventId < 0 || eventIds.contains(eventId));
    }
  }

  /** One field's automaton and, per pattern, the variants whose prefilter names it. */
  record FieldScan(int field, AhoCorasick automaton, int[][] variants) {}

  final List<Compiled> compiled;
  final HashMap<String, Integer> fieldIds;
  final FieldScan[] scans;
  final boolean prefilter;
  private final List<SigmaRule> rules;
  private final Report report;
  private final Correlations correlations;

  private RuleSet(List<Compiled> compiled, HashMap<String, Integer> fieldIds, boolean prefilter,
      List<SigmaRule> rules, Report report, Correlations correlations) {
    this.correlations = correlations;
    this.compiled = compiled;
    this.fieldIds = fieldIds;
    this.prefilter = prefilter;
    this.rules = rules;
    this.report = report;
    this.scans = buildScans(compiled);
  }

  /** Loads every {@code .yml}/{@code .yaml} file below the given files and folders. */
  public static RuleSet load(List<Path> roots, Options options) {
    List<Path> files = ruleFiles(roots);
    Map<String, List<String>> placeholders = options.placeholders();
    List<RuleParser.Parsed> parsed = files.parallelStream().map(f -> parseFile(f, placeholders)).toList();
    return build(files.stream().map(Path::toString).toList(), parsed, options);
  }

  /**
   * Compiles rule texts as {@link #load} compiles files: detection rules, correlations and
   * filters, in the order of their names. For rules that arrive as texts (a rules topic).
   *
   * @param texts rule name (a path) to YAML text
   */
  public static RuleSet loadTexts(Map<String, String> texts, Options options) {
    List<String> names = new ArrayList<>(new java.util.TreeMap<>(texts).keySet());
    Map<String, List<String>> placeholders = options.placeholders();
    List<RuleParser.Parsed> parsed = names.parallelStream()
        .map(n -> parseText(n, texts.get(n), placeholders)).toList();
    return build(names, parsed, options);
  }

  private static RuleSet build(List<String> files, List<RuleParser.Parsed> parsed, Options options) {
    List<SigmaRule> rules = new ArrayList<>();
    Map<SigmaRule, String> waiting = new LinkedHashMap<>();
    List<Issue> unsupported = new ArrayList<>();
    List<Issue> errors = new ArrayList<>();
    MetaRules meta = new MetaRules();
    for (int i = 0; i < files.size(); i++) {
      RuleParser.Parsed p = parsed.get(i);
      String path = files.get(i);
      rules.addAll(p.rules());
      waiting.putAll(p.waiting());
      p.unsupported().forEach(u -> unsupported.add(new Issue(u.id(), path, u.reason())));
      p.errors().forEach(e -> errors.add(new Issue(null, path, e)));
      meta.parse(path, p.metaRules(), unsupported, errors);
    }
    return build(files.size(), rules, waiting, unsupported, errors, options, meta);
  }

  /** Compiles already parsed rules (for tests and rule uploads). */
  public static RuleSet of(List<SigmaRule> rules, Options options) {
    return build(0, rules, Map.of(), new ArrayList<>(), new ArrayList<>(), options, new MetaRules());
  }

  /**
   * The rules among {@code rules} that the Sigma filters in {@code filters} apply to, compiled
   * with those filters: a rule that still matches an event here is not filtered out for it. For
   * per-institution filters over a shared rule set.
   *
   * @param filters filter name to YAML text (filter documents only)
   * @throws SigmaException naming every problem in the filter texts
   */
  public static RuleSet filtered(List<SigmaRule> rules, Map<String, String> filters, Options options) {
    MetaRules meta = new MetaRules();
    List<Issue> unsupported = new ArrayList<>();
    List<Issue> errors = new ArrayList<>();
    for (Map.Entry<String, String> f : filters.entrySet()) {
      RuleParser.Parsed p = RuleParser.parse(f.getKey(), f.getValue(), options.placeholders());
      p.errors().forEach(e -> errors.add(new Issue(null, f.getKey(), e)));
      if (!p.rules().isEmpty()) {
        errors.add(new Issue(null, f.getKey(), "a detection rule, not a filter (filters have 'filter:' and no 'detection:')"));
      }
      meta.parse(f.getKey(), p.metaRules(), unsupported, errors);
    }
    unsupported.forEach(u -> errors.add(new Issue(u.id(), u.path(), u.reason())));
    if (!errors.isEmpty()) {
      throw new SigmaException(String.join("; ", errors.stream().map(i -> i.path() + ": " + i.reason()).toList()));
    }
    List<SigmaRule> covered = rules.stream().filter(meta::filters).toList();
    return build(0, covered, Map.of(), new ArrayList<>(), new ArrayList<>(), options.withAllStatuses(true), meta);
  }

  /**
   * Parses one rule text.
   *
   * @throws SigmaException listing every problem found, with positions
   */
  public static List<SigmaRule> parse(String path, String yaml, Map<String, List<String>> placeholders) {
    RuleParser.Parsed p = RuleParser.parse(path, yaml, placeholders);
    if (!p.errors().isEmpty()) {
      throw new SigmaException(path + ": " + String.join("; ", p.errors()));
    }
    if (!p.unsupported().isEmpty()) {
      throw new UnsupportedRuleException(path + ": " + p.unsupported().get(0).reason());
    }
    return p.rules();
  }

  private static RuleParser.Parsed parseText(String name, String text, Map<String, List<String>> placeholders) {
    try {
      return RuleParser.parse(name, text, placeholders);
    } catch (RuntimeException e) {
      return new RuleParser.Parsed(List.of(), List.of(), List.of("cannot parse: " + e.getMessage()), List.of(),
          Map.of());
    }
  }

  private static RuleParser.Parsed parseFile(Path f, Map<String, List<String>> placeholders) {
    try {
      return RuleParser.parse(f.toString(), Files.readString(f, StandardCharsets.UTF_8), placeholders);
    } catch (IOException | RuntimeException e) {
      return new RuleParser.Parsed(List.of(), List.of(), List.of("cannot read: " + e.getMessage()), List.of(),
          Map.of());
    }
  }

  private static RuleSet build(int files, List<SigmaRule> rules, Map<SigmaRule, String> waiting,
      List<Issue> unsupported, List<Issue> errors, Options options, MetaRules meta) {
    LogsourceMapping mapping = LogsourceMapping.load(options.mappings());
    HashMap<String, Integer> fieldIds = new HashMap<>();
    Compiler compiler = new Compiler(fieldIds);
    List<Compiled> compiled = new ArrayList<>();
    List<SigmaRule> active = new ArrayList<>();
    List<Issue> waitingIssues = new ArrayList<>();
    int ok = 0;
    for (SigmaRule r : rules) {
      List<Compiled> variants = new ArrayList<>();
      try {
        for (LogsourceMapping.Variant v : mapping.variants(r.logsource())) {
          Node root = meta.filtered(r, v, compiler.compile(r, v), compiler);
          variants.add(new Compiled(-1, r, v.route(), root, Prefilter.of(root),
              EventIds.required(root, compiler.fieldId("EventID"))));
        }
      } catch (UnsupportedRuleException e) {
        unsupported.add(new Issue(r.id(), r.path(), e.getMessage()));
        continue;
      } catch (SigmaException e) {
        errors.add(new Issue(r.id(), r.path(), e.getMessage()));
        continue;
      }
      ok++;
      String wait = waiting.get(r);
      if (wait != null) {
        waitingIssues.add(new Issue(r.id(), r.path(), wait));
        continue;
      }
      if (!runs(r, options) && !meta.referenced(r)) {
        continue;
      }
      active.add(r);
      for (Compiled c : variants) {
        compiled.add(new Compiled(compiled.size(), c.rule, c.route, c.root, options.prefilter() ? c.prefilter : null,
            options.prefilter() ? c.eventIds : null));
      }
    }
    Correlations correlations = meta.resolve(active, options.minLevel(), errors);
    Report report = new Report(files, rules.size(), ok, active.size(), List.copyOf(unsupported),
        List.copyOf(waitingIssues), List.copyOf(errors));
    return new RuleSet(List.copyOf(compiled), fieldIds, options.prefilter(), List.copyOf(active), report,
        correlations);
  }

  private static boolean runs(SigmaRule r, Options o) {
    String status = r.status() == null ? "" : r.status().toLowerCase(Locale.ROOT);
    if (!o.statuses() && (status.equals("deprecated") || status.equals("unsupported"))) {
      return false;
    }
    return r.level().compareTo(o.minLevel()) >= 0;
  }

  private static FieldScan[] buildScans(List<Compiled> compiled) {
    Map<Integer, Map<String, List<Integer>>> byField = new LinkedHashMap<>();
    for (Compiled c : compiled) {
      if (c.prefilter == null) {
        continue;
      }
      for (Prefilter.Literal l : c.prefilter) {
        List<Integer> vs = byField.computeIfAbsent(l.field(), k -> new LinkedHashMap<>())
            .computeIfAbsent(l.text(), k -> new ArrayList<>());
        if (vs.isEmpty() || vs.get(vs.size() - 1) != c.index) {
          vs.add(c.index);
        }
      }
    }
    List<FieldScan> out = new ArrayList<>();
    byField.forEach((field, lits) -> {
      List<String> patterns = new ArrayList<>(lits.keySet());
      int[][] variants = new int[patterns.size()][];
      for (int i = 0; i < patterns.size(); i++) {
        variants[i] = lits.get(patterns.get(i)).stream().mapToInt(Integer::intValue).toArray();
      }
      out.add(new FieldScan(field, new AhoCorasick(patterns), variants));
    });
    return out.toArray(new FieldScan[0]);
  }

  /** Rule files below the roots, in path order; the roots may be files. */
  public static List<Path> ruleFiles(List<Path> roots) {
    List<Path> out = new ArrayList<>();
    for (Path root : roots) {
      if (Files.isRegularFile(root)) {
        out.add(root);
        continue;
      }
      if (!Files.isDirectory(root)) {
        throw new SigmaException(root + ": no such rule file or folder");
      }
      try (Stream<Path> s = Files.walk(root)) {
        s.filter(Files::isRegularFile).filter(p -> {
          String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
          return n.endsWith(".yml") || n.endsWith(".yaml");
        }).sorted().forEach(out::add);
      } catch (IOException e) {
        throw new SigmaException(root + ": cannot list: " + e.getMessage());
      }
    }
    return out;
  }

  /** A new evaluator for one thread. */
  public Evaluator evaluator() {
    return new Evaluator(this);
  }

  /** The rules that run, in load order. */
  public List<SigmaRule> rules() {
    return rules;
  }

  public Report report() {
    return report;
  }

  /** Number of compiled (rule, logsource variant) pairs that run. */
  public int variants() {
    return compiled.size();
  }

  /** Statistics of the prefilter, for {@code rules check} and benchmarks. */
  public String prefilterSummary() {
    long filtered = compiled.stream().filter(c -> c.prefilter != null).count();
    int states = 0;
    for (FieldScan s : scans) {
      states += s.automaton().states();
    }
    return filtered + " of " + compiled.size() + " rule variants prefiltered over " + scans.length
        + " fields (" + states + " automaton states)";
  }

  /** The correlation rules (and the count of filters) of this set; empty when there are none. */
  public Correlations correlations() {
    return correlations;
  }
}
