package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.server.OpenApiContractTest.Events;
import org.lovcen.server.TestServer.Response;

/**
 * What the web UI relies on, over HTTP on both databases: the session cookie (flags, CSRF
 * refusal, sign-out), the overview's SQL aggregates against the alert lists they summarise (and the
 * decisions in force it counts, in each caller's scope), and moving alerts between incidents (aggregates recomputed, other institutions refused).
 */
class UiApiTest {
  @TempDir Path dir;

  private static String cookies(Response r) {
    List<String> set = r.headers().getOrDefault("set-cookie", List.of());
    List<String> pairs = new ArrayList<>();
    set.forEach(c -> pairs.add(c.substring(0, c.indexOf(';'))));
    return String.join("; ", pairs);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void sessionCookie_isHttpOnlyStrict_andChangesNeedTheCsrfToken(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      Response login = s.postJson("/api/v1/auth/login", null,
          Map.of("name", "admin", "password", TestServer.ADMIN_PASSWORD, "cookie", true));
      assertThat(login.status()).isEqualTo(200);
      assertThat(login.json().has("token")).as("the token stays in the cookie").isFalse();
      String csrf = login.json().get("csrf").asText();
      List<String> set = login.headers().get("set-cookie");
      assertThat(set).anySatisfy(c -> assertThat(c).startsWith("lovcen_session=lvs_").contains("HttpOnly")
          .contains("SameSite=Strict").contains("Path=/").doesNotContain("Secure"));
      assertThat(set).anySatisfy(c -> assertThat(c).startsWith("lovcen_csrf=" + csrf).doesNotContain("HttpOnly"));
      String cookie = cookies(login);

      assertThat(s.send("GET", "/api/v1/me", null, null, null, "Cookie", cookie).json().get("name").asText())
          .isEqualTo("admin");
      byte[] body = "{\"id\":\"mf\",\"name\":\"Ministry of Finance\"}".getBytes(StandardCharsets.UTF_8);
      Response forged = s.send("POST", "/api/v1/institutions", null, "application/json", body, "Cookie", cookie);
      assertThat(forged.status()).isEqualTo(403);
      assertThat(forged.json().get("detail").asText()).contains("X-CSRF-Token");
      Response wrong = s.send("POST", "/api/v1/institutions", null, "application/json", body, "Cookie", cookie,
          "X-CSRF-Token", csrf + "x");
      assertThat(wrong.status()).isEqualTo(403);
      assertThat(s.get("/api/v1/institutions/mf", s.admin()).status()).as("nothing was created").isEqualTo(404);
      assertThat(s.send("POST", "/api/v1/institutions", null, "application/json", body, "Cookie", cookie,
          "X-CSRF-Token", csrf).status()).isEqualTo(201);

      Response out = s.send("POST", "/api/v1/auth/logout", null, null, new byte[0], "Cookie", cookie,
          "X-CSRF-Token", csrf);
      assertThat(out.status()).isEqualTo(204);
      assertThat(out.headers().get("set-cookie")).anySatisfy(c -> assertThat(c).startsWith("lovcen_session=;")
          .contains("Max-Age=0"));
      assertThat(s.send("GET", "/api/v1/me", null, null, null, "Cookie", cookie).status()).isEqualTo(401);
      // behind a TLS-terminating proxy the cookies are Secure
      Response tls = s.post("/api/v1/auth/login", null, "application/json", ("{\"name\":\"admin\",\"password\":\""
          + TestServer.ADMIN_PASSWORD + "\",\"cookie\":true}").getBytes(StandardCharsets.UTF_8),
          "X-Forwarded-Proto", "https");
      assertThat(tls.headers().get("set-cookie")).allSatisfy(c -> assertThat(c).contains("; Secure"));
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void overview_countsWhatTheListsHold_andAttachMovesAlertsWithinOneInstitution(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String mf = s.institution(admin, "mf");
      String upc = s.institution(admin, "upc");
      assertThat(s.ingest(mf, Events.first() + Events.later()).status()).isEqualTo(200);
      assertThat(s.ingest(upc, Events.first()).status()).isEqualTo(200);
      s.awaitDetection();
      String analyst = s.user(admin, "ana", "institution_analyst", "upc", null);
      String range = "from=2022-08-22T00:00:00Z&to=2022-08-23T00:00:00Z";

      JsonNode o = s.get("/api/v1/overview?" + range + "&buckets=24", admin).json();
      assertThat(o.get("buckets")).hasSize(24);
      long sum = 0;
      for (JsonNode i : o.get("institutions")) {
        String inst = i.get("institution").asText();
        long listed = s.get("/api/v1/alerts?limit=1&" + range + "&institution=" + inst, admin).json().get("total")
            .asLong();
        long perBucket = 0;
        for (JsonNode n : i.get("counts")) {
          perBucket += n.asLong();
        }
        assertThat(i.get("total").asLong()).as(inst).isEqualTo(listed).isEqualTo(perBucket);
        sum += listed;
      }
      assertThat(o.get("alerts").asLong()).isEqualTo(sum).isPositive();
      assertThat(o.get("top_tactics").toString()).contains("credential-access");
      JsonNode top = o.get("top_rules").get(0);
      assertThat(s.get("/api/v1/alerts?limit=1&" + range + "&rule=" + top.get("id").asText(), admin).json()
          .get("total").asLong()).isEqualTo(top.get("count").asLong());
      long open = s.get("/api/v1/incidents?open=true&limit=1", admin).json().get("total").asLong();
      long[] byLevel = {0};
      o.get("open_incidents").forEach(n -> byLevel[0] += n.asLong());
      assertThat(byLevel[0]).isEqualTo(open);
      JsonNode mine = s.get("/api/v1/overview?" + range, analyst).json();
      assertThat(mine.get("institutions")).allSatisfy(i -> assertThat(i.get("institution").asText()).isEqualTo("upc"));
      assertThat(s.get("/api/v1/overview?institution=mf", analyst).status()).isEqualTo(403);

      // what is being done: a ban and a captcha at mf, taken by analysts, in force now; upc's analyst sees none
      for (String type : List.of("ban", "captcha")) {
        assertThat(s.postJson("/api/v1/decisions", admin, Map.of("institution", "mf", "value", "203.0.113."
            + type.length(), "type", type, "reason", "seen scanning the ministry")).status()).isEqualTo(201);
      }
      JsonNode response = s.get("/api/v1/overview?" + range, admin).json().get("response");
      assertThat(response.get("decisions")).hasSize(1);
      JsonNode atMf = response.get("decisions").get(0);
      assertThat(List.of(atMf.get("institution").asText(), atMf.get("active").asInt(), atMf.get("bans").asInt(),
          atMf.get("by_analysts").asInt())).isEqualTo(List.of("mf", 2, 1, 2));
      assertThat(response.get("cases").get("open").asInt()).isZero();
      assertThat(response.get("campaigns").get("active").asInt()).isZero();
      assertThat(s.get("/api/v1/overview?" + range, analyst).json().get("response").get("decisions")).isEmpty();
      assertThat(s.postJson("/api/v1/partners", admin, Map.of("id", "anssi", "name", "ANSSI")).status()).isEqualTo(201);
      String partner = s.user(admin, "cert-fr", "partner", null, "anssi");
      assertThat(s.get("/api/v1/overview?" + range, partner).json().get("response").get("decisions")).isEmpty();

      // two incidents of mf: the alerts of the second move into the first
      JsonNode incidents = s.get("/api/v1/incidents?institution=mf", admin).json().get("items");
      assertThat(incidents.size()).isGreaterThanOrEqualTo(2);
      long into = incidents.get(0).get("id").asLong();
      long from = incidents.get(1).get("id").asLong();
      int before = incidents.get(0).get("alerts").asInt() + incidents.get(1).get("alerts").asInt();
      List<Long> moving = new ArrayList<>();
      s.get("/api/v1/incidents/" + from + "/alerts", admin).json().get("items").forEach(a -> moving.add(a.get("id")
          .asLong()));
      JsonNode upcAlert = s.get("/api/v1/alerts?institution=upc&limit=1", admin).json().get("items").get(0);
      Response cross = s.postJson("/api/v1/incidents/" + into + "/alerts", admin,
          Map.of("alerts", List.of(moving.get(0), upcAlert.get("id").asLong())));
      assertThat(cross.status()).isEqualTo(400);
      assertThat(cross.json().get("detail").asText()).contains(upcAlert.get("id").asText());
      assertThat(s.postJson("/api/v1/incidents/" + into + "/alerts", analyst, Map.of("alerts", moving)).status())
          .as("an incident of another institution is not found").isEqualTo(404);
      Response moved = s.postJson("/api/v1/incidents/" + into + "/alerts", admin, Map.of("alerts", moving));
      assertThat(moved.status()).as(moved.body()).isEqualTo(200);
      assertThat(moved.json().get("alerts").asInt()).isEqualTo(before);
      assertThat(s.get("/api/v1/incidents/" + into + "/alerts?limit=1", admin).json().get("total").asInt())
          .isEqualTo(before);
      assertThat(s.get("/api/v1/incidents/" + from, admin).json().get("alerts").asInt()).isZero();
      assertThat(s.get("/api/v1/alerts/" + moving.get(0), admin).json().get("incident").asLong()).isEqualTo(into);
    }
  }
}
