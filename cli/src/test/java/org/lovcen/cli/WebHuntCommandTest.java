package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.SharedData;
import org.lovcen.demo.WebTrafficGenerator;

/** {@code hunt} on access logs end to end, in process: the web detections and decisions as JSON lines. */
class WebHuntCommandTest {
  @TempDir
  Path dir;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A Sigma webserver rule, so that the small fixture does not depend on the SigmaHQ corpus. */
  private static final String RULE = """
      title: Source Code Enumeration
      id: 953d460b-f810-420a-97a2-cfca4c98e602
      status: test
      author: Lovcen CERT team
      tags:
        - attack.discovery
        - attack.t1083
      logsource:
        category: webserver
      detection:
        keywords:
          - '.git/'
        condition: keywords
      level: medium
      """;

  private static List<JsonNode> lines(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      if (!l.isBlank()) {
        out.add(JSON.readTree(l));
      }
    }
    return out;
  }

  /** Ordinary reading for ten minutes, then one address probing 40 missing paths and one asking for .git/. */
  static String smallLog() {
    StringBuilder b = new StringBuilder();
    long t0 = Instant.parse("2016-10-16T07:00:00Z").getEpochSecond();
    String ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/49.0";
    for (int i = 0; i < 600; i += 3) {
      b.append(clf("192.0.2." + (10 + i % 7), t0 + i, "GET", "/vijesti/" + (i % 11), 200, ua));
    }
    for (int i = 0; i < 40; i++) {
      b.append(clf("45.155.205.19", t0 + 600 + i / 4, "GET", "/backup" + i + ".zip", 404, "Go-http-client/1.1"));
    }
    b.append("this line is broken\n");
    b.append(clf("185.220.101.4", t0 + 700, "GET", "/.git/config", 404, "curl/7.50"));
    return b.toString();
  }

  private static String clf(String ip, long sec, String method, String path, int status, String ua) {
    String time = java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", java.util.Locale.ROOT)
        .format(Instant.ofEpochSecond(sec).atOffset(java.time.ZoneOffset.UTC));
    return ip + " - - [" + time + "] \"" + method + " " + path + " HTTP/1.1\" " + status + " 512 \"-\" \"" + ua
        + "\"\n";
  }

  @Test
  void huntOnSmallAccessLog_matchesGoldenFile() throws IOException {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("git.yml"), RULE);
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(logs.resolve("gov.access.log"), smallLog());
    Path out = dir.resolve("out.jsonl");
    InProcess.Run r = InProcess.run("hunt", "--format", "jsonl", "--rules", rules.toString(), "--output", out.toString(),
        logs.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(Main.DETECTIONS);
    String actual = Files.readString(out).replace(logs.toString(), "LOGS");
    Path golden = Path.of("src/test/resources/golden/hunt-web.jsonl");
    if (System.getenv("LOVCEN_UPDATE_GOLDEN") != null) {
      Files.writeString(golden, actual);
    }
    assertThat(actual).isEqualTo(Files.readString(golden));
    assertThat(r.err()).contains("gov.access.log").contains("line 241");
    List<JsonNode> objs = lines(out);
    assertThat(objs).anySatisfy(o -> {
      assertThat(o.path("kind").asText()).isEqualTo("web");
      assertThat(o.path("detector").asText()).isEqualTo("scan");
      assertThat(o.path("sources").get(0).asText()).isEqualTo("45.155.205.19");
    });
    assertThat(objs).anySatisfy(o -> {
      assertThat(o.path("kind").asText()).isEqualTo("decision");
      assertThat(o.path("value").asText()).isEqualTo("185.220.101.4");
      assertThat(o.path("detector").asText()).isEqualTo("953d460b-f810-420a-97a2-cfca4c98e602");
    });
  }

  @Test
  void huntOnElectionDayTraffic_writesWebDetectionsAndDecisions() throws IOException {
    Path rules = SharedData.resolve("sigma/rules/web/webserver_generic");
    assumeTrue(rules != null, "../shared is not present");
    Path logs = Files.createDirectories(dir.resolve("logs"));
    WebTrafficGenerator.generate(logs, WebTrafficGenerator.Options.defaults());
    Path out = dir.resolve("out.jsonl");
    InProcess.Run r = InProcess.run("hunt", "--format", "jsonl", "--rules", rules.toString(), "--output", out.toString(),
        logs.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(Main.DETECTIONS);
    List<JsonNode> objs = lines(out);
    Set<String> detectors = new HashSet<>();
    Set<String> decided = new HashSet<>();
    int web = 0;
    int decisions = 0;
    for (JsonNode o : objs) {
      String kind = o.path("kind").asText();
      if (kind.equals("web")) {
        web++;
        detectors.add(o.path("detector").asText());
        assertThat(o.path("sites").isArray() && o.path("sites").size() > 0).as(o.toString()).isTrue();
        JsonNode sources = o.path("sources");
        assertThat(sources.isArray() || sources.isNumber()).as(o.toString()).isTrue();
        assertThat(Instant.parse(o.path("first").asText())).isBeforeOrEqualTo(Instant.parse(o.path("last").asText()));
      } else if (kind.equals("decision")) {
        decisions++;
        assertThat(o.path("action").asText()).isIn("ban", "captcha");
        assertThat(o.path("scope").asText()).isIn("ip", "range");
        assertThat(o.path("value").asText()).isNotEmpty();
        assertThat(Instant.parse(o.path("until").asText())).isAfter(Instant.parse("2016-10-16T06:00:00Z"));
        assertThat(o.path("reason").asText()).isNotEmpty();
        assertThat(o.path("detector").asText()).isNotEmpty();
        decided.add(o.path("value").asText());
      }
    }
    assertThat(web).isGreaterThan(0);
    assertThat(decisions).isGreaterThan(0);
    assertThat(detectors).contains("distributed_flood", "source_flood", "scan", "brute_force", "outage", "campaign");
    assertThat(detectors).anyMatch(d -> d.length() == 36);
    // Decisions come after the alerts, and no private or crawler address is banned.
    int firstDecision = 0;
    while (!objs.get(firstDecision).path("kind").asText().equals("decision")) {
      firstDecision++;
    }
    for (int i = firstDecision; i < objs.size(); i++) {
      assertThat(objs.get(i).path("kind").asText()).isEqualTo("decision");
    }
    assertThat(decided).noneMatch(v -> v.startsWith("10.") || v.startsWith("192.168.") || v.startsWith("66.249."));
  }
}
