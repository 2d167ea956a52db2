package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.LovcenException;
import org.lovcen.web.Cidr;

/**
 * Who reads {@code GET /metrics}, whose labels name institutions (docs/SERVE.md, {@code metrics.allow};
 * docs/SECURITY.md, V4): the addresses of {@code metrics.allow} without a token unless the request
 * came through a proxy; everyone else with a metrics token or a national user's token only.
 */
class MetricsAccessTest {
  private static final String KINDS = "org.lovcen.store.TestDatabases#kinds";
  private static final String SERIES = "lovcen_ingest_events_total{institution=\"mf\"";
  /** Held here: the logging framework keeps loggers weakly, and a collected one would lose the test's handler. */
  private static final Logger SECURITY = Logger.getLogger(SecurityLog.LOGGER);

  @TempDir Path dir;

  /** The default (loopback) admits the local Prometheus; a request relayed by a local proxy is not local. */
  @ParameterizedTest
  @MethodSource(KINDS)
  void loopback_readsWithoutAToken_butNotThroughAProxy(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      seed(s);
      TestServer.Response local = s.get("/metrics", null);
      assertThat(local.status()).isEqualTo(200);
      assertThat(local.header("Content-Type")).startsWith("text/plain");
      assertThat(local.body()).contains(SERIES);
      for (String[] h : List.of(new String[] {"X-Forwarded-For", "203.0.113.9"},
          new String[] {"Forwarded", "for=203.0.113.9;proto=https"}, new String[] {"X-Real-IP", "203.0.113.9"},
          new String[] {"X-Forwarded-Proto", "https"})) {
        TestServer.Response relayed = s.send("GET", "/metrics", null, null, null, h);
        assertUnauthorized(relayed, h[0]);
      }
      String token = metricsToken(s, s.admin());
      TestServer.Response withToken = s.send("GET", "/metrics", token, null, null, "X-Forwarded-For", "203.0.113.9");
      assertThat(withToken.status()).isEqualTo(200);
      assertThat(withToken.body()).contains(SERIES);
    }
  }

  /**
   * From an address outside metrics.allow: a metrics token or a national user's token reads the
   * metrics; no token or an unknown or revoked one is 401, another user's or an ingest token 403
   * (logged). A metrics token opens nothing else. Health and readiness stay open.
   */
  @ParameterizedTest
  @MethodSource(KINDS)
  void elsewhere_metricsTokenOrNationalUserOnly_othersRefusedAndLogged(String kind) {
    List<String> log = new CopyOnWriteArrayList<>();
    Handler h = capture(log);
    try (TestServer s = TestServer.start(kind, dir, Map.of("LOVCEN_METRICS_ALLOW", "10.0.0.0/8, 192.0.2.7"))) {
      String admin = s.admin();
      String ingest = seed(s);
      String national = s.user(admin, "nadia", "national_analyst", null, null);
      String analyst = s.user(admin, "milica", "institution_analyst", "mf", null);
      assertThat(s.postJson("/api/v1/partners", admin, Map.of("id", "cert-al", "name", "CERT Albania")).status())
          .isEqualTo(201);
      String partner = s.user(admin, "pia", "partner", null, "cert-al");
      assertThat(s.postJson("/api/v1/metrics-tokens", national, Map.of("name", "mine")).status())
          .as("only administrators issue metrics tokens").isEqualTo(403);
      String token = metricsToken(s, admin);
      assertThat(token).startsWith("lvm_");

      assertUnauthorized(s.get("/metrics", null), "no token");
      for (String reader : List.of(token, admin, national)) {
        TestServer.Response r = s.get("/metrics", reader);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.body()).contains(SERIES);
      }
      for (String other : List.of(analyst, partner, ingest)) {
        TestServer.Response r = s.get("/metrics", other);
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.body()).doesNotContain("lovcen_");
      }
      assertUnauthorized(s.get("/metrics", "lvm_not-a-token-at-all"), "unknown token");

      // the metrics token reads nothing but the metrics
      assertThat(s.get("/api/v1/alerts", token).status()).isEqualTo(401);
      assertThat(s.get("/api/v1/me", token).status()).isEqualTo(401);
      assertThat(s.ingest(token, OpenApiContractTest.Events.sysmon("MF-WS01", "2022-08-22T10:00:00Z", "x")).status())
          .isEqualTo(401);
      assertThat(s.get("/healthz", null).status()).isEqualTo(200);
      assertThat(s.get("/readyz", null).status()).isEqualTo(200);

      long id = -1;
      for (var t : s.get("/api/v1/tokens", admin).json().get("items")) {
        if (t.get("kind").asText().equals("metrics")) {
          assertThat(t.get("name").asText()).isEqualTo("prometheus");
          assertThat(t.get("user").isNull()).isTrue();
          id = t.get("id").asLong();
        }
      }
      assertThat(s.delete("/api/v1/tokens/" + id, admin).status()).isEqualTo(204);
      assertUnauthorized(s.get("/metrics", token), "revoked token");

      assertThat(log).anyMatch(l -> l.contains("\"event\":\"access.denied\"") && l.contains("\"actor\":\"milica\"")
          && l.contains("\"path\":\"/metrics\""));
      assertThat(log).anyMatch(l -> l.contains("\"event\":\"access.denied\"") && l.contains("\"actor\":\"pia\"")
          && l.contains("\"path\":\"/metrics\""));
      assertThat(log).anyMatch(l -> l.contains("\"event\":\"token.issued\"") && l.contains("\"kind\":\"metrics\""));
      assertThat(log).filteredOn(l -> l.contains("\"event\":\"token.rejected\"")
          && l.contains("\"path\":\"/metrics\""))
          .as("the unknown and the revoked token").hasSize(2);
      assertThat(String.join("\n", log)).doesNotContain(token).doesNotContain(token.substring(4));
    } finally {
      SECURITY.removeHandler(h);
    }
  }

  @Test
  void allows_ipv4AndIpv6_inTheFormsAConnectionGives() {
    List<Cidr> loopback = MetricsRoutes.networks(new ServeConfig.MetricsAccess(List.of("127.0.0.0/8", "::1")));
    assertThat(MetricsRoutes.allows(loopback, "127.0.0.1")).isTrue();
    assertThat(MetricsRoutes.allows(loopback, "127.8.9.10")).isTrue();
    assertThat(MetricsRoutes.allows(loopback, "::1")).isTrue();
    assertThat(MetricsRoutes.allows(loopback, "0:0:0:0:0:0:0:1")).isTrue();
    assertThat(MetricsRoutes.allows(loopback, "[0:0:0:0:0:0:0:1]")).isTrue();
    assertThat(MetricsRoutes.allows(loopback, "::ffff:127.0.0.1")).as("IPv4 mapped into IPv6").isTrue();
    assertThat(MetricsRoutes.allows(loopback, "128.0.0.1")).isFalse();
    assertThat(MetricsRoutes.allows(loopback, "::2")).isFalse();
    assertThat(MetricsRoutes.allows(loopback, "::ffff:10.0.0.1")).isFalse();
    assertThat(MetricsRoutes.allows(loopback, "localhost")).as("a name is never looked up").isFalse();
    assertThat(MetricsRoutes.allows(loopback, "")).isFalse();
    assertThat(MetricsRoutes.allows(loopback, null)).isFalse();
    List<Cidr> monitoring = MetricsRoutes.networks(new ServeConfig.MetricsAccess(List.of("10.20.0.0/24",
        "fd00:1::/64")));
    assertThat(MetricsRoutes.allows(monitoring, "10.20.0.77")).isTrue();
    assertThat(MetricsRoutes.allows(monitoring, "10.20.1.77")).isFalse();
    assertThat(MetricsRoutes.allows(monitoring, "[fd00:1::5%2]")).as("with a zone").isTrue();
    assertThat(MetricsRoutes.allows(monitoring, "fd00:2::5")).isFalse();
    assertThat(MetricsRoutes.allows(MetricsRoutes.networks(new ServeConfig.MetricsAccess(List.of())), "127.0.0.1"))
        .as("empty: every scrape needs a token").isFalse();
  }

  @Test
  void badAllowEntry_stopsTheStart_namingTheKeyAndTheEntry() {
    for (String bad : List.of("10.0.0.0/33", "monitoring.example", "10.0.0")) {
      assertThatThrownBy(() -> TestServer.start("sqlite", dir.resolve(bad.replace('/', '_')),
          Map.of("LOVCEN_METRICS_ALLOW", "127.0.0.1," + bad)))
          .isInstanceOf(LovcenException.class).hasMessageContaining("metrics.allow").hasMessageContaining(bad);
    }
  }

  /** An institution mf with one event ingested (its series names it); returns mf's ingest token. */
  private static String seed(TestServer s) {
    String ingest = s.institution(s.admin(), "mf");
    TestServer.Response r = s.ingest(ingest, OpenApiContractTest.Events.sysmon("MF-WS01", "2022-08-22T10:00:00Z",
        "whoami"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return ingest;
  }

  private static String metricsToken(TestServer s, String admin) {
    TestServer.Response r = s.postJson("/api/v1/metrics-tokens", admin, Map.of("name", "prometheus"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().get("name").asText()).isEqualTo("prometheus");
    return r.json().get("token").asText();
  }

  private static void assertUnauthorized(TestServer.Response r, String why) {
    assertThat(r.status()).as("%s: %s", why, r.body()).isEqualTo(401);
    assertThat(r.header("Content-Type")).as(why).startsWith("application/problem+json");
    assertThat(r.header("WWW-Authenticate")).as(why).startsWith("Bearer");
    assertThat(r.body()).as(why).doesNotContain("lovcen_").doesNotContain("\"mf\"");
  }

  private static Handler capture(List<String> lines) {
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    SECURITY.addHandler(h);
    return h;
  }
}
