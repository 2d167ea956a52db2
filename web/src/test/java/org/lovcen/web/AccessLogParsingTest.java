package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;
import org.lovcen.core.Timestamps;

class AccessLogParsingTest {
  private static AccessRecord parse(AccessLogFormat f, String line) {
    AccessRecord r = new AccessRecord();
    r.clear();
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    String bad = f.newParser().parse(b, 0, b.length, r);
    assertThat(bad).as(line).isNull();
    return r;
  }

  @Test
  void parse_combined() {
    AccessRecord r = parse(AccessLogFormat.AUTO, "203.0.113.7 - alice [16/Oct/2016:09:15:02 +0200] "
        + "\"GET /vijesti/izbori?page=2&x=%27 HTTP/1.1\" 200 5120 \"https://www.google.com/\" \"Mozilla/5.0 (X11)\"");
    assertThat(r.ip).isEqualTo("203.0.113.7");
    assertThat(r.user).isEqualTo("alice");
    assertThat(Timestamps.format(r.time)).startsWith("2016-10-16T07:15:02");
    assertThat(r.method).isEqualTo("GET");
    assertThat(r.path).isEqualTo("/vijesti/izbori");
    assertThat(r.query).isEqualTo("page=2&x=%27");
    assertThat(r.protocol).isEqualTo("HTTP/1.1");
    assertThat(r.status).isEqualTo(200);
    assertThat(r.bytes).isEqualTo(5120);
    assertThat(r.referer).isEqualTo("https://www.google.com/");
    assertThat(r.userAgent).isEqualTo("Mozilla/5.0 (X11)");
    assertThat(r.site).isNull();
    assertThat(r.requestMillis).isEqualTo(-1);
  }

  @Test
  void parse_commonWithoutAgent() {
    AccessRecord r = parse(AccessLogFormat.CLF, "10.1.2.3 - - [16/Oct/2016:23:59:59 -0100] \"POST /login HTTP/1.0\" 401 -");
    assertThat(r.status).isEqualTo(401);
    assertThat(r.bytes).isZero();
    assertThat(r.userAgent).isNull();
    assertThat(Timestamps.format(r.time)).startsWith("2016-10-17T00:59:59");
  }

  @Test
  void parse_vhostAndTimingExtras() {
    AccessRecord r = parse(AccessLogFormat.AUTO, "vijesti.me:443 2001:db8::17 - - [16/Oct/2016:09:15:02 +0000] "
        + "\"GET / HTTP/2.0\" 502 0 \"-\" \"curl/8.0 \\\"x\\\"\" 1.250 0.998 MISS");
    assertThat(r.site).isEqualTo("vijesti.me");
    assertThat(r.ip).isEqualTo("2001:db8::17");
    assertThat(r.referer).isNull();
    assertThat(r.userAgent).isEqualTo("curl/8.0 \\\"x\\\"");
    assertThat(r.requestMillis).isEqualTo(1250);
    assertThat(r.upstreamMillis).isEqualTo(998);
    assertThat(r.cache).isEqualTo(AccessRecord.CACHE_MISS);
  }

  @Test
  void parse_apacheMicroseconds() {
    AccessRecord r = parse(AccessLogFormat.CLF, "192.0.2.1 - - [16/Oct/2016:09:15:02 +0000] \"GET /a HTTP/1.1\" 200 1 "
        + "\"-\" \"-\" 2500000");
    assertThat(r.requestMillis).isEqualTo(2500);
  }

  @Test
  void parse_nginxJson() {
    AccessRecord r = parse(AccessLogFormat.AUTO, "{\"time_iso8601\":\"2016-10-16T09:15:02+02:00\",\"remote_addr\":"
        + "\"198.51.100.4\",\"request\":\"GET /search?q=x HTTP/1.1\",\"status\":\"404\",\"body_bytes_sent\":\"12\","
        + "\"http_user_agent\":\"Go-http-client/1.1\",\"request_time\":\"0.004\",\"host\":\"gov.me\","
        + "\"upstream_cache_status\":\"HIT\"}");
    assertThat(r.ip).isEqualTo("198.51.100.4");
    assertThat(Timestamps.format(r.time)).startsWith("2016-10-16T07:15:02");
    assertThat(r.path).isEqualTo("/search");
    assertThat(r.query).isEqualTo("q=x");
    assertThat(r.status).isEqualTo(404);
    assertThat(r.site).isEqualTo("gov.me");
    assertThat(r.requestMillis).isEqualTo(4);
    assertThat(r.cache).isEqualTo(AccessRecord.CACHE_HIT);
  }

  @Test
  void parse_caddy() {
    AccessRecord r = parse(AccessLogFormat.JSON, "{\"level\":\"info\",\"ts\":1476609302.5,\"logger\":\"http.log.access\","
        + "\"msg\":\"handled request\",\"request\":{\"remote_ip\":\"192.0.2.9\",\"proto\":\"HTTP/2.0\",\"method\":"
        + "\"POST\",\"host\":\"media.me\",\"uri\":\"/wp-login.php?a=1\",\"headers\":{\"User-Agent\":[\"python-requests/2\"]}},"
        + "\"duration\":0.25,\"size\":10,\"status\":200}");
    assertThat(r.ip).isEqualTo("192.0.2.9");
    assertThat(r.method).isEqualTo("POST");
    assertThat(r.path).isEqualTo("/wp-login.php");
    assertThat(r.userAgent).isEqualTo("python-requests/2");
    assertThat(r.site).isEqualTo("media.me");
    assertThat(r.requestMillis).isEqualTo(250);
    assertThat(r.time).isEqualTo(1476609302_500_000L);
  }

  @Test
  void parse_ecs() {
    AccessRecord r = parse(AccessLogFormat.JSON, "{\"@timestamp\":\"2016-10-16T07:15:02.000Z\",\"source\":{\"ip\":"
        + "\"192.0.2.10\"},\"http\":{\"request\":{\"method\":\"GET\",\"referrer\":\"https://x/\"},\"response\":"
        + "{\"status_code\":503,\"body\":{\"bytes\":0}}},\"url\":{\"path\":\"/\",\"domain\":\"gov.me\"},"
        + "\"user_agent\":{\"original\":\"Mozilla\"},\"event\":{\"duration\":3000000000}}");
    assertThat(r.status).isEqualTo(503);
    assertThat(r.path).isEqualTo("/");
    assertThat(r.referer).isEqualTo("https://x/");
    assertThat(r.requestMillis).isEqualTo(3000);
  }

  @Test
  void parse_template() {
    AccessLogFormat f = AccessLogFormat.template("$remote_addr|$time_iso8601|$request_method|$request_uri|$status|"
        + "$http_user_agent|$upstream_response_time");
    AccessRecord r = parse(f, "192.0.2.11|2016-10-16T07:15:02Z|GET|/a/b?c=d|200|Mozilla/5.0|0.120, 0.300");
    assertThat(r.path).isEqualTo("/a/b");
    assertThat(r.query).isEqualTo("c=d");
    assertThat(r.userAgent).isEqualTo("Mozilla/5.0");
    assertThat(r.upstreamMillis).isEqualTo(120);
  }

  @Test
  void toEvent_usesTheSigmaTaxonomy() {
    AccessRecord r = parse(AccessLogFormat.AUTO, "203.0.113.7 - - [16/Oct/2016:09:15:02 +0200] "
        + "\"GET /x?id=1%20UNION%20SELECT HTTP/1.1\" 200 1 \"-\" \"sqlmap/1.7\"");
    r.site = "gov";
    Event e = new Event();
    r.toEvent(e, "government");
    assertThat(e.get("c-ip")).isEqualTo("203.0.113.7");
    assertThat(e.get("cs-method")).isEqualTo("GET");
    assertThat(e.get("cs-uri-stem")).isEqualTo("/x");
    assertThat(e.get("cs-uri-query")).isEqualTo("id=1%20UNION%20SELECT");
    assertThat(e.get("sc-status")).isEqualTo("200");
    assertThat(e.get("cs-user-agent")).isEqualTo("sqlmap/1.7");
    assertThat(e.channel()).isNull();
    assertThat(e.host()).isEqualTo("gov");
  }

  @Test
  void readRecords_reportsMalformedLinesWithFileAndLineAndGoesOn(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("gov.access.log");
    Files.writeString(f, String.join("\n",
        "203.0.113.7 - - [16/Oct/2016:09:15:02 +0200] \"GET / HTTP/1.1\" 200 1 \"-\" \"a\"",
        "garbage line",
        "203.0.113.7 - - [16/Oct/2016:09:15:03 +0200] \"GET / HTTP/1.1\" xx 1",
        "",
        "203.0.113.8 - - [16/Oct/2016:09:15:04 +0200] \"GET /b HTTP/1.1\" 200 1 \"-\" \"a\"") + "\n");
    List<Problem> problems = new ArrayList<>();
    List<String> sites = new ArrayList<>();
    long lines = new AccessLogSource(f, "logs/gov.access.log", AccessLogFormat.AUTO, null)
        .readRecords(r -> sites.add(r.site + "@" + r.line), problems::add);
    assertThat(lines).isEqualTo(5);
    assertThat(sites).containsExactly("gov@1", "gov@5");
    assertThat(problems).extracting(p -> p.file() + ":" + p.position())
        .containsExactly("logs/gov.access.log:line 2", "logs/gov.access.log:line 3");
  }

  @Test
  void siteOf_fileNames() {
    assertThat(AccessLogSource.siteOf(Path.of("/x/gov.access.log"))).isEqualTo("gov");
    assertThat(AccessLogSource.siteOf(Path.of("vijesti-access.log.gz"))).isEqualTo("vijesti");
    assertThat(AccessLogSource.siteOf(Path.of("portal.log"))).isEqualTo("portal");
  }

  @Test
  void sniff_tellsAccessLogsFromOtherFiles(@TempDir Path dir) throws Exception {
    Path a = dir.resolve("a.log");
    Files.writeString(a, "203.0.113.7 - - [16/Oct/2016:09:15:02 +0200] \"GET / HTTP/1.1\" 200 1\n");
    Path b = dir.resolve("b.json");
    Files.writeString(b, "{\"EventID\":4624,\"Channel\":\"Security\"}\n");
    assertThat(AccessLogSource.sniff(a, AccessLogFormat.AUTO)).isTrue();
    assertThat(AccessLogSource.sniff(b, AccessLogFormat.AUTO)).isFalse();
  }
}
