package org.lovcen.ingest.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lovcen.core.Event;
import org.lovcen.ingest.syslog.SyslogFraming.Result;
import org.lovcen.ingest.syslog.SyslogParser.Outcome;

/**
 * Seeded random damage to valid messages and streams (fixed seeds; plain JUnit): whatever the
 * bytes, the parser and the framing end, throw nothing, and every frame is accounted for.
 */
class SyslogRobustnessTest {
  static final String[] VALID = {
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick",
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\""
          + " eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"] entry",
      "<13>1 2024-01-21T10:12:15.123456+01:00 h app 42 M1 [lovcen@32473 token=\"s3cret\" site=\"x\\\"y\"] hello",
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      "<38>Jan 21 10:12:15 web01 sshd[4123]: Failed password for invalid user admin from 203.0.113.45 port 52214 ssh2",
      "<189>154: *Mar  1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)",
      "<166>Jan 21 2024 10:12:15: %ASA-6-302013: Built outbound TCP connection 1234",
      "2024-01-21T10:12:15.123456+00:00 web01 kernel: [12345.678901] usb 1-1: new device",
      "Use the BFG!",
  };
  private static final byte[] SPECIAL = "<>[]\"\\ :=-0123456789T.Z+\n\r\0".getBytes(StandardCharsets.ISO_8859_1);

  static byte[] mutate(byte[] in, Random rnd) {
    byte[] b = in;
    int edits = 1 + rnd.nextInt(6);
    for (int i = 0; i < edits && b.length > 0; i++) {
      int at = rnd.nextInt(b.length);
      switch (rnd.nextInt(6)) {
        case 0 -> b[at] = (byte) rnd.nextInt(256);
        case 1 -> b[at] = SPECIAL[rnd.nextInt(SPECIAL.length)];
        case 2 -> b = Arrays.copyOf(b, at);
        case 3 -> {
          byte[] c = new byte[b.length + 1];
          System.arraycopy(b, 0, c, 0, at);
          c[at] = SPECIAL[rnd.nextInt(SPECIAL.length)];
          System.arraycopy(b, at, c, at + 1, b.length - at);
          b = c;
        }
        case 4 -> {
          byte[] c = new byte[b.length - 1];
          System.arraycopy(b, 0, c, 0, at);
          System.arraycopy(b, at + 1, c, at, b.length - at - 1);
          b = c;
        }
        default -> b[at] ^= (byte) (1 << rnd.nextInt(8));
      }
    }
    return b;
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void parse_mutatedMessages_neverThrow_andAreReadOrRejectedWithReason() {
    Random rnd = new Random(20240121);
    SyslogParser p = new SyslogParser(ZoneId.of("Europe/Podgorica"),
        Clock.fixed(Instant.parse("2026-03-15T12:00:00Z"), ZoneId.of("UTC")));
    Event e = new Event();
    int[] outcomes = new int[Outcome.values().length];
    for (int round = 0; round < 100_000; round++) {
      byte[] m = mutate(VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8), rnd);
      Outcome o = p.parse(m, 0, m.length, "t", "192.0.2.1", round, e);
      outcomes[o.ordinal()]++;
      String what = new String(m, StandardCharsets.ISO_8859_1);
      if (o.accepted()) {
        assertThat(e.get("facility")).as(what).isNotNull();
        assertThat(e.host()).as(what).isNotNull();
        assertThat(e.timestamp()).as(what).isNotEqualTo(Event.NO_TIME);
        assertThat(e.get("facility")).as(what).isNotNull();
        assertThat(e.record()).isEqualTo(round);
        if (o != Outcome.MESSAGE_ONLY) {
          assertThat(p.problem()).as(what).isNull();
        }
      } else {
        assertThat(p.problem()).as(what).isNotNull();
        assertThat(e.size()).as(what).isZero();
      }
      if (p.token() != null) {
        for (int i = 0; i < e.size(); i++) {
          assertThat(e.value(i)).as(what).doesNotContain(p.token());
        }
      }
    }
    // the damage reaches every path
    for (Outcome o : Outcome.values()) {
      assertThat(outcomes[o.ordinal()]).as(o.name()).isGreaterThan(1000);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void next_validStreamsInRandomReads_countsAddUp() throws IOException {
    Random rnd = new Random(6587);
    for (int round = 0; round < 2000; round++) {
      int max = 20 + rnd.nextInt(100);
      ByteArrayOutputStream s = new ByteArrayOutputStream();
      List<String> expected = new ArrayList<>();
      int frames = 1 + rnd.nextInt(20);
      for (int i = 0; i < frames; i++) {
        String msg = VALID[rnd.nextInt(VALID.length)].replace("\n", " ");
        msg = msg.substring(0, 1 + rnd.nextInt(msg.length() - 1)).trim();
        if (msg.isEmpty() || Character.isDigit(msg.charAt(0))) {
          msg = "m" + msg;
        }
        int len = msg.getBytes(StandardCharsets.UTF_8).length;
        boolean octet = rnd.nextBoolean();
        if (octet) {
          s.writeBytes(SyslogFramingTest.octets(msg));
        } else {
          s.writeBytes((msg + (rnd.nextBoolean() ? "\n" : "\r\n")).getBytes(StandardCharsets.UTF_8));
        }
        expected.add(len > max ? "S" : (octet ? "O:" : "M:") + msg);
      }
      byte[] bytes = s.toByteArray();
      List<String> got = new ArrayList<>();
      for (String f : SyslogFramingTest.frames(bytes, max, 1 + rnd.nextInt(40), 1 + rnd.nextInt(40))) {
        got.add(f.startsWith("S:") ? "S" : f);
      }
      assertThat(got).as("round %d, max %d", round, max).isEqualTo(expected);
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void next_mutatedStreams_end_withinLimits() throws IOException {
    Random rnd = new Random(5425);
    SyslogParser p = new SyslogParser();
    Event e = new Event();
    for (int round = 0; round < 3000; round++) {
      ByteArrayOutputStream s = new ByteArrayOutputStream();
      for (int i = 0, n = 1 + rnd.nextInt(10); i < n; i++) {
        byte[] m = VALID[rnd.nextInt(VALID.length)].getBytes(StandardCharsets.UTF_8);
        s.writeBytes(rnd.nextBoolean() ? SyslogFramingTest.octets(new String(m, StandardCharsets.UTF_8))
            : SyslogFramingTest.concat(m, new byte[] {'\n'}));
      }
      byte[] bytes = mutate(s.toByteArray(), rnd);
      int max = 10 + rnd.nextInt(200);
      SyslogFraming f = new SyslogFraming(new SyslogFramingTest.Chunked(bytes, 1 + rnd.nextInt(64)), "t", max);
      long consumed = 0;
      for (int calls = 0; ; calls++) {
        assertThat(calls).as("round %d: no more calls than bytes", round).isLessThanOrEqualTo(bytes.length + 1);
        Result r = f.next();
        if (r == Result.END) {
          break;
        }
        if (r == Result.MESSAGE) {
          assertThat(f.length()).isBetween(1, max);
          consumed += f.length();
          p.parse(f.buffer(), f.start(), f.length(), "t", "192.0.2.1", calls, e);
        } else {
          assertThat(f.problem()).isNotNull();
        }
        assertThat(f.buffer().length).isLessThanOrEqualTo(max + 11);
      }
      assertThat(consumed).isLessThanOrEqualTo(bytes.length);
      assertThat(f.bytesRead()).isEqualTo(bytes.length);
    }
  }
}
