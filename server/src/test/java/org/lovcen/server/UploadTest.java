package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.SharedData;

/** An analyst uploads a collection: EVTX and access logs are read by the same readers as hunt and stored. */
class UploadTest {
  @TempDir Path dir;

  private static Path regressionEvtx() throws IOException {
    Path root = SharedData.resolve("sigma/regression");
    Assumptions.assumeTrue(root != null && Files.isDirectory(root), "needs ../shared/sigma/regression");
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> files = s.filter(p -> p.toString().endsWith(".evtx")).sorted().toList();
      return files.get(0);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void evtxUpload_storesEveryRecordForTheInstitution(String kind) throws IOException {
    Path evtx = regressionEvtx();
    Path twin = evtx.resolveSibling(evtx.getFileName().toString().replace(".evtx", ".json"));
    long records = Files.readAllLines(twin).stream().filter(l -> l.startsWith("{")).count();
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      s.institution(admin, "mf");
      s.institution(admin, "mup");
      String analyst = s.user(admin, "ana", "institution_analyst", "mf", null);
      byte[] body = Files.readAllBytes(evtx);

      TestServer.Response r = s.post("/api/v1/ingest/files?name=collected.evtx", analyst, "application/octet-stream",
          body);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("accepted").asLong()).isEqualTo(records);
      assertThat(s.get("/api/v1/events?institution=mf", admin).json().get("total").asLong()).isEqualTo(records);

      assertThat(s.post("/api/v1/ingest/files?name=x.evtx&institution=mup", analyst, "application/octet-stream",
          body).status()).isEqualTo(403);
      assertThat(s.get("/api/v1/events?institution=mup", admin).json().get("total").asLong()).isZero();
      try (Stream<Path> left = Files.list(dir.resolve("data/uploads"))) {
        assertThat(left).as("uploads are removed once stored").isEmpty();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void accessLogUpload_becomesEventsWithTheWebServerFields(String kind) {
    String log = """
        203.0.113.7 - - [22/Aug/2022:10:00:01 +0200] "GET /index.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0"
        203.0.113.7 - - [22/Aug/2022:10:00:02 +0200] "GET /wp-login.php?user=admin HTTP/1.1" 404 162 "-" "sqlmap/1.6"
        """;
    try (TestServer s = TestServer.start(kind, dir)) {
      String admin = s.admin();
      s.institution(admin, "rtcg");
      TestServer.Response r = s.post("/api/v1/ingest/files?name=www.rtcg.me.access.log&institution=rtcg&host=www.rtcg.me",
          admin, "text/plain", log.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("accepted").asInt()).isEqualTo(2);
      var events = s.get("/api/v1/events?institution=rtcg&field.c-ip=203.0.113.7", admin).json();
      assertThat(events.get("total").asInt()).isEqualTo(2);
      assertThat(s.get("/api/v1/events?institution=rtcg&q=sqlmap", admin).json().get("total").asInt()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void gzipUploadOfManyBatches_storesEveryEventOnce(String kind) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 2500; i++) {
      b.append("{\"@timestamp\":\"2022-08-22T10:00:00Z\",\"host\":{\"name\":\"h").append(i % 7)
          .append("\"},\"n\":").append(i).append("}\n");
      if (i % 500 == 0) {
        b.append("not json\n");
      }
    }
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }
    try (TestServer s = TestServer.start(kind, dir, java.util.Map.of("LOVCEN_INGEST_BATCH_EVENTS", "100"))) {
      String admin = s.admin();
      s.institution(admin, "mf");
      TestServer.Response r = s.post("/api/v1/ingest/files?name=events.jsonl.gz&institution=mf", admin,
          "application/gzip", gz.toByteArray(), "Idempotency-Key", "upload-1");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("accepted").asInt()).isEqualTo(2500);
      assertThat(r.json().get("rejected").asInt()).isEqualTo(5);
      TestServer.Response again = s.post("/api/v1/ingest/files?name=events.jsonl.gz&institution=mf", admin,
          "application/gzip", gz.toByteArray(), "Idempotency-Key", "upload-1");
      assertThat(again.json().get("duplicate").asBoolean()).isTrue();
      assertThat(s.get("/api/v1/events?institution=mf", admin).json().get("total").asInt()).isEqualTo(2500);
    }
  }
}
