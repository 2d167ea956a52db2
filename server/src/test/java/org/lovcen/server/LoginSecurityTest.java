package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sign-in throttling and lockout, and the security log (ASVS V2.2, V7.2; docs/SECURITY.md). */
class LoginSecurityTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class Hand extends Clock {
    long millis = 1_700_000_000_000L;

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }
  }

  @Test
  void throttle_locksAnAccountAfterFiveFailures_untilTheWindowPasses() {
    Hand clock = new Hand();
    LoginThrottle t = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.ACCOUNT_FAILURES; i++) {
      assertThat(t.lockedFor("Ana", "10.0.0." + i)).isZero();
      t.failed("Ana", "10.0.0." + i); // from different addresses: the account is locked anyway
      clock.millis += 1000;
    }
    long wait = t.lockedFor("ana", "10.9.9.9");
    assertThat(wait).isBetween(LoginThrottle.WINDOW_MILLIS - 5000, LoginThrottle.WINDOW_MILLIS);
    assertThat(t.lockedFor("boris", "10.9.9.9")).as("other accounts are not locked").isZero();
    clock.millis += wait;
    assertThat(t.lockedFor("ana", "10.9.9.9")).isZero();
  }

  @Test
  void throttle_locksAnAddressSprayingManyAccounts_andSuccessClearsAnAccount() {
    Hand clock = new Hand();
    LoginThrottle t = new LoginThrottle(clock);
    for (int i = 0; i < LoginThrottle.ADDRESS_FAILURES; i++) {
      t.failed("user" + i, "203.0.113.7");
    }
    assertThat(t.lockedFor("someone-else", "203.0.113.7")).isPositive();
    assertThat(t.lockedFor("someone-else", "198.51.100.1")).isZero();
    for (int i = 0; i < 2 * LoginThrottle.ADDRESS_FAILURES; i++) {
      t.failed("proxied" + i, "127.0.0.1"); // behind a reverse proxy: loopback is not locked
    }
    assertThat(t.lockedFor("someone-else", "127.0.0.1")).isZero();
    t.failed("vesna", "198.51.100.1");
    t.failed("vesna", "198.51.100.1");
    t.succeeded("vesna");
    for (int i = 0; i < LoginThrottle.ACCOUNT_FAILURES - 1; i++) {
      t.failed("vesna", "198.51.100.1");
    }
    assertThat(t.lockedFor("vesna", "198.51.100.1")).as("the two before the success do not count").isZero();
  }

  @Test
  void server_lockedAccountIsRefusedEvenWithTheRightPassword_andEveryStepIsLoggedWithoutSecrets() {
    List<String> lines = new ArrayList<>();
    Logger jul = Logger.getLogger(SecurityLog.LOGGER);
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (lines) {
          lines.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(h);
    try (TestServer s = TestServer.start("sqlite", dir)) {
      String admin = s.admin();
      s.institution(admin, "mup");
      s.user(admin, "milica", "institution_analyst", "mup", null);
      for (int i = 0; i < LoginThrottle.ACCOUNT_FAILURES; i++) {
        TestServer.Response r = s.postJson("/api/v1/auth/login", null, Map.of("name", "milica",
            "password", "guess-number-" + i));
        assertThat(r.status()).isEqualTo(401);
      }
      TestServer.Response locked = s.postJson("/api/v1/auth/login", null, Map.of("name", "milica",
          "password", "milica-long-password"));
      assertThat(locked.status()).isEqualTo(429);
      assertThat(Long.parseLong(locked.header("Retry-After"))).isGreaterThan(800);
      assertThat(locked.json().get("type").asText()).endsWith("locked");
      assertThat(s.admin()).as("other accounts still sign in").isNotBlank();

      List<String> seen;
      synchronized (lines) {
        seen = List.copyOf(lines);
      }
      assertThat(seen).anyMatch(l -> l.contains("\"event\":\"login.failed\"") && l.contains("\"actor\":\"milica\""));
      assertThat(seen).anyMatch(l -> l.contains("\"event\":\"login.locked\""));
      assertThat(seen).anyMatch(l -> l.contains("\"event\":\"user.created\"") && l.contains("\"user\":\"milica\""));
      assertThat(seen).anyMatch(l -> l.contains("\"event\":\"token.issued\"") && l.contains("\"kind\":\"ingest\""));
      assertThat(seen).anyMatch(l -> l.contains("\"event\":\"login.ok\"") && l.contains("\"actor\":\"admin\""));
      assertThat(String.join("\n", seen)).doesNotContain("guess-number").doesNotContain("long-password")
          .doesNotContain(TestServer.ADMIN_PASSWORD);
    } finally {
      jul.removeHandler(h);
    }
  }

  /**
   * ASVS 7.2.1, 7.2.2: the changes that decide who may send and see what, and what detection sees
   * (institutions and their syslog sources, partners, shares, rule switches, filters, reloads,
   * tokens, sign-out), and every denied access (403, with the caller) and rejected token (401), go
   * to the security log; no line carries a token or a password.
   */
  @Test
  void server_securityRelevantChangesAndDeniedAccess_areLogged_withoutSecrets() {
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Logger jul = Logger.getLogger(SecurityLog.LOGGER);
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
    jul.addHandler(h);
    String rule = "55e63517-97e4-4ee5-be58-548803e1c6c0";
    List<String> secrets = new ArrayList<>();
    try (TestServer s = TestServer.start("sqlite", dir)) {
      String admin = s.admin();
      secrets.add(admin);
      String ingest = s.institution(admin, "mf");
      secrets.add(ingest);
      assertThat(s.patchJson("/api/v1/institutions/mf", admin, Map.of("syslog_sources", "10.1.0.0/16")).status())
          .isEqualTo(200);
      assertThat(s.postJson("/api/v1/partners", admin, Map.of("id", "cert-al", "name", "CERT Albania")).status())
          .isEqualTo(201);
      String analyst = s.user(admin, "milica", "institution_analyst", "mf", null);
      secrets.add(analyst);
      assertThat(s.putJson("/api/v1/institutions/mf/rules/" + rule, analyst, Map.of("enabled", false)).status())
          .isEqualTo(200);
      TestServer.Response filter = s.postJson("/api/v1/institutions/mf/filters", analyst, Map.of("name", "backup",
          "yaml", "title: t\nlogsource:\n  category: process_creation\n  product: windows\nfilter:\n  rules:\n"
              + "    - " + rule + "\n  selection:\n    Computer: BACKUP01\n  condition: selection\n"));
      assertThat(filter.status()).as(filter.body()).isEqualTo(201);
      assertThat(s.delete("/api/v1/institutions/mf/filters/" + filter.json().get("id").asLong(), analyst).status())
          .isEqualTo(204);
      assertThat(s.post("/api/v1/rules/reload", analyst, null, new byte[0]).status()).isEqualTo(403);
      assertThat(s.post("/api/v1/rules/reload", admin, null, new byte[0]).status()).isEqualTo(200);
      s.ingest(ingest, OpenApiContractTest.Events.sysmon("MF-WS01", "2022-08-22T10:00:00Z",
          "mimikatz.exe sekurlsa::logonpasswords"));
      s.awaitDetection();
      long incident = s.get("/api/v1/incidents?institution=mf", admin).json().get("items").get(0).get("id").asLong();
      assertThat(s.postJson("/api/v1/incidents/" + incident + "/shares", admin, Map.of("partner", "cert-al")).status())
          .isEqualTo(204);
      TestServer.Response decision = s.postJson("/api/v1/decisions", admin, Map.of("institution", "mf", "value",
          "203.0.113.51", "reason", "seen scanning"));
      assertThat(decision.status()).as(decision.body()).isEqualTo(201);
      assertThat(s.post("/api/v1/decisions/" + decision.json().get("id").asLong() + "/revoke", admin, null,
          new byte[0]).status()).isLessThan(300);
      TestServer.Response api = s.postJson("/api/v1/tokens", admin, Map.of("name", "nightly", "days", 1));
      String apiToken = api.json().get("token").asText();
      secrets.add(apiToken);
      long apiId = -1;
      for (var t : s.get("/api/v1/tokens", admin).json().get("items")) {
        if (t.path("name").asText().equals("nightly")) {
          apiId = t.get("id").asLong();
        }
      }
      assertThat(s.delete("/api/v1/tokens/" + apiId, admin).status()).isEqualTo(204);
      assertThat(s.get("/api/v1/me", apiToken).status()).isEqualTo(401);
      assertThat(s.get("/api/v1/alerts", "lvs_not-a-token-at-all").status()).isEqualTo(401);
      assertThat(s.get("/api/v1/alerts", null).status()).as("no credential: not logged one by one").isEqualTo(401);
      assertThat(s.post("/api/v1/auth/logout", analyst, null, new byte[0]).status()).isEqualTo(204);

      String all = String.join("\n", lines);
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"institution.updated\"") && l.contains("10.1.0.0/16"));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"institution.created\"") && l.contains("\"mf\""));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"partner.created\"") && l.contains("cert-al"));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"rule.disabled\"") && l.contains("\"actor\":\"milica\"")
          && l.contains(rule));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"filter.added\"") && l.contains("backup"));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"filter.deleted\""));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"rules.reloaded\"") && l.contains("\"actor\":\"admin\""));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"access.denied\"") && l.contains("\"actor\":\"milica\"")
          && l.contains("/api/v1/rules/reload"));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"incident.shared\"") && l.contains("cert-al"));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"token.revoked\""));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"decision.created\"") && l.contains("203.0.113.51"));
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"decision.revoked\"") && l.contains("203.0.113.51"));
      assertThat(lines).filteredOn(l -> l.contains("\"event\":\"token.rejected\"")).hasSize(2);
      assertThat(lines).anyMatch(l -> l.contains("\"event\":\"logout\"") && l.contains("\"actor\":\"milica\""));
      assertThat(secrets).allSatisfy(secret -> assertThat(all).doesNotContain(secret));
      assertThat(all).doesNotContain("lvs_not-a-token").doesNotContain("long-password")
          .doesNotContain(TestServer.ADMIN_PASSWORD);
    } finally {
      jul.removeHandler(h);
    }
  }

  /** ASVS V14.4: every answer, errors included, carries the security headers and is not cached. */
  @Test
  void responses_carryTheSecurityHeaders_errorsIncluded() {
    try (TestServer s = TestServer.start("sqlite", dir)) {
      String admin = s.admin();
      for (TestServer.Response r : List.of(s.get("/api/v1/alerts", admin), s.get("/api/v1/alerts", null),
          s.get("/api/v1/no-such-route", admin), s.get("/healthz", null))) {
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat org.");
      }
      // the UI page: a Content Security Policy that allows scripts from the server only, none inline
      String csp = s.get("/ui/", null).header("Content-Security-Policy");
      assertThat(csp).contains("default-src 'self'").contains("frame-ancestors 'none'");
      String scripts = csp.replaceFirst("(?s).*script-src([^;]*).*", "$1");
      assertThat(scripts).contains("'self'").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
    }
  }
}
