package org.lovcen.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Structural checks of the project's own rules (rules/lovcen): they parse, carry the keys
 * Sigma and the project require, reference each other consistently, and the generator's
 * ground truth names only rules that exist and are documented in EXPECTED.md. Matching itself
 * is checked by scripts/check-lovcen-rules.py until the engine exists.
 */
class LovcenRulesTest {
  private static final Set<String> LEVELS = Set.of("informational", "low", "medium", "high", "critical");
  private static final Set<String> STATUS = Set.of("experimental", "test", "stable");

  private static Path rulesDir() {
    String root = System.getProperty("lovcen.root");
    Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    return base.resolve("rules").resolve("lovcen");
  }

  private static Map<Path, Map<String, Object>> rules() throws IOException {
    Map<Path, Map<String, Object>> out = new HashMap<>();
    try (Stream<Path> s = Files.walk(rulesDir())) {
      for (Path p : s.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        List<Object> docs = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(p)).forEach(docs::add);
        assertThat(docs).as(p + ": one rule per file").hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> rule = (Map<String, Object>) docs.get(0);
        out.put(p, rule);
      }
    }
    return out;
  }

  @Test
  void everyRule_hasTheRequiredKeys() throws IOException {
    Set<String> ids = new HashSet<>();
    Map<Path, Map<String, Object>> rules = rules();
    assertThat(rules).hasSizeGreaterThanOrEqualTo(20);
    rules.forEach((p, r) -> {
      String where = p.getFileName().toString();
      assertThat(r).as(where).containsKeys("title", "id", "status", "description", "author", "date", "level");
      assertThat(UUID.fromString((String) r.get("id")).version()).as(where).isEqualTo(4);
      assertThat(ids.add((String) r.get("id"))).as(where + " id unique").isTrue();
      assertThat(r.get("author")).as(where).isEqualTo("Lovcen CERT team");
      assertThat(String.valueOf(r.get("date"))).as(where).matches("\\d{4}-\\d\\d-\\d\\d");
      assertThat(STATUS).as(where).contains((String) r.get("status"));
      assertThat(LEVELS).as(where).contains((String) r.get("level"));
      assertThat(where).matches("[a-z0-9_]{10,70}\\.yml");
      if (r.containsKey("correlation")) {
        assertThat(where).startsWith("mr_");
        assertThat(p.getParent().getFileName().toString()).isEqualTo("correlations");
      } else {
        assertThat(r).as(where).containsKeys("logsource", "detection", "tags");
        @SuppressWarnings("unchecked")
        Map<String, Object> detection = (Map<String, Object>) r.get("detection");
        assertThat(detection).as(where).containsKey("condition");
        @SuppressWarnings("unchecked")
        List<String> tags = (List<String>) r.get("tags");
        assertThat(tags).as(where).allMatch(t -> t.matches("[a-z0-9_-]+\\.[a-z0-9._-]+"))
            .anyMatch(t -> t.matches("attack\\.t\\d{4}(\\.\\d{3})?"));
      }
    });
  }

  @Test
  void correlations_referenceRulesByNameThatExistAndHaveTheGroupByFields() throws IOException {
    Map<Path, Map<String, Object>> rules = rules();
    Map<String, Map<String, Object>> byName = new HashMap<>();
    rules.values().forEach(r -> {
      if (r.get("name") != null) {
        byName.put((String) r.get("name"), r);
      }
    });
    int correlations = 0;
    for (Map.Entry<Path, Map<String, Object>> e : rules.entrySet()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> c = (Map<String, Object>) e.getValue().get("correlation");
      if (c == null) {
        continue;
      }
      correlations++;
      assertThat(List.of("event_count", "value_count", "temporal", "temporal_ordered")).contains((String) c.get("type"));
      assertThat((String) c.get("timespan")).matches("\\d+[smhd]");
      assertThat(c).containsKey("group-by");
      @SuppressWarnings("unchecked")
      List<String> refs = (List<String>) c.get("rules");
      for (String ref : refs) {
        assertThat(byName).as(e.getKey() + " references " + ref).containsKey(ref);
        Path referenced = rules.entrySet().stream().filter(x -> ref.equals(x.getValue().get("name"))).findFirst()
            .orElseThrow().getKey();
        assertThat(referenced.getParent()).isEqualTo(e.getKey().getParent());
      }
      if (!c.get("type").toString().startsWith("temporal")) {
        assertThat(c).containsKey("condition");
      }
    }
    assertThat(correlations).isEqualTo(5);
  }

  @Test
  void groundTruthRuleNames_existAndAreDocumented() throws Exception {
    Set<String> files = new HashSet<>();
    rules().keySet().forEach(p -> files.add(p.getFileName().toString().replace(".yml", "")));
    String expected = Files.readString(rulesDir().resolve("EXPECTED.md"));
    List<String> named = new ArrayList<>();
    for (Field f : AttackPlan.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && (f.getName().startsWith("R_") || f.getName().startsWith("B_"))) {
        f.setAccessible(true);
        named.add((String) f.get(null));
      }
    }
    assertThat(named).hasSizeGreaterThanOrEqualTo(20);
    for (String n : named) {
      assertThat(files).as(n).contains(n);
    }
    for (String f : files) {
      assertThat(expected).as(f + " documented in EXPECTED.md").contains(f);
    }
    for (String step : AttackPlan.STEPS) {
      assertThat(expected).as(step + " documented in EXPECTED.md").contains(step);
    }
  }
}
