package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.lovcen.core.Event;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;

/**
 * Test fixture: a {@link TestServer} holding the demo scenario (the August 2022 wave: a few
 * institutions, the intrusion at those hit, ordinary activity everywhere), sent as each
 * institution's shipper would, detected, with a national analyst and one analyst per institution.
 * Users: {@code admin}, {@code nadia} (national analyst) and {@code ana-<institution>}, each with
 * the password {@link #password}.
 */
public final class DemoWorld implements AutoCloseable {
  public final TestServer s;
  public final String admin;
  /** Institution ids in the order generated; {@link #hit} those the intrusion reached. */
  public final List<String> institutions;
  public final List<String> hit;

  private DemoWorld(TestServer s, String admin, List<String> institutions, List<String> hit) {
    this.s = s;
    this.admin = admin;
    this.institutions = institutions;
    this.hit = hit;
  }

  /** Generates the scenario into {@code dir} and sends it to a fresh server on {@code kind}. */
  public static DemoWorld start(String kind, Path dir, int institutions, long events) throws IOException {
    return start(kind, dir, ScenarioGenerator.Options.defaults().withInstitutions(institutions).withEvents(events));
  }

  /** The same with the generator's options (which institutions the actor hits, how many hosts …). */
  public static DemoWorld start(String kind, Path dir, ScenarioGenerator.Options options) throws IOException {
    Path demo = dir.resolve("demo");
    ScenarioGenerator.Summary sum = ScenarioGenerator.generate(demo, options);
    TestServer s = TestServer.start(kind, dir.resolve("server"), Map.of("LOVCEN_DETECTION_IDLE_CLOSE_SECONDS", "1"));
    try {
      String admin = s.admin();
      JsonNode titles = TestServer.JSON.readTree(demo.resolve("institutions.json").toFile());
      for (JsonNode t : titles) {
        String id = t.get("id").asText();
        assertThat(s.postJson("/api/v1/institutions", admin, Map.of("id", id, "name", t.get("title").asText()))
            .status()).isEqualTo(201);
        String token = s.post("/api/v1/institutions/" + id + "/ingest-tokens", admin, null, new byte[0]).json()
            .get("token").asText();
        TestServer.Response r = s.ingest(token, String.join("\n", linesByTime(demo.resolve(id))) + "\n");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        user(s, admin, "ana-" + id, "institution_analyst", id);
      }
      user(s, admin, "nadia", "national_analyst", null);
      s.awaitDetection();
      settle(s, admin);
      return new DemoWorld(s, admin, sum.institutions(), sum.hit());
    } catch (RuntimeException | AssertionError | IOException e) {
      s.close();
      throw e;
    }
  }

  /** The password of every user of the world but the administrator. */
  public static String password(String name) {
    return name + "-long-password";
  }

  private static void user(TestServer s, String admin, String name, String role, String institution) {
    Map<String, Object> m = new java.util.HashMap<>(Map.of("name", name, "password", password(name), "role", role));
    if (institution != null) {
      m.put("institution", institution);
    }
    assertThat(s.postJson("/api/v1/users", admin, m).status()).isEqualTo(201);
  }

  /** Waits until the alert count stops changing (correlations close after the idle time). */
  private static void settle(TestServer s, String admin) {
    long last = -1;
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      long now = s.get("/api/v1/alerts?limit=1", admin).json().get("total").asLong();
      if (now == last && now > 0) {
        return;
      }
      last = now;
      sleep(1500);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An institution's JSON lines in event-time order, as a shipper sends them. */
  static List<String> linesByTime(Path dir) throws IOException {
    record Line(long ts, String text) {}
    List<Line> lines = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> w = Files.list(dir)) {
      files = w.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
    }
    Event e = new Event();
    for (Path f : files) {
      for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        long[] ts = {Event.NO_TIME};
        Readers.readJson(new java.io.ByteArrayInputStream(l.getBytes(StandardCharsets.UTF_8)), "x",
            ReadOptions.DEFAULT, e, ev -> ts[0] = ev.timestamp(), p -> {});
        lines.add(new Line(ts[0], l));
      }
    }
    lines.sort(Comparator.comparingLong(Line::ts));
    return lines.stream().map(Line::text).toList();
  }

  @Override
  public void close() {
    s.close();
  }
}
