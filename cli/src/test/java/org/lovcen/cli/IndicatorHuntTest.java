package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.intel.Intel;
import org.lovcen.sigma.RuleSet;

/**
 * A partner's bundle with the demo campaign's C2 domain and address and the ransomware's hashes
 * finds the demo intrusion, and nothing in the ordinary activity alone.
 */
class IndicatorHuntTest {
  @TempDir
  static Path tmp;
  static Path bundle;

  /** The demo generator's Hashes digests of a tool (see demo Software.hashes). */
  private static String digest(String alg, String key) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  @BeforeAll
  static void partnerBundle() throws Exception {
    bundle = tmp.resolve("partner.json");
    Files.writeString(bundle, """
        {"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "objects": [
          {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000001",
           "created": "2022-08-01T00:00:00Z", "modified": "2022-08-01T00:00:00Z", "name": "Cuba C2",
           "pattern": "[domain-name:value = 'api.telemetry-msn.net'] OR [ipv4-addr:value = '198.51.100.77']",
           "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z", "confidence": 90,
           "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]},
          {"type": "indicator", "spec_version": "2.1", "id": "indicator--0f1a2b3c-0000-4000-8000-000000000002",
           "created": "2022-08-01T00:00:00Z", "modified": "2022-08-01T00:00:00Z", "name": "Cuba ransomware",
           "pattern": "[file:hashes.'SHA-256' = '%s' OR file:hashes.MD5 = '%s']",
           "pattern_type": "stix", "valid_from": "2022-08-01T00:00:00Z"}]}
        """.formatted(digest("SHA-256", "actor:encryptor"), digest("MD5", "actor:killer")));
  }

  private static List<Alert> hunt(Path dir) throws IOException {
    RuleSet rules = RuleSet.load(List.of(Project.ownRules()), RuleSet.Options.defaults());
    IndicatorSet intel = Intel.load(List.of(bundle)).compile();
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(p -> p.toString().endsWith(".jsonl") && !p.endsWith("ground-truth.jsonl")).sorted().toList();
    }
    return new Hunt(rules, 2).indicators(intel).run(Readers.openAll(files, new ReadOptions(null, null), p -> {}), p -> {},
        b -> {}).alerts().stream().filter(a -> a.kind().equals("indicator")).toList();
  }

  @Test
  void partnerIndicators_findTheDemoIntrusion_andNothingInTheOrdinaryActivity() throws IOException,
      NoSuchAlgorithmException {
    Path demo = tmp.resolve("demo");
    ScenarioGenerator.generate(demo, ScenarioGenerator.Options.defaults().withEvents(20_000));
    List<Alert> found = hunt(demo);
    Set<String> values = found.stream().map(a -> a.group().get("value")).collect(Collectors.toSet());
    assertThat(values).contains("api.telemetry-msn.net", "198.51.100.77", digest("SHA-256", "actor:encryptor"),
        digest("MD5", "actor:killer"));
    assertThat(found).allSatisfy(a -> assertThat(a.author()).isEqualTo(bundle.toString()));
    assertThat(found).filteredOn(a -> a.group().get("value").equals("198.51.100.77"))
        .allSatisfy(a -> assertThat(a.group()).containsEntry("marking", "TLP:AMBER"));
    Set<String> attack = new HashSet<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(demo.resolve("ground-truth.jsonl"))) {
      JsonNode g = json.readTree(line);
      attack.add(demo.resolve(g.path("file").asText()) + ":" + g.path("line").asLong());
    }
    assertThat(found).allSatisfy(a -> assertThat(attack).as("ordinary activity must not match")
        .contains(Path.of(a.source()) + ":" + a.record()));
  }
}
