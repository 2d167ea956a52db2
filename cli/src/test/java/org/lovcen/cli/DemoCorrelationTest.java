package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.SharedData;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.sigma.RuleSet;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Lovcen's own correlation rules: valid against the specification's schema, fire on the demo
 * scenario, and not on its ordinary activity alone; results do not depend on the thread count.
 */
class DemoCorrelationTest {
  private static final Path RULES = Path.of("").toAbsolutePath().getParent().resolve("rules/lovcen");
  private static final Set<String> MUST_FIRE = Set.of("886840d6-14f9-45b0-a8a7-2a5e4b14e7e4",
      "4fe2fc2d-0714-4e1f-9dd5-c6784f077679", "646582fd-606a-4754-ad30-f4332498184e",
      "3db9f5b4-0c3b-4217-9a87-63477764e677");

  @TempDir
  static Path tmp;
  static Path demo;

  @BeforeAll
  static void generate() {
    demo = tmp.resolve("demo");
    ScenarioGenerator.generate(demo, ScenarioGenerator.Options.defaults());
  }

  private static List<Alert> hunt(Path dir, int threads) throws IOException {
    RuleSet set = RuleSet.load(List.of(RULES), RuleSet.Options.defaults());
    assertThat(set.report().errors()).isEmpty();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".jsonl") && !p.endsWith("ground-truth.jsonl")).sorted().toList();
    }
    List<EventSource> sources = Readers.openAll(files, new ReadOptions(null, null), p -> {});
    return new Hunt(set, threads).run(sources, p -> {}, b -> {}).alerts();
  }

  @Test
  void demoScenario_firesEveryCorrelation_andBaseRulesAreNotOutputAlone() throws IOException {
    List<Alert> alerts = hunt(demo, 2);
    Set<String> fired = new HashSet<>();
    alerts.stream().filter(a -> a.kind().equals("correlation")).forEach(a -> fired.add(a.ruleId()));
    assertThat(fired).isEqualTo(MUST_FIRE);
    assertThat(alerts).noneMatch(a -> a.ruleId().equals("daf44a5a-0d9b-4dd9-9372-0afc87d6a5d0"));
    Alert spray = alerts.stream().filter(a -> a.ruleId().equals("886840d6-14f9-45b0-a8a7-2a5e4b14e7e4")).findFirst()
        .orElseThrow();
    assertThat(spray.group()).isEqualTo(Map.of("IpAddress", "192.0.2.155"));
    assertThat(spray.events()).hasSizeGreaterThanOrEqualTo(40);
  }

  @Test
  void results_doNotDependOnTheThreadCount() throws IOException {
    List<String> one = hunt(demo, 1).stream().map(Alert::toString).toList();
    List<String> three = hunt(demo, 3).stream().map(Alert::toString).toList();
    assertThat(three).isEqualTo(one);
  }

  @Test
  void ordinaryActivityAlone_firesNoCorrelation() throws IOException {
    Path plain = tmp.resolve("plain");
    Map<String, Set<Integer>> attack = new java.util.HashMap<>();
    Pattern p = Pattern.compile("\"file\":\"([^\"]+)\",\"line\":(\\d+)");
    for (String l : Files.readAllLines(demo.resolve("ground-truth.jsonl"))) {
      Matcher m = p.matcher(l);
      assertThat(m.find()).isTrue();
      attack.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(Integer.parseInt(m.group(2)));
    }
    try (Stream<Path> s = Files.walk(demo)) {
      for (Path f : s.filter(x -> x.toString().endsWith(".jsonl") && !x.endsWith("ground-truth.jsonl")).toList()) {
        String rel = demo.relativize(f).toString();
        List<String> lines = Files.readAllLines(f);
        List<String> keep = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
          if (!attack.getOrDefault(rel, Set.of()).contains(i + 1)) {
            keep.add(lines.get(i));
          }
        }
        Files.createDirectories(plain.resolve(rel).getParent());
        Files.write(plain.resolve(rel), keep);
      }
    }
    assertThat(hunt(plain, 2)).noneMatch(a -> a.kind().equals("correlation"));
  }

  /**
   * Checked by hand against the schema's required keys, type values and shapes (the schema is
   * read for the required keys and the type values; a JSON-schema library is not used).
   */
  @Test
  void lovcenCorrelations_followTheSpecificationSchema() throws IOException {
    Path schema = SharedData.resolve("sigma/spec/json-schema/sigma-correlation-rules-schema.json");
    assumeTrue(schema != null, "shared spec folder absent");
    String text = Files.readString(schema);
    Set<String> types = new HashSet<>();
    Matcher m = Pattern.compile("\"const\"\\s*:\\s*\"([a-z_]+)\"").matcher(text);
    while (m.find()) {
      types.add(m.group(1));
    }
    assertThat(types).contains("event_count", "value_count", "temporal", "temporal_ordered");
    int n = 0;
    try (Stream<Path> s = Files.list(RULES.resolve("correlations"))) {
      for (Path f : s.filter(x -> x.getFileName().toString().startsWith("mr_")).toList()) {
        n++;
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) new Load(LoadSettings.builder().build())
            .loadFromString(Files.readString(f));
        checkSchema(f.getFileName().toString(), r, types);
      }
    }
    assertThat(n).isEqualTo(5);
  }

  @SuppressWarnings("unchecked")
  private static void checkSchema(String where, Map<String, Object> r, Set<String> types) {
    assertThat(r).as(where).containsKeys("title", "correlation");
    assertThat((String) r.get("title")).as(where).hasSizeLessThanOrEqualTo(256);
    Map<String, Object> c = (Map<String, Object>) r.get("correlation");
    assertThat(c).as(where).containsKeys("type", "rules", "timespan");
    assertThat(c.keySet()).as(where).isSubsetOf("type", "rules", "aliases", "group-by", "timespan", "condition",
        "generate");
    assertThat(types).as(where).contains((String) c.get("type"));
    List<Object> rules = (List<Object>) c.get("rules");
    assertThat(rules).as(where).isNotEmpty().doesNotHaveDuplicates()
        .allMatch(x -> x instanceof String s && s.length() >= 2);
    if (c.containsKey("group-by")) {
      assertThat((List<Object>) c.get("group-by")).as(where).doesNotHaveDuplicates().allMatch(x -> x instanceof String);
    }
    assertThat((String) c.get("timespan")).as(where).hasSizeLessThanOrEqualTo(10).matches("\\d+[smhd]");
    if (c.containsKey("condition")) {
      Map<String, Object> cond = (Map<String, Object>) c.get("condition");
      assertThat(cond.keySet()).as(where).isSubsetOf("gt", "gte", "lt", "lte", "eq", "neq", "field");
      cond.forEach((k, v) -> assertThat(k.equals("field") ? v instanceof String : v instanceof Integer).as(where + " " + k)
          .isTrue());
    }
  }
}
