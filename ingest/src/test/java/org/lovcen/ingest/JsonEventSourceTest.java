package org.lovcen.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;
import org.lovcen.core.Timestamps;

/** The JSON reader: the three layouts, gzip, the three shapes of events, and bad input. */
class JsonEventSourceTest {
  @TempDir
  Path dir;

  private static final String EVTX_DUMP = """
      {"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},
       "System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5770385F}"}},
         "EventID":1,"TimeCreated":{"#attributes":{"SystemTime":"2026-04-17T05:24:53.092051Z"}},
         "EventRecordID":83239,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"ws1",
         "Security":{"#attributes":{"UserID":"S-1-5-18"}},"Correlation":null},
       "EventData":{"Image":"C:\\\\Windows\\\\cmd.exe","CommandLine":"cmd /c whoami","ProcessId":42,
         "Threat Name":"EICAR"}}}
      """;

  record Read(List<Event> events, List<Problem> problems) {}

  private Read read(String name, byte[] content) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, content);
    List<Event> events = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    EventSource src = Readers.open(f, name, new ReadOptions("mf", null));
    for (EventSource.Split s : src.splits()) {
      s.read(new Event(), e -> events.add(e.copy()), problems::add);
    }
    return new Read(events, problems);
  }

  private Read read(String name, String content) throws IOException {
    return read(name, content.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void evtxDumpShape_flattensAsSigmaNamesFields() throws IOException {
    Event e = read("a.json", EVTX_DUMP).events().get(0);
    assertThat(e.get("Provider_Name")).isEqualTo("Microsoft-Windows-Sysmon");
    assertThat(e.get("Provider_Guid")).isEqualTo("{5770385F}");
    assertThat(e.get("EventID")).isEqualTo("1");
    assertThat(e.type(e.indexOf("EventID"))).isEqualTo(Event.NUMBER);
    assertThat(e.get("TimeCreated_SystemTime")).isEqualTo("2026-04-17T05:24:53.092051Z");
    assertThat(e.get("Security_UserID")).isEqualTo("S-1-5-18");
    assertThat(e.type(e.indexOf("Correlation"))).isEqualTo(Event.NULL);
    assertThat(e.get("Image")).isEqualTo("C:\\Windows\\cmd.exe");
    assertThat(e.get("ThreatName")).as("spaces stripped from EventData names").isEqualTo("EICAR");
    assertThat(e.indexOf("xmlns")).isNegative();
    assertThat(e.channel()).isEqualTo("Microsoft-Windows-Sysmon/Operational");
    assertThat(e.eventId()).isEqualTo(1);
    assertThat(e.host()).isEqualTo("ws1");
    assertThat(e.provider()).isEqualTo("Microsoft-Windows-Sysmon");
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2026-04-17T05:24:53.092051Z");
    assertThat(e.institution()).isEqualTo("mf");
    assertThat(e.source()).isEqualTo("a.json");
    assertThat(e.record()).isEqualTo(1);
  }

  @Test
  void userData_wrapperIsDropped() throws IOException {
    Event e = read("u.json", """
        {"Event":{"System":{"EventID":5857,"Channel":"Microsoft-Windows-WMI-Activity/Operational"},
          "UserData":{"Operation_StartedOperational":{"#attributes":{"xmlns":"x"},"ProviderName":"Wmi","Code":"0x0"}}}}
        """).events().get(0);
    assertThat(e.get("ProviderName")).isEqualTo("Wmi");
    assertThat(e.get("Code")).isEqualTo("0x0");
    assertThat(e.indexOf("xmlns")).isNegative();
  }

  @Test
  void eventIdWithQualifiers_isTheText() throws IOException {
    Event e = read("q.json", """
        {"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":16384},"#text":7045},"Channel":"System"}}}
        """).events().get(0);
    assertThat(e.eventId()).isEqualTo(7045);
    assertThat(e.get("EventID_Qualifiers")).isEqualTo("16384");
  }

  @Test
  void eventIdHeader_isUnknownWhenAmbiguousOrNotDecimal() throws IOException {
    Read r = read("ids.jsonl", "{\"EventID\":[1,4625]}\n{\"EventID\":\"0x1211\"}\n{\"EventID\":[7,7]}\n");
    assertThat(r.events()).extracting(Event::eventId).containsExactly(-1, -1, 7);
  }

  @Test
  void winlogbeat_mapsToSigmaNamesAndKeepsEcsPaths() throws IOException {
    Event e = read("w.ndjson", """
        {"@timestamp":"2026-11-25T10:00:00.123Z","winlog":{"channel":"Security","event_id":4625,"computer_name":"dc1",\
        "provider_name":"Microsoft-Windows-Security-Auditing","record_id":77,"event_data":{"TargetUserName":"bob",\
        "IpAddress":"192.0.2.7"}},"host":{"name":"dc1.mf.local"},"process":{"command_line":"x"}}
        """).events().get(0);
    assertThat(e.get("Channel")).isEqualTo("Security");
    assertThat(e.eventId()).isEqualTo(4625);
    assertThat(e.get("TargetUserName")).isEqualTo("bob");
    assertThat(e.get("EventRecordID")).isEqualTo("77");
    assertThat(e.get("process.command_line")).isEqualTo("x");
    assertThat(e.host()).isEqualTo("dc1");
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2026-11-25T10:00:00.123000Z");
  }

  @Test
  void flatJson_keepsKeysAndArrays() throws IOException {
    Event e = read("f.jsonl", "{\"user\":\"eve\",\"tags\":[\"a\",\"b\"],\"n\":{\"x\":1},\"ok\":true}\n").events().get(0);
    assertThat(e.get("user")).isEqualTo("eve");
    assertThat(e.get("n.x")).isEqualTo("1");
    assertThat(e.get("ok")).isEqualTo("true");
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < e.size(); i++) {
      if (e.name(i).equals("tags")) {
        tags.add(e.value(i));
      }
    }
    assertThat(tags).containsExactly("a", "b");
  }

  @Test
  void layouts_linesArrayConcatenatedAndGzip_readTheSameEvents() throws IOException {
    String a = "{\"k\":1}";
    String b = "{\"k\":2}";
    assertThat(read("l.jsonl", a + "\n" + b + "\n").events()).hasSize(2);
    assertThat(read("arr.json", "[\n " + a + ",\n " + b + "\n]").events()).hasSize(2);
    Read pretty = read("p.json", EVTX_DUMP + EVTX_DUMP);
    assertThat(pretty.events()).hasSize(2);
    assertThat(pretty.events().get(1).record()).as("line of the second object").isEqualTo(8);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write((a + "\n" + b + "\n").getBytes(StandardCharsets.UTF_8));
    }
    Read z = read("z.jsonl.gz", bytes.toByteArray());
    assertThat(z.events()).extracting(e -> e.get("k")).containsExactly("1", "2");
    assertThat(z.problems()).isEmpty();
  }

  @Test
  void malformedLines_areReportedWithLineAndSkipped_nothingElseLost() throws IOException {
    // line 5: the object is read; the garbage after it is reported
    Read r = read("bad.jsonl", """
        {"k":1}
        {"k":2,
        not json at all
        {"k":"3"}
        {"k":4} trailing
        {"k":5}
        """);
    assertThat(r.events()).extracting(e -> e.get("k")).containsExactly("1", "3", "4", "5");
    assertThat(r.problems()).extracting(Problem::position).containsExactly("line 2", "line 3", "line 5");
    assertThat(r.problems().get(2).reason()).contains("'trailing'");
    assertThat(r.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo("bad.jsonl"));
    assertThat(r.problems().get(0).reason()).contains("malformed JSON");
  }

  @Test
  void recordRejectedByTheParser_insideARun_isReportedAlone() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 600; i++) {
      b.append(i == 300 ? "{\"k\" 300}" : i == 450 ? "{\"k\":tru}" : "{\"k\":" + i + "}").append('\n');
    }
    Read r = read("run.jsonl", b.toString());
    assertThat(r.events()).hasSize(598);
    assertThat(r.events()).extracting(Event::record).doesNotContain(300L, 450L).contains(1L, 299L, 301L, 600L);
    assertThat(r.events().get(299).get("k")).isEqualTo("301");
    assertThat(r.problems()).extracting(Problem::position).containsExactly("line 300", "line 450");
  }

  @Test
  void truncatedLastRecord_isReported() throws IOException {
    Read r = read("t.jsonl", "{\"k\":1}\n{\"k\":");
    assertThat(r.events()).hasSize(1);
    assertThat(r.problems()).singleElement().satisfies(p -> assertThat(p.reason()).contains("truncated"));
  }

  @Test
  void damagedFirstRecordOfPrettyFile_doesNotHideTheRest() throws IOException {
    Read r = read("p.json", "{\"Event\": {\"broken\": [\n" + EVTX_DUMP + "{\"k\":1}\n");
    assertThat(r.events()).hasSizeGreaterThanOrEqualTo(1);
    assertThat(r.events().get(r.events().size() - 1).get("k")).isEqualTo("1");
    assertThat(r.problems()).isNotEmpty();
  }

  @Test
  void deeplyNestedInput_isRejectedNotCrashing() throws IOException {
    String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
    Read r = read("d.jsonl", deep + "\n{\"k\":1}\n");
    assertThat(r.events()).extracting(e -> e.get("k")).containsExactly("1");
    assertThat(r.problems()).hasSize(1);
  }

  @Test
  void byteOrderMark_beforeTheFirstRecord_isSkipped() throws IOException {
    Read r = read("bom.jsonl", "\uFEFF{\"k\":1}\n{\"k\":2}\n");
    assertThat(r.events()).extracting(e -> e.get("k")).containsExactly("1", "2");
    assertThat(r.problems()).isEmpty();
  }

  @Test
  void oversizedRecord_isSkippedWhole_itsInnerObjectsAreNotEvents() throws IOException {
    // The 17 MiB buffer ends exactly where an inner object starts (8-byte head, 8-byte items).
    StringBuilder big = new StringBuilder(20 << 20).append("{\"abc\":[");
    while (big.length() < 19 << 20) {
      big.append("{\"k\":1},");
    }
    big.append("{\"k\":1}]}\n{\"k\":\"after\"}\n");
    for (String name : List.of("big.jsonl", "big.json")) {
      Read r = read(name, big.toString());
      assertThat(r.events()).as(name).extracting(e -> e.get("k")).containsExactly("after");
      assertThat(r.problems()).as(name).singleElement()
          .satisfies(p -> assertThat(p.reason()).contains("larger than"));
    }
  }

  @Test
  void recordsAcrossTheBufferBoundary_withEscapes_areReadWhole() throws IOException {
    // Records of every alignment to the 1 MiB refill, each ending in an escaped quote or backslash.
    StringBuilder s = new StringBuilder();
    List<String> expected = new ArrayList<>();
    int n = 0;
    while (s.length() < (3 << 20)) {
      String v = "x".repeat(1000 + n % 7) + (n % 2 == 0 ? "\\\"" : "\\\\");
      s.append("{\"k\":\"").append(v).append("\"}\n");
      expected.add("x".repeat(1000 + n % 7) + (n % 2 == 0 ? "\"" : "\\"));
      n++;
    }
    Read r = read("edge.jsonl", s.toString());
    assertThat(r.problems()).isEmpty();
    assertThat(r.events()).extracting(e -> e.get("k")).containsExactlyElementsOf(expected);
  }
}
