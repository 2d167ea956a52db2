package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lovcen.server.TenancyMatrixTest.assertProblem;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.server.TestServer.Response;

/*
 * How and why: hostile and broken HTTP input against a real server whose ingest body limit is
 * 1 MiB. Every case checks the answer (status, RFC 9457 problem document), that the rejection is
 * counted in /metrics, that nothing of a refused request is stored and nothing of an accepted one
 * is lost, and that the server still serves afterwards. One server per database kind serves
 * every case; each case writes into an institution of its own, so counts never mix. The
 * backpressure case runs its own server with a ten-event queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {
  private static final String KINDS = "org.lovcen.store.TestDatabases#kinds";
  private static final String NDJSON = "application/x-ndjson";
  private static final String INGEST = "/api/v1/ingest/events";
  private static final int MIB = 1 << 20;

  @TempDir static Path dir;
  private final Map<String, TestServer> servers = new HashMap<>();
  private final Map<String, String> admins = new HashMap<>();
  private final AtomicInteger institutions = new AtomicInteger();

  private synchronized TestServer server(String kind) {
    return servers.computeIfAbsent(kind, k -> {
      TestServer s = TestServer.start(k, dir.resolve(k), Map.of("LOVCEN_INGEST_MAX_BODY_MB", "1"));
      admins.put(k, s.admin());
      return s;
    });
  }

  @AfterAll
  void close() {
    servers.values().forEach(TestServer::close);
  }

  /** A new institution of this test; returns its id and ingest token. */
  private String[] institution(TestServer s, String kind) {
    String id = "bad" + institutions.incrementAndGet();
    return new String[] {id, s.institution(admins.get(kind), id)};
  }

  private long stored(TestServer s, String kind, String institution) {
    Response r = s.get("/api/v1/events?limit=1&institution=" + institution, admins.get(kind));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().get("total").asLong();
  }

  /** The value of {@code lovcen_ingest_rejected_total} for a reason (0 before the first). */
  static double rejected(TestServer s, String reason) {
    return metric(s, "lovcen_ingest_rejected_total", "reason=\"" + reason + "\"");
  }

  static double metric(TestServer s, String name, String label) {
    Response r = s.get("/metrics", null);
    assertThat(r.status()).isEqualTo(200);
    double sum = 0;
    for (String line : r.body().split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label) || line.startsWith(name + " ") && label.isEmpty()) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The server still answers and stores: /healthz, /readyz, and one good line for the institution. */
  private void assertStillServing(TestServer s, String kind, String[] inst) {
    assertThat(s.get("/healthz", null).status()).isEqualTo(200);
    assertThat(s.get("/readyz", null).status()).isEqualTo(200);
    long before = stored(s, kind, inst[0]);
    Response r = s.ingest(inst[1], line("still-serving") + "\n");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
    assertThat(stored(s, kind, inst[0])).isEqualTo(before + 1);
  }

  static String line(String note) {
    return "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\","
        + "\"Computer\":\"WS01\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2026-11-20T10:00:00Z\"}}},"
        + "\"EventData\":{\"Image\":\"C:\\\\Windows\\\\System32\\\\notepad.exe\",\"CommandLine\":\"notepad " + note
        + "\"}}}";
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(data);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  /** At least {@code bytes} bytes of JSON lines, each a small valid event. */
  static byte[] lines(int bytes, String note) {
    StringBuilder b = new StringBuilder(bytes + 200);
    while (b.length() < bytes) {
      b.append(line(note)).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---- size ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_bodyOverMaxBodyMb_is413Problem_plainGzipBombAndNestedGzip(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    double before = rejected(s, "too-large");
    byte[] plain = lines(2 * MIB, "too-large");
    byte[] spaces = new byte[64 * MIB];
    Arrays.fill(spaces, (byte) ' ');
    Map<String, byte[]> bodies = new java.util.LinkedHashMap<>();
    bodies.put("plain 2 MiB", plain);
    bodies.put("gzip bomb (64 MiB of spaces)", gzip(spaces));
    bodies.put("gzip of 2 MiB of lines", gzip(plain));
    bodies.put("gzip inside gzip", gzip(gzip(plain)));
    for (Map.Entry<String, byte[]> b : bodies.entrySet()) {
      Response r = s.post(INGEST, inst[1], NDJSON, b.getValue());
      assertThat(r.status()).as(b.getKey() + ": " + abbreviate(r.body())).isEqualTo(413);
      assertProblem(r, 413, INGEST);
      assertThat(r.json().get("detail").asText()).as(b.getKey()).contains("1 MiB");
    }
    Response encoded = s.post(INGEST, inst[1], NDJSON, gzip(plain), "Content-Encoding", "gzip");
    assertThat(encoded.status()).isEqualTo(413);
    assertThat(rejected(s, "too-large") - before).isEqualTo(bodies.size() + 1);
    assertThat(stored(s, kind, inst[0])).isZero();
    // a body at the limit is fine
    Response fits = s.post(INGEST, inst[1], NDJSON, gzip(lines(MIB - 1000, "fits")));
    assertThat(fits.status()).as(abbreviate(fits.body())).isEqualTo(200);
    assertThat(stored(s, kind, inst[0])).isEqualTo(fits.json().get("accepted").asLong()).isPositive();
    assertStillServing(s, kind, inst);
  }

  @ParameterizedTest
  @MethodSource(KINDS)
  void adminEndpoints_bodyOverTheLimit_is413Problem(String kind) {
    TestServer s = server(kind);
    String big = "{\"id\":\"huge\",\"name\":\"" + "x".repeat(2 * MIB) + "\"}";
    Response r = s.postJson("/api/v1/institutions", admins.get(kind), big);
    assertThat(r.status()).as(abbreviate(r.body())).isEqualTo(413);
    assertProblem(r, 413, "/api/v1/institutions");
    assertThat(s.get("/api/v1/institutions/huge", admins.get(kind)).status()).isEqualTo(404);
    assertStillServing(s, kind, institution(s, kind));
  }

  // ---- lines ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_malformedLinesAmongGoodOnes_storesTheGood_andCountsTheBadWithTheirLines(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    double before = rejected(s, "malformed");
    String body = String.join("\n",
        line("good-1"), // 1
        "not json at all", // 2
        line("good-3"), // 3
        "{\"broken\": tru}", // 4
        "", // 5
        line("good-6"), // 6
        "{\"unterminated\": \"string", // 7
        "42", // 8
        "{\"a\":1} trailing", // 9
        line("good-10")) + "\n";
    Response r = s.ingest(inst[1], body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode j = r.json();
    // line 9: the object is an event (records may follow each other on a line), "trailing" is not
    assertThat(j.get("accepted").asInt()).isEqualTo(5);
    assertThat(j.get("rejected").asInt()).isEqualTo(5);
    assertThat(j.get("duplicate").asBoolean()).isFalse();
    List<String> positions = new ArrayList<>();
    j.get("problems").forEach(p -> positions.add(p.get("position").asText()));
    assertThat(positions).containsExactlyInAnyOrder("line 2", "line 4", "line 7", "line 8", "line 9");
    j.get("problems").forEach(p -> assertThat(p.get("reason").asText()).isNotBlank());
    assertThat(rejected(s, "malformed") - before).isEqualTo(5);
    List<String> notes = new ArrayList<>();
    for (JsonNode e : s.get("/api/v1/events?institution=" + inst[0], admins.get(kind)).json().get("items")) {
      notes.add(e.get("fields").has("CommandLine") ? e.get("fields").get("CommandLine").asText()
          : e.get("fields").toString());
    }
    assertThat(notes).containsExactlyInAnyOrder("notepad good-1", "notepad good-3", "notepad good-6",
        "notepad good-10", "{\"a\":1}");
    assertStillServing(s, kind, inst);
  }

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_hugeNumbersOfLines_areAllStoredOrAllCounted(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    StringBuilder tiny = new StringBuilder();
    int n = 0;
    while (tiny.length() < MIB - 64) {
      tiny.append("{\"n\":").append(n++).append("}\n");
    }
    Response ok = s.ingest(inst[1], tiny.toString());
    assertThat(ok.status()).as(abbreviate(ok.body())).isEqualTo(200);
    assertThat(ok.json().get("accepted").asInt()).isEqualTo(n);
    assertThat(stored(s, kind, inst[0])).isEqualTo(n);

    double before = rejected(s, "malformed");
    int bad = 400_000;
    Response junk = s.ingest(inst[1], "x\n".repeat(bad));
    assertThat(junk.status()).as(abbreviate(junk.body())).isEqualTo(200);
    assertThat(junk.json().get("accepted").asInt()).isZero();
    assertThat(junk.json().get("rejected").asInt()).isEqualTo(bad);
    assertThat(junk.json().get("problems").size()).isEqualTo(100);
    assertThat(junk.json().get("problems").get(99).get("position").asText()).isEqualTo("line 100");
    assertThat(rejected(s, "malformed") - before).isEqualTo(bad);
    Response blank = s.ingest(inst[1], "\n".repeat(MIB - 1));
    assertThat(blank.json().get("accepted").asInt()).isZero();
    assertThat(blank.json().get("rejected").asInt()).isZero();
    assertThat(stored(s, kind, inst[0])).isEqualTo(n);
    assertStillServing(s, kind, inst);
  }

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_binaryGarbageAndInvalidUtf8_areRejectedLines_notServerErrors(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    Random random = new Random(20261125);
    for (int round = 0; round < 5; round++) {
      byte[] junk = new byte[200_000];
      random.nextBytes(junk);
      junk[0] = 'x'; // not the gzip magic: garbage, not a damaged gzip stream
      Response r = s.post(INGEST, inst[1], NDJSON, junk);
      assertThat(r.status()).as(abbreviate(r.body())).isEqualTo(200);
      assertThat(r.json().get("rejected").asInt()).isPositive();
    }
    ByteArrayOutputStream mixed = new ByteArrayOutputStream();
    mixed.writeBytes("{\"a\":\"".getBytes(StandardCharsets.UTF_8));
    mixed.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
    mixed.writeBytes("\"}\n{\"nul\":\"a\u0000b\"}\n".getBytes(StandardCharsets.UTF_8));
    mixed.writeBytes(new byte[] {0, 0, 0, '\n'});
    mixed.writeBytes((line("after-garbage") + "\n").getBytes(StandardCharsets.UTF_8));
    Response r = s.post(INGEST, inst[1], NDJSON, mixed.toByteArray());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("rejected").asInt()).as(r.body()).isGreaterThanOrEqualTo(2);
    assertThat(s.get("/api/v1/events?q=after-garbage&institution=" + inst[0], admins.get(kind)).json()
        .get("total").asInt()).isEqualTo(1);
    assertStillServing(s, kind, inst);
  }

  /**
   * Header values longer than their columns (a host name of 5000 characters, a channel and a
   * provider of 3000) in one request beside a good line: the good line and the long one are both
   * stored (the header columns keep a prefix; the fields keep the whole value), on PostgreSQL too,
   * whose columns refuse longer text, and nothing else sent with them is refused.
   */
  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_headerValuesLongerThanTheirColumns_areStoredCut_withTheWholeValueInTheFields(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    String host = "H".repeat(5000);
    String longLine = "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"" + "C".repeat(3000)
        + "\",\"Provider\":{\"#attributes\":{\"Name\":\"" + "P".repeat(3000) + "\"}},\"Computer\":\"" + host
        + "\",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2026-11-20T10:00:00Z\"}}},"
        + "\"EventData\":{\"CommandLine\":\"long header\"}}}";
    Response r = s.ingest(inst[1], line("before") + "\n" + longLine + "\n" + line("after") + "\n");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().get("accepted").asInt()).isEqualTo(3);
    assertThat(stored(s, kind, inst[0])).isEqualTo(3);
    JsonNode events = s.get("/api/v1/events?limit=10&institution=" + inst[0], admins.get(kind)).json().get("items");
    JsonNode cut = null;
    for (JsonNode e : events) {
      if (e.toString().contains("long header")) {
        cut = e;
      }
    }
    assertThat(cut).isNotNull();
    assertThat(cut.get("host").asText()).hasSizeLessThanOrEqualTo(512).startsWith("HHHH");
    assertThat(cut.toString()).as("the fields keep the whole value").contains(host);
    assertStillServing(s, kind, inst);
  }

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_deeplyNestedJson_isARejectedLine_andShallowNestingIsStored(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    String arrays = "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    String shallow = "{\"a\":".repeat(10) + "\"shallow\"" + "}".repeat(10);
    Response r = s.ingest(inst[1], deep + "\n" + arrays + "\n" + shallow + "\n");
    assertThat(r.status()).as(abbreviate(r.body())).isEqualTo(200);
    assertThat(r.json().get("accepted").asInt()).isEqualTo(1);
    assertThat(r.json().get("rejected").asInt()).isEqualTo(2);
    assertThat(r.json().get("problems").get(0).get("position").asText()).isEqualTo("line 1");
    assertThat(r.json().get("problems").get(1).get("position").asText()).isEqualTo("line 2");
    for (String path : List.of("/api/v1/institutions", "/api/v1/users", "/api/v1/auth/login")) {
      Response a = s.postJson(path, admins.get(kind), deep);
      assertThat(a.status()).as(path).isEqualTo(400);
      assertProblem(a, 400, path);
    }
    assertStillServing(s, kind, inst);
  }

  // ---- encodings and content types ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_wrongContentTypeOrEncoding_is415Problem(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    double before = rejected(s, "content-type");
    byte[] body = (line("wrong-type") + "\n").getBytes(StandardCharsets.UTF_8);
    int refused = 0;
    for (String type : Arrays.asList("text/csv", "application/xml", "multipart/form-data; boundary=x",
        "application/octet-stream", null)) {
      Response r = s.post(INGEST, inst[1], type, body);
      assertThat(r.status()).as(String.valueOf(type)).isEqualTo(415);
      assertProblem(r, 415, INGEST);
      refused++;
    }
    for (String encoding : List.of("br", "deflate", "gzip, br")) {
      Response r = s.post(INGEST, inst[1], NDJSON, body, "Content-Encoding", encoding);
      assertThat(r.status()).as(encoding).isEqualTo(415);
      assertProblem(r, 415, INGEST);
      refused++;
    }
    assertThat(rejected(s, "content-type") - before).isEqualTo(refused);
    Response admin = s.post("/api/v1/institutions", admins.get(kind), "text/plain",
        "{\"id\":\"plain\",\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(admin.status()).isEqualTo(415);
    assertProblem(admin, 415, "/api/v1/institutions");
    for (String ok : List.of(NDJSON, "application/json; charset=utf-8", "Application/X-NDJSON")) {
      assertThat(s.post(INGEST, inst[1], ok, body).status()).as(ok).isEqualTo(200);
    }
    assertThat(stored(s, kind, inst[0])).isEqualTo(3);
    assertStillServing(s, kind, inst);
  }

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_damagedGzip_is400Problem_andStoresNothingOfTheRequest(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    double before = rejected(s, "gzip");
    byte[] good = gzip(lines(200_000, "damaged"));
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    byte[] flipped = good.clone();
    for (int i = good.length / 3; i < good.length / 3 + 64; i++) {
      flipped[i] ^= 0x5a;
    }
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 6] ^= 0x01;
    byte[] magicOnly = {0x1f, (byte) 0x8b, 'n', 'o', 't', ' ', 'g', 'z', 'i', 'p'};
    Map<String, byte[]> damaged = new java.util.LinkedHashMap<>();
    damaged.put("truncated", truncated);
    damaged.put("bytes flipped", flipped);
    damaged.put("wrong CRC", badCrc);
    damaged.put("magic then garbage", magicOnly);
    for (Map.Entry<String, byte[]> d : damaged.entrySet()) {
      Response r = s.post(INGEST, inst[1], NDJSON, d.getValue());
      assertThat(r.status()).as(d.getKey() + ": " + r.body()).isEqualTo(400);
      assertProblem(r, 400, INGEST);
      assertThat(r.json().get("detail").asText()).contains("gzip");
    }
    Response declared = s.post(INGEST, inst[1], NDJSON, (line("not-gzip") + "\n").getBytes(StandardCharsets.UTF_8),
        "Content-Encoding", "gzip");
    assertThat(declared.status()).isEqualTo(400);
    assertProblem(declared, 400, INGEST);
    assertThat(rejected(s, "gzip") - before).isEqualTo(damaged.size() + 1);
    assertThat(stored(s, kind, inst[0])).isZero();
    assertStillServing(s, kind, inst);
  }

  // ---- tokens ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_badTokens_are401Problems_andCounted(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    double before = rejected(s, "token");
    byte[] body = (line("bad-token") + "\n").getBytes(StandardCharsets.UTF_8);
    List<String[]> headers = List.of(new String[] {}, new String[] {"Authorization", "Bearer nope"},
        new String[] {"Authorization", "Basic YTpi"}, new String[] {"Authorization", "Bearer"},
        new String[] {"Authorization", "Bearer " + inst[1] + "x"});
    for (String[] h : headers) {
      Response r = s.post(INGEST, null, NDJSON, body, h);
      assertThat(r.status()).as(String.join(" ", h)).isEqualTo(401);
      assertProblem(r, 401, INGEST);
    }
    assertThat(rejected(s, "token") - before).isEqualTo(headers.size());
    assertThat(stored(s, kind, inst[0])).isZero();
    assertStillServing(s, kind, inst);
  }

  // ---- admin endpoints ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void adminEndpoints_badJsonBodiesAndParameters_are400Problems(String kind) {
    TestServer s = server(kind);
    String admin = admins.get(kind);
    Map<String, String[]> bad = new java.util.LinkedHashMap<>();
    bad.put("not JSON", new String[] {"POST", "/api/v1/institutions", "{"});
    bad.put("empty", new String[] {"POST", "/api/v1/institutions", ""});
    bad.put("an array", new String[] {"POST", "/api/v1/institutions", "[]"});
    bad.put("a string", new String[] {"POST", "/api/v1/institutions", "\"inst\""});
    bad.put("missing name", new String[] {"POST", "/api/v1/institutions", "{\"id\":\"x1\"}"});
    bad.put("id a number", new String[] {"POST", "/api/v1/institutions", "{\"id\":5,\"name\":\"x\"}"});
    bad.put("id with spaces", new String[] {"POST", "/api/v1/institutions", "{\"id\":\"Has Spaces\",\"name\":\"x\"}"});
    bad.put("retention a word", new String[] {"POST", "/api/v1/institutions",
        "{\"id\":\"x2\",\"name\":\"x\",\"retention_days\":\"forever\"}"});
    bad.put("retention negative", new String[] {"POST", "/api/v1/institutions",
        "{\"id\":\"x3\",\"name\":\"x\",\"retention_days\":-5}"});
    bad.put("retention a fraction", new String[] {"POST", "/api/v1/institutions",
        "{\"id\":\"x4\",\"name\":\"x\",\"retention_days\":1.5}"});
    bad.put("unknown role", new String[] {"POST", "/api/v1/users",
        "{\"name\":\"eve\",\"password\":\"a-long-enough-password\",\"role\":\"god\"}"});
    bad.put("weak password", new String[] {"POST", "/api/v1/users",
        "{\"name\":\"eve\",\"password\":\"123\",\"role\":\"national_analyst\"}"});
    bad.put("unknown institution", new String[] {"POST", "/api/v1/users",
        "{\"name\":\"eve\",\"password\":\"a-long-enough-password\",\"role\":\"institution_analyst\","
            + "\"institution\":\"nowhere\"}"});
    bad.put("partner id missing", new String[] {"POST", "/api/v1/partners", "{\"name\":\"x\"}"});
    bad.put("token days a word", new String[] {"POST", "/api/v1/tokens", "{\"days\":\"many\"}"});
    bad.put("token days zero", new String[] {"POST", "/api/v1/tokens", "{\"days\":0}"});
    bad.put("token days huge", new String[] {"POST", "/api/v1/tokens", "{\"days\":100000000000}"});
    bad.put("unknown status", new String[] {"PATCH", "/api/v1/incidents/1", "{\"status\":\"bogus\"}"});
    bad.put("status a number", new String[] {"PATCH", "/api/v1/incidents/1", "{\"status\":3}"});
    bad.put("nothing to change", new String[] {"PATCH", "/api/v1/incidents/1", "{}"});
    bad.put("login without password", new String[] {"POST", "/api/v1/auth/login", "{\"name\":\"admin\"}"});
    bad.put("note blank", new String[] {"POST", "/api/v1/incidents/1/notes", "{\"text\":\"  \"}"});
    for (Map.Entry<String, String[]> b : bad.entrySet()) {
      String[] c = b.getValue();
      Response r = s.send(c[0], c[1], admin, "application/json", c[2].getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(b.getKey() + ": " + r.body()).isEqualTo(400);
      assertProblem(r, 400, c[1]);
    }
    for (String q : List.of("/api/v1/events?limit=abc", "/api/v1/events?limit=0", "/api/v1/events?limit=1001",
        "/api/v1/events?from=yesterday", "/api/v1/alerts?level=apocalyptic", "/api/v1/alerts?cursor=garbage",
        "/api/v1/incidents?cursor=1.x", "/api/v1/alerts?incident=abc", "/api/v1/incidents?to=2026-13-45")) {
      Response r = s.get(q, admin);
      assertThat(r.status()).as(q + ": " + r.body()).isEqualTo(400);
      assertProblem(r, 400, q.substring(0, q.indexOf('?')));
    }
    assertThat(s.get("/api/v1/institutions", admin).json().get("items").toString()).doesNotContain("\"x2\"",
        "\"x3\"", "\"x4\"");
    assertStillServing(s, kind, institution(s, kind));
  }

  @ParameterizedTest
  @MethodSource(KINDS)
  void unknownPaths_are404Problems_andWrongMethods_are405ProblemsWithAllow(String kind) {
    TestServer s = server(kind);
    String admin = admins.get(kind);
    for (String path : List.of("/nope", "/api/v1/nope", "/api/v2/events", "/api/v1/events/1/extra", "/api/v1/")) {
      Response r = s.get(path, admin);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertProblem(r, 404, path);
    }
    Map<String, String> wrong = new java.util.LinkedHashMap<>();
    wrong.put("DELETE /api/v1/events", "GET");
    wrong.put("GET /api/v1/ingest/events", "POST");
    wrong.put("PUT /api/v1/ingest/events", "POST");
    wrong.put("POST /healthz", "GET");
    wrong.put("DELETE /api/v1/incidents/1", "GET, PATCH");
    wrong.put("PATCH /api/v1/users", "GET, POST");
    for (Map.Entry<String, String> w : wrong.entrySet()) {
      String[] mp = w.getKey().split(" ");
      Response r = s.send(mp[0], mp[1], admin, "application/json", mp[0].equals("GET") ? null : new byte[0]);
      assertThat(r.status()).as(w.getKey() + ": " + r.body()).isEqualTo(405);
      assertProblem(r, 405, mp[1]);
      assertThat(r.header("allow")).as(w.getKey()).isNotNull();
      assertThat(Arrays.stream(r.header("allow").split(",")).map(String::trim).sorted().toList())
          .as(w.getKey()).isEqualTo(Arrays.stream(w.getValue().split(",")).map(String::trim).sorted().toList());
    }
    assertStillServing(s, kind, institution(s, kind));
  }

  // ---- retries ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_retriesWithOneIdempotencyKey_storeOnce(String kind) {
    TestServer s = server(kind);
    String[] inst = institution(s, kind);
    String body = line("idem-1") + "\nnot json\n" + line("idem-2") + "\n";
    Response first = s.ingest(inst[1], body, "Idempotency-Key", "batch-0001");
    assertThat(first.json().get("accepted").asInt()).isEqualTo(2);
    assertThat(first.json().get("duplicate").asBoolean()).isFalse();
    for (int i = 0; i < 3; i++) {
      Response again = s.ingest(inst[1], body, "Idempotency-Key", "batch-0001");
      assertThat(again.status()).isEqualTo(200);
      assertThat(again.json().get("duplicate").asBoolean()).isTrue();
      assertThat(again.json().get("accepted").asInt()).isEqualTo(2);
      assertThat(again.json().get("rejected").asInt()).isEqualTo(1);
    }
    assertThat(stored(s, kind, inst[0])).isEqualTo(2);
    Response other = s.ingest(inst[1], body, "Idempotency-Key", "batch-0002");
    assertThat(other.json().get("duplicate").asBoolean()).isFalse();
    assertThat(stored(s, kind, inst[0])).isEqualTo(4);
    for (String key : List.of("x".repeat(101), "has space", "")) {
      Response r = s.post(INGEST, inst[1], NDJSON, body.getBytes(StandardCharsets.UTF_8), "Idempotency-Key", key);
      assertThat(r.status()).as("key '%s'", key).isEqualTo(400);
      assertProblem(r, 400, INGEST);
    }
    assertThat(stored(s, kind, inst[0])).isEqualTo(4);
    assertStillServing(s, kind, inst);
  }

  // ---- backpressure ----

  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_fullQueue_answers429WithRetryAfter_andEveryAcceptedRequestIsStoredExactlyOnce(String kind)
      throws Exception {
    try (TestServer s = TestServer.start(kind, dir.resolve("bp-" + kind), Map.of("LOVCEN_INGEST_QUEUE_EVENTS", "10",
        "LOVCEN_INGEST_BATCH_MILLIS", "1000"))) {
      String admin = s.admin();
      String token = s.institution(admin, "bp");
      int requests = 12;
      int perRequest = 4;
      Map<Integer, Integer> throttledPerRequest = new ConcurrentHashMap<>();
      List<Future<Response>> answers = new ArrayList<>();
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < requests; i++) {
          int n = i;
          answers.add(pool.submit(() -> {
            StringBuilder b = new StringBuilder();
            for (int k = 0; k < perRequest; k++) {
              b.append(line("bp-" + n + "-" + k)).append('\n');
            }
            for (int attempt = 0; attempt < 60; attempt++) {
              Response r = s.ingest(token, b.toString(), "Idempotency-Key", "bp-" + n);
              if (r.status() != 429) {
                return r;
              }
              assertProblem(r, 429, INGEST);
              String retry = r.header("retry-after");
              assertThat(retry).isNotNull().matches("[1-9][0-9]*");
              throttledPerRequest.merge(n, 1, Integer::sum);
              Thread.sleep(Long.parseLong(retry) * 1000);
            }
            throw new AssertionError("request " + n + " still refused after 60 attempts");
          }));
        }
        for (Future<Response> f : answers) {
          Response r = f.get();
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          assertThat(r.json().get("accepted").asInt()).isEqualTo(perRequest);
        }
      }
      assertThat(throttledPerRequest).as("some request was refused with 429").isNotEmpty();
      assertThat(metric(s, "lovcen_ingest_throttled_total", "")).isPositive();
      Response retry = s.ingest(token, line("bp-0-0") + "\n", "Idempotency-Key", "bp-0");
      assertThat(retry.json().get("duplicate").asBoolean()).isTrue();
      for (int i = 0; i < requests; i++) {
        Response r = s.get("/api/v1/events?limit=100&q=bp-" + i + "-", admin);
        List<String> stored = new ArrayList<>();
        r.json().get("items").forEach(e -> stored.add(e.get("fields").get("CommandLine").asText()));
        List<String> want = new ArrayList<>();
        for (int k = 0; k < perRequest; k++) {
          want.add("notepad bp-" + i + "-" + k);
        }
        assertThat(stored).as("request %d", i).containsExactlyInAnyOrderElementsOf(want);
      }
      assertThat(s.get("/api/v1/events?limit=1&institution=bp", admin).json().get("total").asInt())
          .isEqualTo(requests * perRequest);
      assertThat(s.get("/healthz", null).status()).isEqualTo(200);
    }
  }

  /**
   * More ingest requests being read at once than ingest.max_concurrent_requests: the extra one is
   * answered 429 with Retry-After at once (its body never held in memory), and the one being read
   * completes when its sender finishes.
   */
  @ParameterizedTest
  @MethodSource(KINDS)
  void ingest_moreRequestsReadAtOnceThanAllowed_are429_andTheOneBeingReadCompletes(String kind) throws Exception {
    try (TestServer s = TestServer.start(kind, dir.resolve("cc-" + kind),
        Map.of("LOVCEN_INGEST_MAX_CONCURRENT_REQUESTS", "1"))) {
      String admin = s.admin();
      String token = s.institution(admin, "cc");
      // the slow sender: a chunked body whose first line arrives, and whose end does not yet
      java.net.Socket slow = new java.net.Socket("127.0.0.1", s.server.port());
      java.io.OutputStream sender = slow.getOutputStream();
      sender.write(("POST " + INGEST + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: " + NDJSON + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      chunk(sender, line("slow-0") + "\n");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (metric(s, "lovcen_ingest_requests_reading", "") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20); // until the server reads the slow request's body and so holds the one permit
      }
      assertThat(metric(s, "lovcen_ingest_requests_reading", "")).as("the slow request is being read").isEqualTo(1);
      Response refused = s.ingest(token, line("fast") + "\n");
      assertThat(refused.status()).as("a second request while one is read: %s", refused.body()).isEqualTo(429);
      assertProblem(refused, 429, INGEST);
      assertThat(refused.header("retry-after")).isNotNull();
      chunk(sender, line("slow-1") + "\n");
      sender.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      sender.flush();
      slow.setSoTimeout(30_000);
      String answer = new String(slow.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      slow.close();
      assertThat(answer).isEqualTo("HTTP/1.1 200");
      assertThat(s.get("/api/v1/events?limit=10&q=slow-", admin).json().get("total").asInt())
          .as("both lines of the slow request").isEqualTo(2);
      assertThat(s.ingest(token, line("after") + "\n").status()).isEqualTo(200);
    }
  }

  private static void chunk(java.io.OutputStream out, String text) throws IOException {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
