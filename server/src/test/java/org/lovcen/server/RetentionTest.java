package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Raw events are kept for their institution's retention days, and not a day less. */
class RetentionTest {
  @TempDir Path dir;

  private static String event(String host, Instant at) {
    return "{\"@timestamp\":\"" + at + "\",\"host\":{\"name\":\"" + host + "\"},\"message\":\"m\"}\n";
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void sweep_deletesOnlyDaysPastEachInstitutionsRetention(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String a = s.institution(admin, "a");
      String b = s.institution(admin, "b");
      assertThat(s.patchJson("/api/v1/institutions/a", admin, Map.of("retention_days", 7)).json()
          .get("retention_days").asInt()).isEqualTo(7);
      Instant now = Instant.now();
      s.ingest(a, event("a-old", now.minus(10, ChronoUnit.DAYS)) + event("a-new", now.minus(2, ChronoUnit.DAYS)));
      s.ingest(b, event("b-old", now.minus(10, ChronoUnit.DAYS)) + event("b-older", now.minus(80, ChronoUnit.DAYS))
          + event("b-past", now.minus(95, ChronoUnit.DAYS)));
      s.awaitDetection();

      s.server.sweepRetention();

      assertThat(s.get("/api/v1/events?institution=a", admin).json().findValuesAsText("host"))
          .containsExactly("a-new");
      assertThat(s.get("/api/v1/events?institution=b", admin).json().findValuesAsText("host"))
          .containsExactlyInAnyOrder("b-old", "b-older");
      assertThat(s.patchJson("/api/v1/institutions/a", admin, Map.of("retention_days", 0)).status()).isEqualTo(400);
      String analyst = s.user(admin, "ana", "institution_analyst", "a", null);
      assertThat(s.patchJson("/api/v1/institutions/a", analyst, Map.of("retention_days", 1)).status()).isEqualTo(403);
    }
  }
}
