package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.demo.ScenarioGenerator;

/*
 * How and why: the reference scenario through a real server. The demo generator writes five
 * institutions' Windows logs: the actor hits exactly the first three (one after the other, same
 * tools, hashes, command lines, infrastructure), the other two show unrelated activity that the
 * same rules flag. Every file is sent over the ingest API; after detection the linker runs once.
 * The ground truth of the generator says which hosts the actor touched; the test holds the
 * campaign to it: one campaign, exactly the three institutions, only attack hosts, patient zero
 * the attack host with the earliest alert, first and last seen its hosts' alert span; the noise
 * institutions have alerts but join no campaign. Then tenancy: an analyst of a hit institution
 * sees its own part only; an analyst of a noise institution sees nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CampaignScenarioTest {
  static final ScenarioGenerator.Options OPTIONS = ScenarioGenerator.Options.defaults().withHosts(30)
      .withEvents(3000).withInstitutions(5).withActorTargets(3);

  @TempDir static Path dir;
  private final Map<String, World> worlds = new HashMap<>();

  /** A server with the scenario sent and linked. */
  static final class World implements AutoCloseable {
    TestServer s;
    String admin;
    List<String> institutions;
    List<String> hit;
    /** Per institution, the hosts the ground truth names. */
    Map<String, Set<String>> attackHosts = new HashMap<>();
    final Map<String, String> analysts = new HashMap<>();

    @Override
    public void close() {
      s.close();
    }
  }

  @AfterAll
  void close() {
    worlds.values().forEach(World::close);
  }

  synchronized World world(String kind) throws IOException {
    World w = worlds.get(kind);
    if (w == null) {
      w = seed(kind, dir.resolve(kind));
      worlds.put(kind, w);
    }
    return w;
  }

  static World seed(String kind, Path where) throws IOException {
    Path data = where.resolve("scenario");
    ScenarioGenerator.Summary sum = ScenarioGenerator.generate(data, OPTIONS);
    World w = new World();
    w.institutions = sum.institutions();
    w.hit = sum.hit();
    for (String line : Files.readAllLines(data.resolve("ground-truth.jsonl"))) {
      JsonNode g = TestServer.JSON.readTree(line);
      w.attackHosts.computeIfAbsent(g.get("institution").asText(), k -> new TreeSet<>()).add(g.get("host").asText());
    }
    w.s = TestServer.start(kind, where);
    w.admin = w.s.admin();
    for (String inst : w.institutions) {
      String ingest = w.s.institution(w.admin, inst);
      try (var files = Files.list(data.resolve(inst))) {
        for (Path f : files.sorted().toList()) {
          send(w.s, ingest, Files.readAllLines(f, StandardCharsets.UTF_8));
        }
      }
      w.analysts.put(inst, w.s.user(w.admin, "analyst-" + inst, "institution_analyst", inst, null));
    }
    w.s.awaitDetection();
    w.s.server.linkCampaigns();
    return w;
  }

  private static void send(TestServer s, String token, List<String> lines) {
    for (int from = 0; from < lines.size(); from += 2000) {
      String chunk = String.join("\n", lines.subList(from, Math.min(lines.size(), from + 2000))) + "\n";
      TestServer.Response r = s.ingest(token, chunk);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("rejected").asInt()).isZero();
    }
  }

  static List<JsonNode> items(JsonNode page) {
    List<JsonNode> out = new ArrayList<>();
    page.get("items").forEach(out::add);
    return out;
  }

  /** Every alert of an institution (national view), oldest first. */
  static List<JsonNode> alerts(World w, String inst) {
    List<JsonNode> out = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = w.s.get("/api/v1/alerts?limit=1000&institution=" + inst + (cursor == null ? "" : "&cursor="
          + cursor), w.admin).json();
      page.get("items").forEach(out::add);
      cursor = page.get("next").isNull() ? null : page.get("next").asText();
    } while (cursor != null);
    out.sort(java.util.Comparator.comparing(a -> a.get("time").asText()));
    return out;
  }

  static JsonNode onlyCampaign(World w) {
    JsonNode list = w.s.get("/api/v1/campaigns", w.admin).json();
    assertThat(list.get("total").asInt()).as("campaigns: %s", list).isEqualTo(1);
    long id = list.get("items").get(0).get("id").asLong();
    return w.s.get("/api/v1/campaigns/" + id, w.admin).json();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void scenario_threeInstitutionsHitByOneActor_oneCampaignOfExactlyThose_noiseJoinsNone(String kind)
      throws IOException {
    World w = world(kind);
    assertThat(w.hit).hasSize(3).isEqualTo(w.institutions.subList(0, 3));
    JsonNode c = onlyCampaign(w);

    Set<String> members = new TreeSet<>();
    Set<String> memberInstitutions = new TreeSet<>();
    for (JsonNode m : c.get("members")) {
      String inst = m.get("institution").asText();
      memberInstitutions.add(inst);
      members.add(inst + "/" + m.get("host").asText());
      assertThat(w.attackHosts.get(inst)).as("%s is a host the actor touched", m).contains(m.get("host").asText());
    }
    assertThat(memberInstitutions).containsExactlyInAnyOrderElementsOf(w.hit);
    assertThat(c.get("institutions").asInt()).isEqualTo(3);
    assertThat(c.get("hosts").asInt()).isEqualTo(members.size());
    assertThat(c.get("links")).isNotEmpty().allSatisfy(l -> {
      assertThat(l.get("because").asText()).startsWith("linked because of the same ");
      assertThat(l.get("score").asDouble()).isGreaterThanOrEqualTo(1.5);
    });

    // patient zero and first/last seen: the earliest and latest alerts of the campaign's hosts
    String zeroKey = null;
    String first = null;
    String last = null;
    for (String inst : w.hit) {
      for (JsonNode a : alerts(w, inst)) {
        String key = inst + "/" + a.get("host").asText();
        if (!members.contains(key)) {
          continue;
        }
        if (first == null || a.get("time").asText().compareTo(first) < 0) {
          first = a.get("time").asText();
          zeroKey = key;
        }
        String end = a.get("last").asText();
        last = last == null || end.compareTo(last) > 0 ? end : last;
      }
    }
    JsonNode zero = c.get("patient_zero");
    assertThat(zero.get("institution").asText() + "/" + zero.get("host").asText()).isEqualTo(zeroKey);
    assertThat(zero.get("institution").asText()).as("the actor began at the first institution")
        .isEqualTo(w.hit.get(0));
    assertThat(zero.get("time").asText()).isEqualTo(first);
    assertThat(c.get("first").asText()).isEqualTo(first);
    assertThat(c.get("last").asText()).isLessThanOrEqualTo(last);

    // the noise institutions have alerts of the same rules, and no campaign holds them
    for (String inst : w.institutions.subList(3, 5)) {
      assertThat(alerts(w, inst)).as("alerts of %s", inst).isNotEmpty();
      assertThat(w.s.get("/api/v1/campaigns?institution=" + inst, w.admin).json().get("total").asInt()).isZero();
      assertThat(memberInstitutions).doesNotContain(inst);
    }
    // linking again finds the same campaign: it grows, it is not created twice
    assertThat(w.s.postJson("/api/v1/campaigns/link", w.admin, Map.of()).json().get("created")).isEmpty();
    assertThat(w.s.get("/api/v1/campaigns", w.admin).json().get("total").asInt()).isEqualTo(1);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void institutionAnalyst_seesItsPartOfTheCampaign_neverOtherInstitutionsHostsOrEvents(String kind)
      throws IOException {
    World w = world(kind);
    long id = onlyCampaign(w).get("id").asLong();
    String second = w.hit.get(1);
    String token = w.analysts.get(second);
    JsonNode list = w.s.get("/api/v1/campaigns", token).json();
    assertThat(list.get("total").asInt()).isEqualTo(1);
    JsonNode c = w.s.get("/api/v1/campaigns/" + id, token).json();
    assertThat(c.get("members")).isNotEmpty()
        .allSatisfy(m -> assertThat(m.get("institution").asText()).isEqualTo(second));
    assertThat(c.get("patient_zero").isNull()).as("patient zero is at another institution").isTrue();
    assertThat(c.get("links")).isNotEmpty().allSatisfy(l -> {
      boolean aMine = second.equals(l.get("a").get("institution").asText(null));
      boolean bMine = second.equals(l.get("b").get("institution").asText(null));
      assertThat(aMine || bMine).as("a link shown touches the institution: %s", l).isTrue();
      for (JsonNode end : List.of(l.get("a"), l.get("b"))) {
        assertThat(end.get("institution").isNull() || end.get("institution").asText().equals(second)).isTrue();
        assertThat(end.get("institution").isNull()).isEqualTo(end.get("host").isNull());
      }
    });
    String body = w.s.get("/api/v1/campaigns/" + id, token).body();
    JsonNode timeline = w.s.get("/api/v1/campaigns/" + id + "/timeline?limit=1000", token).json();
    assertThat(timeline.get("items")).isNotEmpty()
        .allSatisfy(i -> assertThat(i.get("institution").asText()).isEqualTo(second));
    String report = w.s.get("/api/v1/campaigns/" + id + "/report", token).body();
    for (String other : w.institutions) {
      if (other.equals(second)) {
        continue;
      }
      for (String host : w.attackHosts.getOrDefault(other, Set.of())) {
        assertThat(body).as("campaign view of %s names %s of %s", second, host, other).doesNotContain("\"" + host
            + "\"");
        assertThat(report).as("report for %s names %s of %s", second, host, other).doesNotContain(">" + host + "<");
      }
      assertThat(report).doesNotContain("(" + other + ")");
    }
    // an analyst of an institution outside the campaign: nothing, and "not found" like a missing one
    String noise = w.analysts.get(w.institutions.get(4));
    assertThat(w.s.get("/api/v1/campaigns", noise).json().get("total").asInt()).isZero();
    TestServer.Response hidden = w.s.get("/api/v1/campaigns/" + id, noise);
    TestServer.Response missing = w.s.get("/api/v1/campaigns/999999", noise);
    assertThat(hidden.status()).isEqualTo(404).isEqualTo(missing.status());
    assertThat(w.s.get("/api/v1/campaigns/" + id + "/timeline", noise).status()).isEqualTo(404);
    assertThat(w.s.get("/api/v1/campaigns/" + id + "/report?format=pdf", noise).status()).isEqualTo(404);
  }
}
