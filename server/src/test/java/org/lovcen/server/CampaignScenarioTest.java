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
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
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
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
    JsonNode titles = TestServer.JSON.readTree(data.resolve("institutions.json").toFile());
    for (JsonNode t : titles) {
      assertThat(w.s.postJson("/api/v1/institutions", w.admin, Map.of("id", t.get("id").asText(), "name",
          t.get("title").asText())).status()).isEqualTo(201);
    }
    for (String inst : w.institutions) {
      String ingest = w.s.post("/api/v1/institutions/" + inst + "/ingest-tokens", w.admin, null, new byte[0]).json()
          .get("token").asText();
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

  @Order(1)
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

  @Order(2)
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

  /** Case ids made by the lifecycle test, per kind, for the report test. */
  private final Map<String, Long> caseOf = new HashMap<>();

  @Order(3)
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void caseFromCampaign_playbookTasksActionsAndClosure_allInTheAuditLog(String kind) throws IOException {
    World w = world(kind);
    long campaign = onlyCampaign(w).get("id").asLong();
    String nat = w.s.user(w.admin, "nadia-" + kind, "national_analyst", null, null);
    String natName = "nadia-" + kind;

    TestServer.Response opened = w.s.postJson("/api/v1/cases", nat, Map.of("campaign", campaign, "assignee", natName,
        "due", "2022-08-23T08:00:00Z"));
    assertThat(opened.status()).as(opened.body()).isEqualTo(201);
    JsonNode c = opened.json();
    long id = c.get("id").asLong();
    caseOf.put(kind, id);
    assertThat(c.get("institution").isNull()).isTrue();
    assertThat(c.get("playbooks")).extracting(JsonNode::asText)
        .contains("credential-dumping", "lateral-movement", "byovd-defense-evasion", "ransomware");
    String base = "/api/v1/cases/" + id;
    List<JsonNode> tasks = items(w.s.get(base + "/tasks", nat).json());
    assertThat(tasks).extracting(t -> t.get("action").asText(""))
        .contains("contain_host", "retro_hunt", "share_indicators", "block_sources");

    // contain: every open incident of the campaign's hosts becomes "contained"
    JsonNode contain = run(w, nat, base, first(tasks, "contain_host"), Map.of());
    assertThat(contain.get("status").asText()).isEqualTo("done");
    List<Long> contained = new ArrayList<>();
    contain.get("result").get("contained").forEach(h -> h.get("incidents").forEach(i -> contained.add(i.asLong())));
    assertThat(contained).isNotEmpty();
    for (long inc : contained) {
      assertThat(w.s.get("/api/v1/incidents/" + inc, w.admin).json().get("status").asText()).isEqualTo("contained");
    }
    // retro-hunt: the campaign's indicators become live indicators of source case-<id>
    JsonNode hunt = run(w, nat, base, first(tasks, "retro_hunt"), Map.of());
    assertThat(hunt.get("result").get("indicators").asInt()).isPositive();
    JsonNode live = w.s.get("/api/v1/indicators?source=case-" + id, w.admin).json();
    assertThat(live.get("total").asInt()).isEqualTo(hunt.get("result").get("indicators").asInt());
    assertThat(w.s.get("/api/v1/indicators?q=api.telemetry-msn.net", w.admin).json().get("total").asInt())
        .isPositive();
    // share: into a TAXII collection
    String collection = w.s.postJson("/api/v1/taxii/collections", w.admin, Map.of("title", "Campaign " + campaign))
        .json().get("id").asText();
    JsonNode share = run(w, nat, base, first(tasks, "share_indicators"), Map.of("collection", collection));
    assertThat(share.get("result").get("collection").asText()).isEqualTo(collection);
    // block: ban decisions for the campaign's public addresses at each hit institution, which the
    // bouncer API then serves
    JsonNode block = run(w, nat, base, first(tasks, "block_sources"), Map.of("duration_minutes", 240));
    Set<String> blocked = new TreeSet<>();
    Set<String> blockedAt = new TreeSet<>();
    block.get("result").get("decisions").forEach(d -> {
      blocked.add(d.get("value").asText());
      blockedAt.add(d.get("institution").asText());
    });
    assertThat(blocked).contains("198.51.100.77", "203.0.113.47");
    assertThat(blockedAt).containsExactlyInAnyOrderElementsOf(w.hit);
    String key = w.s.postJson("/api/v1/bouncers", w.admin, Map.of("name", "edge-" + kind)).json().get("key")
        .asText();
    TestServer.Response stream = w.s.send("GET", "/v1/decisions/stream?startup=true", null, null, null,
        "X-Api-Key", key);
    assertThat(stream.status()).as(stream.body()).isEqualTo(200);
    Set<String> served = new TreeSet<>();
    stream.json().get("new").forEach(d -> served.add(d.get("value").asText()));
    assertThat(served).containsAll(blocked);
    JsonNode one = w.s.send("GET", "/v1/decisions?ip=198.51.100.77", null, null, null, "X-Api-Key", key).json();
    assertThat(one.isArray() && !one.isEmpty()).as("%s", one).isTrue();
    assertThat(one.get(0).get("type").asText()).isEqualTo("ban");
    // an institution analyst may not act on the national case: not even see it
    String analyst = w.analysts.get(w.hit.get(0));
    assertThat(w.s.get(base, analyst).status()).isEqualTo(404);
    assertThat(w.s.postJson(base + "/tasks/" + first(tasks, "retro_hunt") + "/run", analyst, Map.of()).status())
        .isEqualTo(404);

    // the people's tasks: done or skipped; a comment, a file, then closure
    for (JsonNode t : items(w.s.get(base + "/tasks", nat).json())) {
      if (!t.get("status").asText().equals("done")) {
        String to = t.get("action").isNull() ? "done" : "skipped";
        assertThat(w.s.patchJson(base + "/tasks/" + t.get("id").asLong(), nat, Map.of("status", to)).status())
            .isEqualTo(200);
      }
    }
    assertThat(w.s.postJson(base + "/comments", nat, Map.of("text", "All hit hosts isolated; backups verified."))
        .status()).isEqualTo(201);
    byte[] note = "MF-WS-0602 memory image taken 2022-08-22 16:10\n".getBytes(StandardCharsets.UTF_8);
    JsonNode file = w.s.postJson(base + "/evidence", nat, Map.of("kind", "file", "name", "memory-note.txt",
        "media_type", "text/plain", "content_base64", java.util.Base64.getEncoder().encodeToString(note))).json();
    assertThat(file.get("sha256").asText()).hasSize(64);
    assertThat(w.s.get(base + "/evidence/" + file.get("id").asLong(), nat).body())
        .isEqualTo(new String(note, StandardCharsets.UTF_8));
    JsonNode closed = w.s.patchJson(base, nat, Map.of("status", "closed")).json();
    assertThat(closed.get("status").asText()).isEqualTo("closed");

    List<JsonNode> audit = items(w.s.get(base + "/audit", nat).json());
    assertThat(audit).allSatisfy(a -> assertThat(a.get("actor").asText()).isEqualTo(natName));
    assertThat(audit.get(0).get("action").asText()).isEqualTo("case.create");
    assertThat(audit).filteredOn(a -> a.get("action").asText().equals("task.create")).hasSameSizeAs(tasks);
    assertThat(audit).filteredOn(a -> a.get("action").asText().equals("task.action")).hasSize(4)
        .allSatisfy(a -> assertThat(a.get("after").isObject()).isTrue());
    assertThat(audit).anySatisfy(a -> {
      assertThat(a.get("action").asText()).isEqualTo("case.update");
      assertThat(a.get("target").asText()).isEqualTo("status");
      assertThat(a.get("before").asText()).isEqualTo("open");
      assertThat(a.get("after").asText()).isEqualTo("closed");
    });
    assertThat(audit).anySatisfy(a -> assertThat(a.get("action").asText()).isEqualTo("comment.add"));
    assertThat(audit).anySatisfy(a -> {
      assertThat(a.get("action").asText()).isEqualTo("evidence.add");
      assertThat(a.get("after").get("sha256").asText()).isEqualTo(file.get("sha256").asText());
    });
    assertThat(audit).anySatisfy(a -> {
      assertThat(a.get("action").asText()).isEqualTo("task.update");
      assertThat(a.get("before").asText()).isEqualTo("open");
      assertThat(a.get("after").asText()).isIn("done", "skipped");
    });
  }

  private static long first(List<JsonNode> tasks, String action) {
    return tasks.stream().filter(t -> action.equals(t.get("action").asText(null))).findFirst().orElseThrow()
        .get("id").asLong();
  }

  private static JsonNode run(World w, String token, String base, long task, Map<String, Object> body) {
    TestServer.Response r = w.s.postJson(base + "/tasks/" + task + "/run", token, body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  @Order(4)
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void campaignReport_pdfTextHoldsInstitutionsIndicatorsAndTimeline(String kind) throws Exception {
    World w = world(kind);
    JsonNode c = onlyCampaign(w);
    var http = java.net.http.HttpClient.newHttpClient();
    var res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(w.s.url + "/api/v1/campaigns/"
        + c.get("id").asLong() + "/report?format=pdf")).header("Authorization", "Bearer " + w.admin).build(),
        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("application/pdf");
    try (PDDocument pdf = Loader.loadPDF(res.body())) {
      String text = new PDFTextStripper().getText(pdf).replaceAll("\\s+", " "); // cells wrap: lines joined
      for (String name : List.of("Ministry of Finance", "Tax and Customs Administration", "Parliament")) {
        assertThat(text).contains(name);
      }
      assertThat(text).doesNotContain("Ministry of Public Administration").doesNotContain("Ministry of Interior");
      assertThat(text).contains("api.telemetry-msn.net").contains("198.51.100.77");
      JsonNode zero = c.get("patient_zero");
      String zeroTime = zero.get("time").asText().substring(0, 16).replace('T', ' ');
      assertThat(text).contains(zeroTime + " Ministry of Finance (mf) ").contains(zero.get("host").asText());
      assertThat(text).contains("Domain Trust and Domain Admin Discovery");
      assertThat(text).contains("Executive summary").contains("patient zero");
      if (caseOf.containsKey(kind)) {
        assertThat(text).contains("Actions taken").contains("(retro_hunt) indicators: ").contains("(contain_host) contained: ");
      }
      java.awt.image.BufferedImage page = new PDFRenderer(pdf).renderImageWithDPI(0, 110);
      assertThat(page.getWidth()).isGreaterThan(800);
      // docs/report-page1.png is this page; -Dlovcen.docs.images=true renders it again
      Path png = TestServer.root().resolve("docs/report-page1.png");
      if (kind.equals("sqlite") && (Boolean.getBoolean("lovcen.docs.images") || !Files.exists(png))) {
        javax.imageio.ImageIO.write(page, "png", png.toFile());
      }
    }
  }

  @Order(5)
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void campaignHosts_carryTheirIncident_howeverShortTheTimelineAsked(String kind) throws IOException {
    World w = world(kind);
    JsonNode c = onlyCampaign(w);
    long id = c.get("id").asLong();
    // the timeline's first alert names one host; every host still has its incident
    assertThat(w.s.get("/api/v1/campaigns/" + id + "/timeline?limit=1", w.admin).json().get("items")).hasSize(1);
    assertThat(c.get("members").size()).isGreaterThan(1);
    for (JsonNode m : c.get("members")) {
      String inst = m.get("institution").asText();
      String host = m.get("host").asText();
      long newest = -1;
      for (JsonNode a : alerts(w, inst)) {
        if (a.get("host").asText().equals(host) && !a.get("incident").isNull()
            && a.get("time").asText().compareTo(m.get("last").asText()) <= 0
            && a.get("last").asText().compareTo(m.get("first").asText()) >= 0) {
          newest = Math.max(newest, a.get("incident").asLong());
        }
      }
      assertThat(newest).as("%s/%s has alerts in an incident", inst, host).isPositive();
      assertThat(m.get("incident").asLong()).as("%s/%s", inst, host).isEqualTo(newest);
    }
    // an institution's analyst: its own hosts, each with its incident, which it may open
    String second = w.hit.get(1);
    String token = w.analysts.get(second);
    JsonNode mine = w.s.get("/api/v1/campaigns/" + id, token).json();
    assertThat(mine.get("members")).isNotEmpty().allSatisfy(m -> {
      JsonNode national = find(c.get("members"), m.get("institution").asText(), m.get("host").asText());
      assertThat(m.get("incident").asLong()).isEqualTo(national.get("incident").asLong());
      assertThat(w.s.get("/api/v1/incidents/" + m.get("incident").asLong(), token).status()).isEqualTo(200);
    });
  }

  private static JsonNode find(JsonNode members, String inst, String host) {
    for (JsonNode m : members) {
      if (m.get("institution").asText().equals(inst) && m.get("host").asText().equals(host)) {
        return m;
      }
    }
    throw new AssertionError(inst + "/" + host + " is not a member");
  }

  @Order(6)
  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void overview_saysWhatIsBeingDone_campaignsCasesTasksAndDecisions_inTheCallersScope(String kind)
      throws IOException {
    World w = world(kind);
    JsonNode c = onlyCampaign(w);
    String first = w.hit.get(0);
    String second = w.hit.get(1);
    // an open case at the first hit institution: one task overdue, one done; an open case at the second
    long incident = w.s.get("/api/v1/incidents?limit=1&institution=" + first, w.admin).json().get("items").get(0)
        .get("id").asLong();
    TestServer.Response opened = w.s.postJson("/api/v1/cases", w.admin, Map.of("incident", incident));
    assertThat(opened.status()).as(opened.body()).isEqualTo(201);
    long late = opened.json().get("id").asLong();
    String base = "/api/v1/cases/" + late;
    assertThat(w.s.postJson(base + "/tasks", w.admin, Map.of("title", "Reimage the host", "due",
        "2022-08-23T08:00:00Z")).status()).isEqualTo(201);
    long done = w.s.postJson(base + "/tasks", w.admin, Map.of("title", "Reset the domain admins' passwords")).json()
        .get("id").asLong();
    assertThat(w.s.patchJson(base + "/tasks/" + done, w.admin, Map.of("status", "done")).status()).isEqualTo(200);
    List<JsonNode> tasks = items(w.s.get(base + "/tasks", w.admin).json());
    long other = w.s.postJson("/api/v1/cases", w.admin, Map.of("title", "Phishing wave at " + second, "institution",
        second)).json().get("id").asLong();

    JsonNode r = w.s.get("/api/v1/overview", w.admin).json().get("response");
    // campaigns: the active one, its institutions named, hosts and times as the campaign says
    assertThat(r.get("campaigns").get("active").asInt())
        .isEqualTo(w.s.get("/api/v1/campaigns?status=active", w.admin).json().get("total").asInt()).isEqualTo(1);
    JsonNode rc = r.get("campaigns").get("items").get(0);
    assertThat(rc.get("id").asLong()).isEqualTo(c.get("id").asLong());
    assertThat(rc.get("named")).extracting(JsonNode::asText).containsExactlyElementsOf(new TreeSet<>(w.hit));
    assertThat(List.of(rc.get("institutions"), rc.get("hosts"), rc.get("first"), rc.get("last")))
        .isEqualTo(List.of(c.get("institutions"), c.get("hosts"), c.get("first"), c.get("last")));
    // cases: as many open as the case list holds, the overdue first with its tasks' progress
    long open = items(w.s.get("/api/v1/cases?limit=100", w.admin).json()).stream()
        .filter(x -> !x.get("status").asText().equals("closed")).count();
    assertThat(r.get("cases").get("open").asLong()).isEqualTo(open).isEqualTo(2);
    assertThat(r.get("cases").get("overdue").asLong()).isEqualTo(1);
    JsonNode top = r.get("cases").get("items").get(0);
    assertThat(top.get("id").asLong()).isEqualTo(late);
    assertThat(top.get("overdue").asBoolean()).isTrue();
    assertThat(top.get("tasks").get("total").asInt()).isEqualTo(tasks.size());
    assertThat(top.get("tasks").get("done").asLong()).isEqualTo(tasks.stream()
        .filter(t -> t.get("status").asText().equals("done")).count()).isEqualTo(1);
    assertThat(top.get("tasks").get("overdue").asInt()).isEqualTo(1);
    assertThat(r.get("cases").get("items").get(1).get("id").asLong()).isEqualTo(other);
    assertThat(r.get("cases").get("items").get(1).get("overdue").asBoolean()).isFalse();
    // decisions in force per institution: what the decision lists hold (the case's blocks at each hit one)
    Set<String> withDecisions = new TreeSet<>();
    for (JsonNode d : r.get("decisions")) {
      String inst = d.get("institution").asText();
      withDecisions.add(inst);
      List<JsonNode> inForce = items(w.s.get("/api/v1/decisions?active=true&limit=1000&institution=" + inst, w.admin)
          .json());
      assertThat(d.get("active").asInt()).as(inst).isEqualTo(inForce.size()).isPositive();
      assertThat(d.get("bans").asLong()).isEqualTo(inForce.stream().filter(x -> x.get("type").asText().equals("ban"))
          .count());
      assertThat(d.get("by_analysts").asLong()).isEqualTo(inForce.stream()
          .filter(x -> !x.get("origin").asText().equals("detector")).count());
    }
    assertThat(withDecisions).containsExactlyInAnyOrderElementsOf(w.hit);

    // the first hit institution's analyst: its own institution's part only
    JsonNode mine = w.s.get("/api/v1/overview", w.analysts.get(first)).json().get("response");
    assertThat(mine.get("campaigns").get("items").get(0).get("named")).extracting(JsonNode::asText)
        .containsExactly(first);
    assertThat(mine.get("cases").get("open").asInt()).isEqualTo(1);
    assertThat(mine.get("cases").get("items")).extracting(x -> x.get("id").asLong()).containsExactly(late);
    assertThat(mine.get("decisions")).extracting(x -> x.get("institution").asText()).containsExactly(first);
    // the national CERT narrowed to the second institution
    JsonNode narrowed = w.s.get("/api/v1/overview?institution=" + second, w.admin).json().get("response");
    assertThat(narrowed.get("cases").get("items")).extracting(x -> x.get("id").asLong()).containsExactly(other);
    assertThat(narrowed.get("decisions")).extracting(x -> x.get("institution").asText()).containsExactly(second);
    // an institution the actor did not reach: nothing of it
    JsonNode noise = w.s.get("/api/v1/overview", w.analysts.get(w.institutions.get(4))).json().get("response");
    assertThat(noise.get("campaigns").get("active").asInt()).isZero();
    assertThat(noise.get("cases").get("open").asInt()).isZero();
    assertThat(noise.get("decisions")).isEmpty();
  }
}
