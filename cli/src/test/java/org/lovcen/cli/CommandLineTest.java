package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.SharedData;

/** The commands end to end, in process: outputs, the JSON contracts (golden files) and exit codes. */
class CommandLineTest {
  @TempDir
  Path dir;

  private static final String RULE = """
      title: Whoami Run
      id: 11111111-2222-4333-8444-555555555555
      status: test
      author: Lovcen CERT team
      tags:
        - attack.discovery
        - attack.t1033
      logsource:
        category: process_creation
        product: windows
      detection:
        selection:
          Image|endswith: '\\whoami.exe'
        condition: selection
      level: medium
      """;

  private static final String EVENTS = """
      {"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"TimeCreated":{"#attributes":{"SystemTime":"2022-08-22T11:31:02.500000Z"}},"EventRecordID":7,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"MF-WS-0684"},"EventData":{"Image":"C:\\\\Windows\\\\System32\\\\whoami.exe","CommandLine":"whoami /all","User":"MF\\\\ana"}}}
      {"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"TimeCreated":{"#attributes":{"SystemTime":"2022-08-22T11:30:00Z"}},"EventRecordID":6,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"MF-WS-0684"},"EventData":{"Image":"C:\\\\Windows\\\\explorer.exe"}}}
      this line is broken
      {"Event":{"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon"}},"EventID":1,"TimeCreated":{"#attributes":{"SystemTime":"2022-08-22T11:29:00Z"}},"EventRecordID":5,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"MF-WS-0001"},"EventData":{"Image":"C:\\\\Windows\\\\System32\\\\WHOAMI.EXE","CommandLine":"whoami"}}}
      """;

  private Path fixture() throws IOException {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("whoami.yml"), RULE);
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(logs.resolve("sysmon.jsonl"), EVENTS);
    return dir;
  }

  @Test
  void huntJsonl_matchesGoldenFile_inTimeOrder() throws IOException {
    fixture();
    Path out = dir.resolve("out.jsonl");
    InProcess.Run r = InProcess.run("hunt", "--format", "jsonl", "--rules", dir.resolve("rules").toString(),
        "--institution", "mf",
        "--output", out.toString(), dir.resolve("logs").toString());
    assertThat(r.code()).as(r.err()).isEqualTo(Main.DETECTIONS);
    String actual = Files.readString(out).replace(dir.resolve("logs").toString(), "LOGS");
    Path golden = Path.of("src/test/resources/golden/hunt.jsonl");
    if (System.getenv("LOVCEN_UPDATE_GOLDEN") != null) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(golden));
    assertThat(r.err()).contains("line 3").contains("not a JSON object").contains("2 detections");
  }

  @Test
  void huntTable_showsTimelineAndSummary() throws IOException {
    fixture();
    Path out = dir.resolve("out.txt");
    InProcess.Run r = InProcess.run("hunt", "--rules", dir.resolve("rules").toString(), "--output", out.toString(),
        dir.resolve("logs").toString());
    assertThat(r.code()).isEqualTo(Main.DETECTIONS);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).startsWith("2022-08-22T11:29:00").contains("MED").contains("MF-WS-0001")
        .contains("Whoami Run").contains("T1033");
    assertThat(lines.get(1)).contains("11111111-2222-4333-8444-555555555555 (Lovcen CERT team)");
    assertThat(lines.get(2)).startsWith("2022-08-22T11:31:02");
    assertThat(r.err()).contains("Summary").contains("by level: critical 0 high 0 medium 2").contains("Discovery");
  }

  @Test
  void huntCsv_hasHeaderAndQuotedCells() throws IOException {
    fixture();
    Path out = dir.resolve("out.csv");
    assertThat(InProcess.run("hunt", "--format", "csv", "--rules", dir.resolve("rules").toString(), "--output",
        out.toString(), dir.resolve("logs").toString()).code()).isEqualTo(Main.DETECTIONS);
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).startsWith("timestamp,level,rule_title,rule_id,tags");
    assertThat(lines).hasSize(3);
  }

  @Test
  void exitCodes_cleanDetectionsUsageAndMissingInput() throws IOException {
    fixture();
    Path clean = Files.writeString(dir.resolve("clean.jsonl"), "{\"x\":1}\n");
    assertThat(InProcess.run("hunt", "--rules", dir.resolve("rules").toString(), "--quiet", "--output",
        dir.resolve("o").toString(), clean.toString()).code()).isEqualTo(Main.CLEAN);
    assertThat(InProcess.run("hunt", "--format", "xml", "--rules", dir.resolve("rules").toString(),
        clean.toString()).code())
        .isEqualTo(Main.USAGE);
    InProcess.Run missing = InProcess.run("hunt", "--rules", dir.resolve("rules").toString(),
        dir.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(Main.USAGE);
    assertThat(missing.err()).contains("nope").contains("no such file").doesNotContain("Exception");
    assertThat(InProcess.run("hunt").code()).isEqualTo(Main.USAGE);
  }

  @Test
  void rulesCheckJson_isTheContract() throws IOException {
    Path rules = Files.createDirectories(dir.resolve("r"));
    Files.writeString(rules.resolve("a-good.yml"), RULE);
    Files.writeString(rules.resolve("b-unsupported.yml"), RULE.replace("11111111-2222-4333-8444-555555555555",
        "11111111-2222-4333-8444-666666666666").replace("Image|endswith: '\\whoami.exe'", "Image|re: 'a(?!b)'"));
    Files.writeString(rules.resolve("c-error.yml"), RULE.replace("endswith", "endswitch"));
    InProcess.Run r = InProcess.run("rules", "check", "--format", "json", rules.toString());
    assertThat(r.code()).isEqualTo(1);
    String actual = r.out().replace(rules.toString(), "RULES");
    Path golden = Path.of("src/test/resources/golden/rules-check.json");
    if (System.getenv("LOVCEN_UPDATE_GOLDEN") != null) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(golden));
    JsonNode n = new ObjectMapper().readTree(r.out());
    assertThat(n.get("loaded").asInt()).isEqualTo(2);
    assertThat(n.get("compiled").asInt()).isEqualTo(1);
  }

  @Test
  void rulesUpdate_unpacksTheArchiveIntoTheDataFolder() throws IOException {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(zip)) {
      z.putNextEntry(new ZipEntry("rules/windows/whoami.yml"));
      z.write(RULE.getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/sigma.zip", ex -> {
      byte[] b = zip.toByteArray();
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/sigma.zip";
      InProcess.Run r = InProcess.run("rules", "update", "--url", url, "--data", dir.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(dir.resolve("sigma/rules/rules/windows/whoami.yml")).exists();
      assertThat(r.err()).contains("1 rules loaded, 1 compiled, 0 errors");
      InProcess.Run missing = InProcess.run("rules", "update", "--url", url.replace("sigma.zip", "none.zip"),
          "--data", dir.toString());
      assertThat(missing.code()).isEqualTo(Main.USAGE);
      assertThat(missing.err()).contains("HTTP 404");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void evtxDump_printsOneLinePerRecord() throws IOException {
    Path shared = SharedData.resolve("sigma/regression");
    assumeTrue(shared != null, "../shared is not present");
    Path evtx;
    try (var s = Files.walk(shared)) {
      evtx = s.filter(p -> p.toString().endsWith(".evtx")).sorted().findFirst().orElseThrow();
    }
    Path out = dir.resolve("dump.jsonl");
    InProcess.Run r = InProcess.run("evtx", "dump", "--output", out.toString(), evtx.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    String twin = Files.readString(evtx.resolveSibling(evtx.getFileName().toString().replace(".evtx", ".json")));
    assertThat(lines).hasSize(twin.split("\"EventRecordID\"", -1).length - 1);
    assertThat(new ObjectMapper().readTree(lines.get(0)).has("@record")).isTrue();
  }
}
