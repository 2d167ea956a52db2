package org.lovcen.ingest.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;
import org.lovcen.ingest.syslog.SyslogParser.Outcome;

/**
 * The examples of RFC 5424 and RFC 3164 and real-world lines, as tables: each row is a message
 * and the header and fields it must give.
 */
class SyslogParserTest {
  private static final String NOW = "2026-03-15T12:00:00Z";
  private static final String PEER = "192.0.2.50";
  private static final String BOM = "\uFEFF";

  private static SyslogParser parser(String now, ZoneId zone) {
    return new SyslogParser(zone, Clock.fixed(Instant.parse(now), ZoneOffset.UTC));
  }

  private static Map<String, String> fields(Event e) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < e.size(); i++) {
      m.put(e.name(i), e.value(i));
    }
    return m;
  }

  private static Map<String, String> map(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  static Stream<Arguments> rfcExamples() {
    return Stream.of(
        // RFC 5424 section 6.5, example 1 (BOM before MSG)
        Arguments.of("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - " + BOM
            + "'su root' failed for lonvick on /dev/pts/8", Outcome.RFC5424, "2003-10-11T22:14:15.003000Z",
            "mymachine.example.com", "su", map("facility", "auth", "severity", "crit", "priority", "34",
                "hostname", "mymachine.example.com", "appname", "su", "msgid", "ID47",
                "message", "'su root' failed for lonvick on /dev/pts/8")),
        // example 2: offset, microseconds, PROCID
        Arguments.of("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
            Outcome.RFC5424, "2003-08-24T12:14:15.000003Z", "192.0.2.1", "myproc", map("facility", "local4",
                "severity", "notice", "priority", "165", "hostname", "192.0.2.1", "appname", "myproc",
                "procid", "8710", "message", "%% It's time to make the do-nuts.")),
        // example 3: structured data and a message
        Arguments.of("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\""
            + " eventSource=\"Application\" eventID=\"1011\"] " + BOM + "An application event log entry...",
            Outcome.RFC5424, "2003-10-11T22:14:15.003000Z", "mymachine.example.com", "evntslog",
            map("facility", "local4", "severity", "notice", "priority", "165", "hostname", "mymachine.example.com",
                "appname", "evntslog", "msgid", "ID47", "exampleSDID@32473.iut", "3",
                "exampleSDID@32473.eventSource", "Application", "exampleSDID@32473.eventID", "1011",
                "message", "An application event log entry...")),
        // example 4: two elements, no message
        Arguments.of("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\""
            + " eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
            Outcome.RFC5424, "2003-10-11T22:14:15.003000Z", "mymachine.example.com", "evntslog",
            map("facility", "local4", "severity", "notice", "priority", "165", "hostname", "mymachine.example.com",
                "appname", "evntslog", "msgid", "ID47", "exampleSDID@32473.iut", "3",
                "exampleSDID@32473.eventSource", "Application", "exampleSDID@32473.eventID", "1011",
                "examplePriority@32473.class", "high")),
        // RFC 5424 6.3.5 example 3: a space between elements makes the second one the MSG
        Arguments.of("<165>1 2003-10-11T22:14:15.003Z h app - - [exampleSDID@32473 iut=\"3\"] [examplePriority@32473 class=\"high\"]",
            Outcome.RFC5424, "2003-10-11T22:14:15.003000Z", "h", "app", map("facility", "local4", "severity", "notice",
                "priority", "165", "hostname", "h", "appname", "app", "exampleSDID@32473.iut", "3",
                "message", "[examplePriority@32473 class=\"high\"]")),
        // RFC 3164 section 5.4, example 1 (no year: the clock's, unless that is more than a day ahead)
        Arguments.of("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", Outcome.RFC3164,
            "2025-10-11T22:14:15.000000Z", "mymachine", "su", map("facility", "auth", "severity", "crit",
                "priority", "34", "hostname", "mymachine", "appname", "su",
                "message", "'su root' failed for lonvick on /dev/pts/8")),
        // example 2: no PRI, no header: user.notice, received now, host = peer
        Arguments.of("Use the BFG!", Outcome.MESSAGE_ONLY, "2026-03-15T12:00:00.000000Z", PEER, null,
            map("facility", "user", "severity", "notice", "priority", "13", "message", "Use the BFG!")),
        // example 3: a valid time, so "CST" is taken as HOSTNAME, as the RFC says a relay would
        Arguments.of("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients:"
            + " Mix=OK, Jated=Yes, Frosting=OK", Outcome.RFC3164, "2025-08-24T05:34:00.000000Z", "CST", null,
            map("facility", "local4", "severity", "notice", "priority", "165", "hostname", "CST",
                "message", "1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK,"
                    + " Jated=Yes, Frosting=OK")),
        // example 4: no valid TIMESTAMP, so the whole text after PRI is the message
        Arguments.of("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
            Outcome.MESSAGE_ONLY, "2026-03-15T12:00:00.000000Z", PEER, null, map("facility", "kern",
                "severity", "emerg", "priority", "0",
                "message", "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")));
  }

  static Stream<Arguments> realWorld() {
    return Stream.of(
        // OpenSSH via rsyslog's traditional forwarding format
        Arguments.of("<38>Mar 14 03:12:01 web01 sshd[4123]: Failed password for invalid user admin from 203.0.113.45"
            + " port 52214 ssh2", Outcome.RFC3164, "2026-03-14T03:12:01.000000Z", "web01", "sshd",
            map("facility", "auth", "severity", "info", "priority", "38", "hostname", "web01", "appname", "sshd",
                "procid", "4123", "message", "Failed password for invalid user admin from 203.0.113.45 port 52214 ssh2")),
        // rsyslog RSYSLOG_ForwardFormat: RFC 3339 time with offset
        Arguments.of("<86>2024-01-21T10:12:15.123456+01:00 web01 sudo[999]:    alice : TTY=pts/0 ; PWD=/home/alice ;"
            + " USER=root ; COMMAND=/bin/bash", Outcome.RFC3164, "2024-01-21T09:12:15.123456Z", "web01", "sudo",
            map("facility", "authpriv", "severity", "info", "priority", "86", "hostname", "web01", "appname", "sudo",
                "procid", "999", "message", "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash")),
        // rsyslog RSYSLOG_FileFormat: no PRI at all
        Arguments.of("2024-01-21T10:12:15.123456+00:00 web01 kernel: [12345.678901] usb 1-1: new high-speed USB device",
            Outcome.RFC3164, "2024-01-21T10:12:15.123456Z", "web01", "kernel", map("facility", "user",
                "severity", "notice", "priority", "13", "hostname", "web01", "appname", "kernel",
                "message", "[12345.678901] usb 1-1: new high-speed USB device")),
        // no HOSTNAME: the TAG comes straight after the time; the host is the peer
        Arguments.of("<13>Mar 14 10:12:15 sshd[123]: Accepted publickey for root from 198.51.100.7 port 40000 ssh2",
            Outcome.RFC3164, "2026-03-14T10:12:15.000000Z", PEER, "sshd", map("facility", "user", "severity", "notice",
                "priority", "13", "appname", "sshd", "procid", "123",
                "message", "Accepted publickey for root from 198.51.100.7 port 40000 ssh2")),
        // Cisco IOS: sequence number, unsynchronised-clock mark, milliseconds, zone
        Arguments.of("<189>154: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)",
            Outcome.RFC3164, "2026-03-01T18:48:50.483000Z", PEER, "%SYS-5-CONFIG_I", map("facility", "local7",
                "severity", "notice", "priority", "189", "appname", "%SYS-5-CONFIG_I",
                "message", "Configured from console by vty2 (10.34.195.36)")),
        // Cisco ASA: year in the time
        Arguments.of("<166>Jan 21 2024 10:12:15: %ASA-6-302013: Built outbound TCP connection 1234 for"
            + " outside:203.0.113.5/443 (203.0.113.5/443) to inside:10.0.0.5/51234 (10.0.0.5/51234)",
            Outcome.RFC3164, "2024-01-21T10:12:15.000000Z", PEER, "%ASA-6-302013", map("facility", "local4",
                "severity", "info", "priority", "166", "appname", "%ASA-6-302013",
                "message", "Built outbound TCP connection 1234 for outside:203.0.113.5/443 (203.0.113.5/443) to"
                    + " inside:10.0.0.5/51234 (10.0.0.5/51234)")),
        // journald forwarded by rsyslog as RFC 5424 (RSYSLOG_SyslogProtocol23Format)
        Arguments.of("<30>1 2024-01-21T10:12:15.123456+01:00 web01 systemd 1 - [timeQuality tzKnown=\"1\" isSynced=\"1\"]"
            + " Started Session 42 of User root.", Outcome.RFC5424, "2024-01-21T09:12:15.123456Z", "web01", "systemd",
            map("facility", "daemon", "severity", "info", "priority", "30", "hostname", "web01", "appname", "systemd",
                "procid", "1", "timeQuality.tzKnown", "1", "timeQuality.isSynced", "1",
                "message", "Started Session 42 of User root.")),
        // journald forwarded as BSD syslog
        Arguments.of("<30>Mar 14 10:12:15 web01 systemd-logind[612]: New session 42 of user root.", Outcome.RFC3164,
            "2026-03-14T10:12:15.000000Z", "web01", "systemd-logind", map("facility", "daemon", "severity", "info",
                "priority", "30", "hostname", "web01", "appname", "systemd-logind", "procid", "612",
                "message", "New session 42 of user root.")),
        // a TAG with a slash; single-digit day zero-padded
        Arguments.of("<22>Mar 05 10:12:15 mx1 postfix/smtpd[2231]: connect from unknown[203.0.113.9]", Outcome.RFC3164,
            "2026-03-05T10:12:15.000000Z", "mx1", "postfix/smtpd", map("facility", "mail", "severity", "info",
                "priority", "22", "hostname", "mx1", "appname", "postfix/smtpd", "procid", "2231",
                "message", "connect from unknown[203.0.113.9]")),
        // host and text but no TAG: everything after the host is the message
        Arguments.of("<14>Mar 14 10:12:15 printer01 paper jam in tray 2", Outcome.RFC3164, "2026-03-14T10:12:15.000000Z",
            "printer01", null, map("facility", "user", "severity", "info", "priority", "14", "hostname", "printer01",
                "message", "paper jam in tray 2")),
        // text starting with '<' but no PRI
        Arguments.of("<html> probe", Outcome.MESSAGE_ONLY, "2026-03-15T12:00:00.000000Z", PEER, null,
            map("facility", "user", "severity", "notice", "priority", "13", "message", "<html> probe")),
        // PRI only and text: a relay keeps the text as message
        Arguments.of("<11>disk full on /var", Outcome.MESSAGE_ONLY, "2026-03-15T12:00:00.000000Z", PEER, null,
            map("facility", "user", "severity", "err", "priority", "11", "message", "disk full on /var")));
  }

  @ParameterizedTest
  @MethodSource({"rfcExamples", "realWorld"})
  void parse_examples(String line, Outcome outcome, String time, String host, String provider,
      Map<String, String> expected) {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Outcome o = p.parse(line, "syslog-tcp:" + PEER, PEER, 7, e);
    assertThat(o).as("%s (problem %s)", line, p.problem()).isEqualTo(outcome);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo(time);
    assertThat(e.host()).isEqualTo(host);
    assertThat(e.provider()).isEqualTo(provider);
    assertThat(e.channel()).isNull();
    assertThat(e.source()).isEqualTo("syslog-tcp:" + PEER);
    assertThat(e.record()).isEqualTo(7);
    assertThat(fields(e)).containsExactlyEntriesOf(expected);
    assertThat(e.type(e.indexOf("priority"))).isEqualTo(Event.NUMBER);
    if (outcome != Outcome.MESSAGE_ONLY) {
      assertThat(p.problem()).isNull();
    }
  }

  static Stream<Arguments> rfc5424Timestamps() {
    return Stream.of(
        Arguments.of("1985-04-12T23:20:50.52Z", "1985-04-12T23:20:50.520000Z"),
        Arguments.of("1985-04-12T19:20:50.52-04:00", "1985-04-12T23:20:50.520000Z"),
        Arguments.of("2003-10-11T22:14:15.003Z", "2003-10-11T22:14:15.003000Z"),
        Arguments.of("2003-08-24T05:14:15.000003-07:00", "2003-08-24T12:14:15.000003Z"),
        // invalid per RFC 5424: more than six fraction digits, lower-case t, no offset
        Arguments.of("2003-08-24T05:14:15.000000003-07:00", null),
        Arguments.of("2003-08-24t05:14:15Z", null),
        Arguments.of("2003-08-24T05:14:15", null),
        Arguments.of("2003-02-29T05:14:15Z", null));
  }

  @ParameterizedTest
  @MethodSource("rfc5424Timestamps")
  void parse_rfc5424Timestamps(String ts, String expected) {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Outcome o = p.parse("<13>1 " + ts + " host app - - - text", "t", PEER, 1, e);
    if (expected != null) {
      assertThat(o).isEqualTo(Outcome.RFC5424);
      assertThat(Timestamps.format(e.timestamp())).isEqualTo(expected);
    } else {
      assertThat(o).isEqualTo(Outcome.MESSAGE_ONLY);
      assertThat(p.problem().reason()).contains("TIMESTAMP");
      assertThat(p.problem().position()).isEqualTo("byte 6");
      assertThat(e.get("message")).isEqualTo("1 " + ts + " host app - - - text");
      assertThat(Timestamps.format(e.timestamp())).isEqualTo("2026-03-15T12:00:00.000000Z");
    }
  }

  @Test
  void parse_rfc5424NilTimestamp_isTimeOfReceipt() {
    Event e = new Event();
    assertThat(parser(NOW, ZoneOffset.UTC).parse("<13>1 - - - - - -", "t", PEER, 1, e)).isEqualTo(Outcome.RFC5424);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2026-03-15T12:00:00.000000Z");
    assertThat(e.host()).isEqualTo(PEER);
    assertThat(fields(e)).containsOnlyKeys("facility", "severity", "priority");
  }

  @Test
  void parse_structuredDataEscapes() {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Outcome o = p.parse("<13>1 2024-01-21T10:12:15Z h a - - [x@1 q=\"say \\\"hi\\\"\" b=\"C:\\\\dir\\\\\" r=\"[1\\]\""
        + " o=\"\\n stays\" u=\"\u017Eaba\" e=\"\"] m", "t", PEER, 1, e);
    assertThat(o).isEqualTo(Outcome.RFC5424);
    assertThat(e.get("x@1.q")).isEqualTo("say \"hi\"");
    assertThat(e.get("x@1.b")).isEqualTo("C:\\dir\\");
    assertThat(e.get("x@1.r")).isEqualTo("[1]");
    assertThat(e.get("x@1.o")).isEqualTo("\\n stays");
    assertThat(e.get("x@1.u")).isEqualTo("\u017Eaba");
    assertThat(e.get("x@1.e")).isEmpty();
    assertThat(e.get("message")).isEqualTo("m");
  }

  static Stream<Arguments> brokenRfc5424() {
    return Stream.of(
        // RFC 5424 6.3.5 example 4: space after '['
        Arguments.of("[ exampleSDID@32473 iut=\"3\"]", "empty SD-ID"),
        Arguments.of("[x@1 a=\"unterminated]", "unterminated PARAM-VALUE"),
        Arguments.of("[x@1 a=3]", "expected '=\"'"),
        Arguments.of("[x@1 a=\"3\"", "unterminated SD-ELEMENT"),
        Arguments.of("[x@1 a=\"3\"]text", "expected a space after STRUCTURED-DATA"),
        Arguments.of("{x}", "neither"));
  }

  @ParameterizedTest
  @MethodSource("brokenRfc5424")
  void parse_brokenStructuredData_keptAsMessageWithProblem(String sd, String reason) {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    String line = "<13>1 2024-01-21T10:12:15Z h a - - " + sd;
    assertThat(p.parse(line, "t", PEER, 1, e)).isEqualTo(Outcome.MESSAGE_ONLY);
    assertThat(p.problem().reason()).contains(reason);
    assertThat(fields(e)).containsExactlyEntriesOf(map("facility", "user", "severity", "notice", "priority", "13",
        "message", line.substring(4)));
    assertThat(e.host()).isEqualTo(PEER);
  }

  @Test
  void parse_rfc5424HeaderFields_checkedStrictly() {
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Event e = new Event();
    assertThat(p.parse("<13>1 2024-01-21T10:12:15Z h " + "a".repeat(49) + " - - - m", "t", PEER, 1, e))
        .isEqualTo(Outcome.MESSAGE_ONLY);
    assertThat(p.problem().reason()).contains("APP-NAME longer than 48");
    assertThat(p.parse("<13>1 2024-01-21T10:12:15Z h\u00E9 a - - - m", "t", PEER, 1, e))
        .isEqualTo(Outcome.MESSAGE_ONLY);
    assertThat(p.problem().reason()).contains("HOSTNAME");
    assertThat(p.parse("<13>1 2024-01-21T10:12:15Z h a", "t", PEER, 1, e)).isEqualTo(Outcome.MESSAGE_ONLY);
    assertThat(p.problem().reason()).contains("APP-NAME");
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of(new byte[0], "empty message"),
        Arguments.of(bytes("\r\n"), "empty message"),
        Arguments.of(bytes("\0\0"), "empty message"),
        Arguments.of(bytes("<999>Oct 11 22:14:15 h a: m"), "PRI 999 out of range 0..191"),
        Arguments.of(bytes("<192>x"), "PRI 192 out of range"),
        Arguments.of(bytes("<1234>x"), "invalid PRI '<1234>'"),
        Arguments.of(bytes("<12"), "invalid PRI"),
        Arguments.of(bytes("<12 x"), "invalid PRI"),
        Arguments.of(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03}, "binary data: NUL"),
        Arguments.of(new byte[] {1, 2, 3, 4, 5, 'a', 'b', 'c', 'd', 'e', 'f', 'g'}, "binary data: 5 of 12 bytes"),
        Arguments.of(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80, 'a', 'b'}, "binary data: 3 of 5"));
  }

  @ParameterizedTest
  @MethodSource("rejected")
  void parse_unusableInput_isRejectedWithReason(byte[] input, String reason) {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    assertThat(p.parse(input, 0, input.length, "syslog-udp:" + PEER, PEER, 3, e)).isEqualTo(Outcome.REJECTED);
    assertThat(p.problem().reason()).contains(reason);
    assertThat(p.problem().file()).isEqualTo("syslog-udp:" + PEER);
    assertThat(e.size()).isZero();
  }

  @Test
  void parse_trailingNewlineCrNul_areCut_andInvalidUtf8Replaced() {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    byte[] b = "xx<13>Mar 14 10:12:15 h app: caf\u00FF ok\r\n\0yy".getBytes(StandardCharsets.ISO_8859_1);
    assertThat(p.parse(b, 2, b.length - 4, "t", PEER, 1, e)).isEqualTo(Outcome.RFC3164);
    assertThat(e.get("message")).isEqualTo("caf\uFFFD ok");
  }

  @Test
  void parse_controlCharactersAndEscapeSequences_inText_areKept() {
    Event e = new Event();
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    String line = "<13>Mar 14 10:12:15 h app: \u001B[31mERROR\u001B[0m\tline one\nline two";
    assertThat(p.parse(line, "t", PEER, 1, e)).isEqualTo(Outcome.RFC3164);
    assertThat(e.get("message")).isEqualTo("\u001B[31mERROR\u001B[0m\tline one\nline two");
  }

  static Stream<Arguments> years() {
    return Stream.of(
        // now, message time, expected: the latest year that is at most a day ahead of now
        Arguments.of("2026-01-01T00:30:00Z", "Dec 31 23:59:00", "2025-12-31T23:59:00.000000Z"),
        Arguments.of("2026-01-01T00:30:00Z", "Jan  1 00:40:00", "2026-01-01T00:40:00.000000Z"),
        Arguments.of("2025-12-31T23:59:00Z", "Jan  1 00:01:00", "2026-01-01T00:01:00.000000Z"),
        Arguments.of("2026-03-15T12:00:00Z", "Mar 16 11:00:00", "2026-03-16T11:00:00.000000Z"),
        Arguments.of("2026-03-15T12:00:00Z", "Mar 16 13:00:00", "2025-03-16T13:00:00.000000Z"),
        Arguments.of("2026-03-15T12:00:00Z", "Feb 29 10:00:00", "2024-02-29T10:00:00.000000Z"));
  }

  @ParameterizedTest
  @MethodSource("years")
  void parse_rfc3164Year_fromClock(String now, String ts, String expected) {
    Event e = new Event();
    assertThat(parser(now, ZoneOffset.UTC).parse("<13>" + ts + " h app: m", "t", PEER, 1, e))
        .isEqualTo(Outcome.RFC3164);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo(expected);
  }

  @Test
  void parse_timesWithoutZone_useConfiguredZone() {
    SyslogParser p = parser(NOW, ZoneId.of("Europe/Podgorica"));
    Event e = new Event();
    p.parse("<13>Jul  1 12:00:00 h app: summer", "t", PEER, 1, e);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2025-07-01T10:00:00.000000Z");
    p.parse("<13>Jan 10 12:00:00 h app: winter", "t", PEER, 1, e);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2026-01-10T11:00:00.000000Z");
    p.parse("<13>2024-07-01T12:00:00 h app: iso without offset", "t", PEER, 1, e);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2024-07-01T10:00:00.000000Z");
    p.parse("<13>2024-07-01T12:00:00Z h app: iso with Z", "t", PEER, 1, e);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2024-07-01T12:00:00.000000Z");
    p.parse("<189>12: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured", "t", PEER, 1, e);
    assertThat(Timestamps.format(e.timestamp())).isEqualTo("2026-03-01T18:48:50.483000Z");
    p.parse("<189>12: *Mar  1 18:48:50.483 CET: %SYS-5-CONFIG_I: Configured", "t", PEER, 1, e);
    assertThat(Timestamps.format(e.timestamp())).as("other zone names: the configured zone")
        .isEqualTo("2026-03-01T17:48:50.483000Z");
  }

  @Test
  void parse_token_isTakenOutOfTheFields() {
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Event e = new Event();
    Outcome o = p.parse("<13>1 2024-01-21T10:12:15Z h app - - [lovcen@32473 token=\"s3cr\\\"et\" site=\"hq\"]"
        + "[x@1 token=\"not-secret\"] hello", "t", PEER, 1, e);
    assertThat(o).isEqualTo(Outcome.RFC5424);
    assertThat(p.token()).isEqualTo("s3cr\"et");
    assertThat(fields(e)).containsEntry("lovcen@32473.site", "hq").containsEntry("x@1.token", "not-secret")
        .doesNotContainKey("lovcen@32473.token");
    assertThat(e.toString()).doesNotContain("s3cr");
    p.parse("<13>1 2024-01-21T10:12:15Z h app - - - no token", "t", PEER, 2, e);
    assertThat(p.token()).isNull();
  }

  @Test
  void parse_tokenOutsideStructuredData_isRejectedWithoutQuotingIt() {
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Event e = new Event();
    for (String line : new String[] {"<13>Mar 14 10:12:15 h app: [lovcen@32473 token=\"s3cret\"] hi",
        "<13>1 2024-01-21T10:12:15Z h app - - [lovcen@32473 token=\"s3cret\"", // unterminated element
        "<13>1 2024-01-21T10:12:15 h app - - [lovcen@32473 token=\"s3cret\"] bad time"}) {
      assertThat(p.parse(line, "t", PEER, 1, e)).as(line).isEqualTo(Outcome.REJECTED);
      assertThat(p.problem().reason()).contains("lovcen@32473").doesNotContain("s3cret");
      assertThat(p.token()).isNull();
      assertThat(e.size()).isZero();
    }
  }

  @Test
  void parse_reusesEvent_clearingOldFields() {
    SyslogParser p = parser(NOW, ZoneOffset.UTC);
    Event e = new Event();
    p.parse("<165>1 2003-10-11T22:14:15.003Z h app 1 ID [a@1 x=\"1\" y=\"2\"] first", "t", PEER, 1, e);
    p.parse("<13>Mar 14 10:12:15 second", "u", PEER, 2, e);
    assertThat(fields(e)).containsExactlyEntriesOf(map("facility", "user", "severity", "notice", "priority", "13",
        "message", "second"));
    assertThat(e.provider()).isNull();
    assertThat(e.source()).isEqualTo("u");
    assertThat(e.record()).isEqualTo(2);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
