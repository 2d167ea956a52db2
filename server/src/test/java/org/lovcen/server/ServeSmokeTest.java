package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ServeSmokeTest {
  @TempDir Path dir;

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void ingest_storesEventsAndRaisesAlertsInIncidents(String kind) {
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      String ingest = s.institution(admin, "mf");
      String line = "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
          + "\"Computer\":\"MF-WS01\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2022-08-22T10:00:00Z\"}}},"
          + "\"EventData\":{\"Image\":\"C:\\\\Windows\\\\Temp\\\\mimikatz.exe\",\"CommandLine\":"
          + "\"mimikatz.exe sekurlsa::logonpasswords\"}}}\n";
      TestServer.Response r = s.ingest(ingest, line + "not json\n");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
      assertThat(r.json().get("rejected").asInt()).isEqualTo(1);
      s.awaitDetection();
      var events = s.get("/api/v1/events?institution=mf", admin).json();
      assertThat(events.get("total").asInt()).isEqualTo(1);
      assertThat(events.get("items").get(0).get("host").asText()).isEqualTo("MF-WS01");
    }
  }
}
