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
    }
  }
}
