package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.analysis.CampaignLinker;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.server.response.CampaignTracker;
import org.lovcen.store.AlertRow;
import org.lovcen.store.AlertStore;
import org.lovcen.store.CampaignStore;
import org.lovcen.store.Database;

/*
 * How and why: the server's linker keeps what it read of the window and reads again only alerts
 * that are new or completed since. The reference reads the whole window with one query and links
 * it. Differential: after each step (institutions' logs arriving one after the other, alerts
 * completed with the actor's evidence, the window moving past everything), the long-lived tracker
 * finds exactly the campaigns of the reference, and so does a new tracker. The completion step
 * also shows that a changed alert is read again (the completed host joins the campaign), and the
 * periodic run shows that it stores nothing when nothing changed and grows the campaign when
 * something did.
 */
class CampaignTrackerIncrementalTest {
  static final ScenarioGenerator.Options OPTIONS = ScenarioGenerator.Options.defaults().withHosts(16)
      .withEvents(1200).withInstitutions(4).withActorTargets(3);

  @TempDir Path dir;

  /** The reference: the whole window read at once (one query with the events), then linked. */
  private static List<CampaignLinker.Campaign> fresh(TestServer s) {
    CampaignStore store = new CampaignStore(s.server.database());
    var config = s.server.config().campaigns();
    Long newest = store.newestAlertTs();
    if (newest == null) {
      return List.of();
    }
    long from = newest - TimeUnit.HOURS.toMicros(config.windowHours());
    List<org.lovcen.analysis.Sighting> all = store.sightings(from,
        org.lovcen.core.Level.parse(config.minLevel()).ordinal(), config.maxAlerts()).stream()
        .map(CampaignTracker::sighting).toList();
    List<CampaignLinker.Campaign> found = CampaignLinker.link(all, CampaignTracker.rules(config),
        store.activeHosts(from));
    assertThat(new CampaignTracker(s.server.database(), config).link()).as("a new tracker").isEqualTo(found);
    return found;
  }

  private static Set<String> hosts(List<CampaignLinker.Campaign> found) {
    Set<String> out = new TreeSet<>();
    found.forEach(c -> c.hosts().forEach(h -> out.add(h.institution() + "/" + h.host())));
    return out;
  }

  private static JsonNode onlyCampaign(TestServer s, String admin) {
    JsonNode list = s.get("/api/v1/campaigns", admin).json();
    assertThat(list.get("total").asInt()).as("campaigns: %s", list).isEqualTo(1);
    return s.get("/api/v1/campaigns/" + list.get("items").get(0).get("id").asLong(), admin).json();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void incrementalTracker_findsWhatAFreshOneFinds_asAlertsArriveChangeAndLeaveTheWindow(String kind)
      throws IOException, InterruptedException {
    Path data = dir.resolve("scenario");
    ScenarioGenerator.Summary sum = ScenarioGenerator.generate(data, OPTIONS);
    try (TestServer s = TestServer.start(kind, dir.resolve("server"))) {
      String admin = s.admin();
      CampaignTracker tracker = s.server.campaignTracker();
      Database db = s.server.database();
      assertThat(tracker.link()).isEmpty();
      for (String inst : sum.institutions()) {
        assertThat(s.postJson("/api/v1/institutions", admin, Map.of("id", inst, "name", inst)).status())
            .isEqualTo(201);
        String token = s.post("/api/v1/institutions/" + inst + "/ingest-tokens", admin, null, new byte[0]).json()
            .get("token").asText();
        try (var files = Files.list(data.resolve(inst))) {
          for (Path f : files.sorted().toList()) {
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            for (int from = 0; from < lines.size(); from += 2000) {
              TestServer.Response r = s.ingest(token, String.join("\n", lines.subList(from,
                  Math.min(lines.size(), from + 2000))) + "\n");
              assertThat(r.status()).as(r.body()).isEqualTo(200);
            }
          }
        }
        s.awaitDetection();
        assertThat(tracker.link()).as("after %s", inst).isEqualTo(fresh(s));
        s.server.linkCampaigns();
      }
      List<CampaignLinker.Campaign> linked = tracker.link();
      assertThat(linked).hasSize(1);
      assertThat(linked.get(0).institutions()).containsExactlyInAnyOrderElementsOf(sum.hit());
      String noise = sum.institutions().get(3);
      assertThat(hosts(linked)).noneMatch(h -> h.startsWith(noise + "/"));

      // nothing changed: the periodic run stores nothing
      String updated = onlyCampaign(s, admin).get("updated").asText();
      Thread.sleep(5);
      s.server.linkCampaignsIfChanged();
      assertThat(onlyCampaign(s, admin).get("updated").asText()).isEqualTo(updated);

      // the noise host with most alerts the linker reads, its alerts completed with what the alerts of the attacked
      // host that carries the campaign's strongest hash say: read again, and linked
      CampaignStore store = new CampaignStore(db);
      int minLevel = org.lovcen.core.Level.parse(s.server.config().campaigns().minLevel()).ordinal();
      List<CampaignStore.Sighting> all = store.sightings(0, minLevel, 1_000_000);
      Set<String> attacked = hosts(linked);
      String hash = linked.get(0).links().stream().flatMap(l -> l.evidence().stream())
          .filter(w -> w.kind().equals("hash")).max(java.util.Comparator.comparingDouble(CampaignLinker.Weighted::weight))
          .orElseThrow().value().toLowerCase(java.util.Locale.ROOT);
      CampaignStore.Sighting carrier = all.stream()
          .filter(x -> attacked.contains(x.alert().institution() + "/" + x.alert().host()) && x.eventFields() != null
              && x.eventFields().toLowerCase(java.util.Locale.ROOT).contains(hash))
          .findFirst().orElseThrow();
      List<CampaignStore.Sighting> actor = all.stream().filter(x -> x.eventFields() != null
          && x.alert().institution().equals(carrier.alert().institution())
          && x.alert().host().equals(carrier.alert().host())).toList();
      String quietHost = all.stream().filter(x -> x.alert().institution().equals(noise))
          .collect(java.util.stream.Collectors.groupingBy(x -> x.alert().host(), java.util.stream.Collectors.counting()))
          .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
      List<CampaignStore.Sighting> quiet = all.stream().filter(x -> x.alert().institution().equals(noise)
          && x.alert().host().equals(quietHost)).toList();
      assertThat(quiet.size()).as("alerts of %s", quietHost).isGreaterThanOrEqualTo(2);
      for (int i = 0; i < quiet.size(); i++) {
        CampaignStore.Sighting a = i == 0 ? carrier : actor.get(i % actor.size());
        Map<String, String> fields = new LinkedHashMap<>(quiet.get(i).alert().fields());
        TestServer.JSON.readTree(a.eventFields()).properties().forEach(e -> {
          JsonNode v = e.getValue().isArray() && !e.getValue().isEmpty() ? e.getValue().get(0) : e.getValue();
          if (v.isValueNode() && !v.isNull()) {
            fields.put(e.getKey(), v.asText());
          }
        });
        fields.putAll(a.alert().fields());
        AlertRow q = quiet.get(i).alert();
        AlertRow completed = new AlertRow(q.id(), q.institution(), q.fingerprint(), q.kind(), q.ruleId(),
            q.ruleTitle(), q.level(), q.levelRank(), q.author(), q.tags(), q.ts(), q.lastTs(), q.host(), q.channel(),
            q.eventRef(), fields, q.group(), q.evidence(), q.incident(), q.retrospective(), q.created());
        boolean changed = db.jdbi().inTransaction(h -> new AlertStore(db).complete(h, completed));
        assertThat(changed).isTrue();
      }
      AlertRow q = quiet.get(0).alert();
      List<CampaignLinker.Campaign> grown = tracker.link();
      assertThat(grown).isEqualTo(fresh(s));
      assertThat(hosts(grown)).as("the completed alert's host").contains(noise + "/" + q.host());
      s.server.linkCampaignsIfChanged(); // stores the change the read above saw
      Set<String> members = new TreeSet<>();
      onlyCampaign(s, admin).get("members").forEach(m -> members.add(m.get("institution").asText() + "/"
          + m.get("host").asText()));
      assertThat(members).contains(noise + "/" + q.host());

      // the window moves past every alert: nothing left to link, nothing held but the newest
      long newest = all.stream().mapToLong(x -> x.alert().ts()).max().orElseThrow();
      long later = newest + TimeUnit.HOURS.toMicros(s.server.config().campaigns().windowHours() + 1);
      db.jdbi().useTransaction(h -> new AlertStore(db).insert(h, AlertRow.of(noise, "later", "sigma", q.ruleId(),
          q.ruleTitle(), q.level(), q.levelRank(), q.author(), q.tags(), later, later, "ws-later", q.channel(), null,
          Map.of("CommandLine", "whoami"), Map.of(), List.of(), false), later));
      assertThat(tracker.link()).isEmpty();
      assertThat(fresh(s)).isEmpty();
      assertThat(tracker.held()).isEqualTo(1);
    }
  }
}
