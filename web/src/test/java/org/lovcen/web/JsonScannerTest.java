package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.demo.WebTrafficGenerator;

/** The fast JSON scanner gives exactly what Jackson gives: same record, same error. */
class JsonScannerTest {
  @TempDir
  Path dir;

  private static String describe(AccessRecord r, String bad) {
    return bad + "|" + r.time + "|" + r.site + "|" + r.ip + "|" + r.user + "|" + r.method + "|" + r.path + "|"
        + r.query + "|" + r.protocol + "|" + r.status + "|" + r.bytes + "|" + r.referer + "|" + r.userAgent + "|"
        + r.requestMillis + "|" + r.upstreamMillis + "|" + r.cache;
  }

  private static void same(JsonLineParser fast, JsonLineParser ref, String line) {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    AccessRecord a = new AccessRecord();
    a.clear();
    String x = fast.parse(b, 0, b.length, a);
    AccessRecord c = new AccessRecord();
    c.clear();
    String y = ref.jackson(b, 0, b.length, c);
    assertThat(describe(a, x)).as(line).isEqualTo(describe(c, y));
  }

  @Test
  void generatedLinesAndVariants_parseAsWithJackson() throws IOException {
    WebTrafficGenerator.generate(dir, WebTrafficGenerator.Options.defaults().withScale(0.05));
    List<String> lines = new ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".json")).toList()) {
        lines.addAll(Files.readAllLines(f).subList(0, 2000));
      }
    }
    assertThat(lines).isNotEmpty();
    JsonLineParser fast = new JsonLineParser();
    JsonLineParser ref = new JsonLineParser();
    Random rnd = new Random(7);
    String alphabet = "{}[]\":,\\ .-0123456789eEtrufalsn\u00e9\t";
    for (String l : lines) {
      same(fast, ref, l);
      // Damaged copies: cut, and one character replaced.
      same(fast, ref, l.substring(0, rnd.nextInt(l.length())));
      int i = rnd.nextInt(l.length());
      same(fast, ref, l.substring(0, i) + alphabet.charAt(rnd.nextInt(alphabet.length())) + l.substring(i + 1));
    }
    for (String l : List.of(
        "{\"remote_addr\":\"1.2.3.4\",\"time_iso8601\":\"2016-10-16T07:00:00+00:00\",\"status\":200,"
            + "\"request_time\":0.25,\"http_user_agent\":\"caf\u00e9 \\\"x\\\"\",\"x\":[1,{\"a\":[]},null],\"y\":-0.5e3}",
        "{\"source\":{\"ip\":\"1.2.3.4\"},\"@timestamp\":\"2016-10-16T07:00:00Z\",\"http\":{\"response\":"
            + "{\"status_code\":404}},\"request\":{\"headers\":{\"User-Agent\":[\"a\",\"b\"]}},\"duration\":12}",
        "{\"remote_addr\":null,\"status\":01}", "{\"status\":200", "[1]", " {} ", "{\"a\":tru}", "{\"a\":1.}",
        "{\"remote_addr\":\"1.2.3.4\",\"msec\":1476601200.123,\"status\":\"200\",\"request_time\":true}")) {
      same(fast, ref, l);
    }
  }
}
