package org.lovcen.ingest.syslog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.lovcen.core.Event;

/**
 * Fuzz target for the syslog parser (RFC 5424, RFC 3164 and the common variants). A plain test
 * run replays the seeds in {@code SyslogParserFuzzTestInputs/fuzzParser}; the {@code fuzz} profile
 * mutates from them (docs/FUZZING.md). Any exception, a hang, or a message both accepted without
 * a facility or refused without a problem is a finding.
 */
class SyslogParserFuzzTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-15T12:00:00Z"), ZoneId.of("UTC"));

  @FuzzTest(maxDuration = "60s")
  void fuzzParser(byte[] input) {
    SyslogParser p = new SyslogParser(ZoneId.of("Europe/Podgorica"), CLOCK);
    Event e = new Event();
    SyslogParser.Outcome o = p.parse(input, 0, input.length, "fuzz", "192.0.2.1", 1, e);
    if (o.accepted() != (e.get("facility") != null) || (!o.accepted() && p.problem() == null)) {
      throw new IllegalStateException(o + " with facility " + e.get("facility") + " and problem " + p.problem());
    }
  }
}
