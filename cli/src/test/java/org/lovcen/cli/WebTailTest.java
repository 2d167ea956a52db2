package org.lovcen.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code lovcen web tail}: lines appended while it runs are detected before it stops. */
class WebTailTest {
  @TempDir
  Path dir;

  private static final String RULE = """
      title: Source Code Enumeration
      id: 953d460b-f810-420a-97a2-cfca4c98e602
      status: test
      author: Lovcen CERT team
      logsource:
        category: webserver
      detection:
        keywords:
          - '.git/'
        condition: keywords
      level: medium
      """;

  private static void append(Path f, String s) throws IOException {
    Files.writeString(f, s, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
  }

  /** Waits (bounded) until the output contains {@code what}; returns the output. */
  private static String await(Path out, String what, CompletableFuture<Integer> run) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < end) {
      String s = Files.exists(out) ? Files.readString(out) : "";
      if (s.contains(what)) {
        return s;
      }
      if (run.isDone()) {
        throw new AssertionError("tail stopped early (exit " + run.getNow(-1) + ") before '" + what + "': " + s);
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no '" + what + "' in " + (Files.exists(out) ? Files.readString(out) : ""));
  }

  @Test
  @Timeout(60)
  void tail_reportsAppendedAttacksWhileRunning_andStopsWhenIdle() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("git.yml"), RULE);
    Path log = dir.resolve("gov.access.log");
    String[] lines = WebHuntCommandTest.smallLog().split("\n");
    // Lines already there before the tail starts are not read (it starts at the end).
    Files.writeString(log, WebHuntCommandTest.smallLog().replace("/.git/config", "/old/.git/config"));
    Path out = dir.resolve("out.jsonl");
    CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Main.run("web", "tail", "--rules",
        rules.toString(), "--output", out.toString(), "--poll-millis", "10", "--idle-exit", "2", log.toString()));
    for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); !Files.exists(out); Thread.sleep(10)) {
      assertThat(System.nanoTime()).as("tail did not start").isLessThan(end);
    }
    StringBuilder ordinary = new StringBuilder();
    StringBuilder scan = new StringBuilder();
    String exploit = null;
    for (String l : lines) {
      if (l.startsWith("45.155.205.19")) {
        scan.append(l).append('\n');
      } else if (l.contains(".git/")) {
        exploit = l;
      } else if (!l.startsWith("this line")) {
        ordinary.append(l).append('\n');
      }
    }
    append(log, ordinary.toString());
    append(log, scan.toString());
    String s = await(out, "\"detector\":\"scan\"", run);
    assertThat(s).contains("\"kind\":\"web\"").contains("45.155.205.19");
    await(out, "\"kind\":\"decision\",\"action\":\"ban\",\"scope\":\"ip\",\"value\":\"45.155.205.19\"", run);
    // A line written in two parts is read once complete.
    int half = exploit.length() / 2;
    append(log, exploit.substring(0, half));
    Thread.sleep(50);
    append(log, exploit.substring(half) + "\n");
    s = await(out, "\"value\":\"185.220.101.4\"", run);
    assertThat(s).doesNotContain("/old/.git/config");
    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(Main.DETECTIONS);
    assertThat(Files.readString(out).lines().filter(l -> l.contains("\"detector\":\"scan\"") && l.contains("\"kind\":\"web\""))
        .count()).isEqualTo(1);
  }

  @Test
  @Timeout(60)
  void tail_fromStartStopAtEof_readsWhatIsThere() throws Exception {
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("git.yml"), RULE);
    Path log = dir.resolve("gov.access.log");
    Files.writeString(log, WebHuntCommandTest.smallLog());
    Path out = dir.resolve("out.jsonl");
    int code = Main.run("web", "tail", "--from-start", "--stop-at-eof", "--rules", rules.toString(), "--output",
        out.toString(), log.toString());
    assertThat(code).isEqualTo(Main.DETECTIONS);
    String s = Files.readString(out);
    assertThat(s).contains("\"detector\":\"scan\"").contains("\"value\":\"185.220.101.4\"");
  }
}
