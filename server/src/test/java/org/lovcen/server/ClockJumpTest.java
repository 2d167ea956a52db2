package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A host whose clock jumps a year ahead must not blind the correlations of its institution: its
 * events are stored and matched one by one, but are not correlated, so the password spraying
 * that follows, seen by correctly dated hosts, still raises its correlation alert.
 */
class ClockJumpTest {
  private static final String SPRAY = "886840d6-14f9-45b0-a8a7-2a5e4b14e7e4"; // password spraying

  @TempDir Path dir;

  private static String failedLogon(String host, Instant at, int record) {
    return failedLogon(host, at, record, "jovana.petrovic");
  }

  private static String failedLogon(String host, Instant at, int record, String user) {
    return "{\"Event\":{\"System\":{\"EventID\":4625,\"Channel\":\"Security\",\"Computer\":\"" + host
        + "\",\"EventRecordID\":" + record + ",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"" + at
        + "\"}}},\"EventData\":{\"TargetUserName\":\"" + user + "\",\"IpAddress\":\"185.220.101.7\","
        + "\"LogonType\":3}}}\n";
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void hostClockAYearAhead_doesNotBlindTheInstitutionsCorrelations(String kind) {
    // open correlation episodes are emitted after a second without events
    try (TestServer s = TestServer.start(kind, dir, java.util.Map.of("LOVCEN_DETECTION_IDLE_CLOSE_SECONDS", "1"))) {
      String admin = s.admin();
      String a = s.institution(admin, "mf");
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      assertThat(s.ingest(a, failedLogon("dc-skewed", now.plus(365, ChronoUnit.DAYS), 1)).status()).isEqualTo(200);
      s.awaitDetection();
      StringBuilder burst = new StringBuilder();
      for (int i = 0; i < 12; i++) {
        burst.append(failedLogon("dc-01", now.minusSeconds(120 - i * 5L), 10 + i, "user" + i));
      }
      assertThat(s.ingest(a, burst.toString()).status()).isEqualTo(200);
      s.awaitDetection();

      int alerts = 0;
      for (int tries = 0; tries < 100 && alerts == 0; tries++) {
        sleep(100);
        alerts = s.get("/api/v1/alerts?rule=" + SPRAY + "&institution=mf", admin).json().get("total").asInt();
      }
      assertThat(alerts).as("the spraying is correlated despite the skewed host").isEqualTo(1);
      assertThat(s.get("/api/v1/events?institution=mf&host=dc-skewed", admin).json().get("total").asInt())
          .as("the skewed event is stored").isEqualTo(1);
      assertThat(s.server.metrics().scrape()).contains("lovcen_correlation_future_hits 1.0");
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
