package org.lovcen.ingest.syslog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import org.lovcen.core.Event;

/**
 * Fuzz target for the syslog TCP framing (octet counting and line framing) with the parser behind
 * it. A plain test run replays the seeds in {@code SyslogFramingFuzzTestInputs/fuzzFraming}; the
 * {@code fuzz} profile mutates from them (docs/FUZZING.md). Any exception, a hang, or a broken
 * limit is a finding.
 */
class SyslogFramingFuzzTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-15T12:00:00Z"), ZoneId.of("UTC"));

  /** The first byte picks the size limit, the second the read size; the rest is the stream. */
  @FuzzTest(maxDuration = "60s")
  void fuzzFraming(byte[] input) throws IOException {
    if (input.length < 2) {
      return;
    }
    int max = 1 + (input[0] & 0xFF);
    int chunk = 1 + (input[1] & 0x3F);
    byte[] stream = Arrays.copyOfRange(input, 2, input.length);
    SyslogFraming f = new SyslogFraming(new ByteArrayInputStream(stream) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    }, "fuzz", max);
    SyslogParser p = new SyslogParser(ZoneId.of("UTC"), CLOCK);
    Event e = new Event();
    for (int calls = 0; ; calls++) {
      if (calls > stream.length + 1) {
        throw new IllegalStateException("more frames than bytes");
      }
      SyslogFraming.Result r = f.next();
      if (r == SyslogFraming.Result.END) {
        return;
      }
      if (r == SyslogFraming.Result.MESSAGE) {
        if (f.length() < 1 || f.length() > max) {
          throw new IllegalStateException("frame of " + f.length() + " bytes, limit " + max);
        }
        p.parse(f.buffer(), f.start(), f.length(), "fuzz", "192.0.2.1", calls, e);
      }
      if (f.buffer().length > max + 11) {
        throw new IllegalStateException("buffer of " + f.buffer().length + " bytes, limit " + max);
      }
    }
  }
}
