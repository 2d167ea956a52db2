package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.server.TaxiiFixture.basic;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.server.taxii.FeedPoller;
import org.lovcen.store.Settings;
import org.lovcen.store.TestDatabases;

/**
 * Lovcen's TAXII client polls Lovcen's own TAXII server: server A shares a collection with
 * partner "b"; server B polls it as a feed, page by page (A serves at most 3 objects a page), and
 * a second poll fetches only what is new.
 */
class TaxiiClientTest {
  @TempDir Path dirA;
  @TempDir Path dirB;

  private static String shared(TestServer a, TaxiiFixture t) {
    t.partner("b");
    t.partnerUser("bee", "b");
    a.user(t.admin, "nat", "national_analyst", null, null);
    return t.collection("For partner B", "amber", "green", List.of("b"), List.of());
  }

  private static ServeConfig.Feed feed(TestServer a, String collection, String password, String tlp) {
    return new ServeConfig.Feed("cert-a", a.url + "/taxii2/lovcen/", collection, "bee", password, "", "", 60, tlp);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void poll_pagesThroughTheCollection_thenFetchesOnlyWhatIsNew(String kind) throws Exception {
    try (TestServer a = TestServer.start(kind, dirA, Map.of("LOVCEN_TAXII_PAGE_SIZE", "3"));
        TestServer b = TestServer.start(kind, dirB)) {
      TaxiiFixture t = new TaxiiFixture(a);
      String c = shared(a, t);
      List<String> first = new java.util.ArrayList<>(TaxiiFixture.indicators(1, 6, null));
      first.add(TaxiiFixture.indicator("203.0.113.7", TaxiiFixture.GREEN));
      assertThat(t.add(c, basic("nat"), first).json().get("success_count").asInt()).isEqualTo(7);

      String adminB = b.admin();
      String inst = b.institution(adminB, "a");
      b.ingest(inst, RetroHuntTest.connection("WS01", "203.0.113.4", 1));
      b.awaitDetection();

      ServeConfig.Feed feed = feed(a, c, "bee-long-password", "amber");
      FeedPoller.Polled p = b.server.feeds().poll(feed);
      assertThat(p.pages()).isEqualTo(3);
      assertThat(p.objects()).isEqualTo(7);
      assertThat(p.indicators()).isEqualTo(7);
      assertThat(p.position()).isPositive();
      assertThat(new Settings(b.server.database()).cursor("taxii:cert-a")).isEqualTo(p.position());

      JsonNode rows = b.get("/api/v1/indicators?source=cert-a&limit=100", adminB).json();
      assertThat(rows.get("total").asInt()).isEqualTo(7);
      for (JsonNode r : rows.get("items")) {
        assertThat(r.get("origin").asText()).isEqualTo("feed:cert-a");
        boolean green = r.get("pattern").asText().contains("203.0.113.7'");
        assertThat(r.get("marking").asText()).isEqualTo(green ? "TLP:GREEN" : "TLP:AMBER");
      }
      RetroHuntTest.awaitRetroHunt(b);
      List<JsonNode> alerts = RetroHuntTest.indicatorAlerts(b, adminB);
      assertThat(alerts).hasSize(1);
      assertThat(alerts.get(0).get("retrospective").asBoolean()).isTrue();
      assertThat(alerts.get(0).get("rule").get("author").asText()).isEqualTo("cert-a");

      FeedPoller.Polled none = b.server.feeds().poll(feed);
      assertThat(none.objects()).isZero();
      assertThat(none.position()).isEqualTo(p.position());

      t.add(c, basic("nat"), TaxiiFixture.indicators(20, 2, null));
      FeedPoller.Polled more = b.server.feeds().poll(feed);
      assertThat(more.pages()).isEqualTo(1);
      assertThat(more.objects()).isEqualTo(2);
      assertThat(more.indicators()).isEqualTo(2);
      assertThat(more.position()).isGreaterThan(p.position());
      assertThat(b.get("/api/v1/indicators?source=cert-a", adminB).json().get("total").asInt()).isEqualTo(9);
      assertThat(b.server.indicators().current().size()).isEqualTo(9);

      JsonNode status = b.get("/api/v1/taxii/feeds", adminB).json();
      assertThat(status.get("total").asInt()).isEqualTo(1);
      JsonNode last = status.get("items").get(0);
      assertThat(last.get("name").asText()).isEqualTo("cert-a");
      assertThat(last.get("error").isNull()).isTrue();
      assertThat(last.get("indicators").asInt()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void poll_withBearerKey_andRefusedCredentials(String kind) throws Exception {
    try (TestServer a = TestServer.start(kind, dirA); TestServer b = TestServer.start(kind, dirB)) {
      TaxiiFixture t = new TaxiiFixture(a);
      String c = shared(a, t);
      t.add(c, basic("nat"), TaxiiFixture.indicators(1, 2, null));
      String token = a.login("bee", "bee-long-password");
      ServeConfig.Feed byKey = new ServeConfig.Feed("key", a.url + "/taxii2/lovcen/collections/" + c + "/", "", "",
          "", "Authorization", "Bearer " + token, 5, "");
      assertThat(b.server.feeds().poll(byKey).indicators()).isEqualTo(2);

      assertThatThrownBy(() -> b.server.feeds().poll(feed(a, c, "wrong-password", "")))
          .isInstanceOf(IOException.class).hasMessageContaining("401");
      ServeConfig.Feed other = new ServeConfig.Feed("other", a.url + "/taxii2/lovcen/", "no-such-collection", "bee",
          "bee-long-password", "", "", 5, "");
      assertThatThrownBy(() -> b.server.feeds().poll(other)).hasMessageContaining("404");
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void configuredFeed_isPolledAtStart(String kind) throws Exception {
    try (TestServer a = TestServer.start(kind, dirA)) {
      TaxiiFixture t = new TaxiiFixture(a);
      String c = shared(a, t);
      t.add(c, basic("nat"), TaxiiFixture.indicators(1, 3, null));
      String yaml = """
          taxii:
            feeds:
              - name: cert-a
                url: %s/taxii2/lovcen/
                collection: %s
                user: bee
                password: bee-long-password
                interval_minutes: 30
                tlp: green
          """.formatted(a.url, c);
      String[] url = new String[1];
      Runnable drop = TestDatabases.freshUrl(kind, dirB, url);
      Map<String, String> env = new HashMap<>();
      env.put("LOVCEN_DATABASE_URL", url[0]);
      env.put("LOVCEN_DATA", dirB.resolve("data").toString());
      env.put("LOVCEN_LISTEN_PORT", "0");
      env.put("LOVCEN_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD);
      ServeConfig cfg = ServeConfig.parse(yaml, "test.yaml", env);
      assertThat(cfg.taxii().feeds().get(0).intervalMinutes()).isEqualTo(30);
      try (LovcenServer b = LovcenServer.start(cfg, TestServer::rules)) {
        long deadline = System.currentTimeMillis() + 30_000;
        while (b.feeds().status().get(0).lastPollMillis() == 0 && System.currentTimeMillis() < deadline) {
          Thread.sleep(50);
        }
        assertThat(b.indicators().current().size()).isEqualTo(3);
        FeedPoller.FeedStatus s = b.feeds().status().get(0);
        assertThat(s.name()).isEqualTo("cert-a");
        assertThat(s.lastError()).isNull();
        assertThat(s.indicators()).isEqualTo(3);
      } finally {
        drop.run();
      }
    }
  }
}
