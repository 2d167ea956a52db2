package org.lovcen.ingest.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lovcen.ingest.syslog.SyslogFraming.Result;

/** RFC 6587 framing: octet counting, LF/CRLF/NUL trailers, per-frame detection, limits. */
class SyslogFramingTest {
  static final String A = "<13>1 2024-01-21T10:12:15Z h app - - - multi\nline";
  static final String B = "<38>Mar 14 03:12:01 web01 sshd[4123]: Failed password";
  static final String C = "2024-01-21T10:12:15+01:00 web01 kernel: no PRI, starts with digits";

  /** Reads everything: "M:" + message (o for octet-counted) or "S:" + reason. */
  static List<String> frames(SyslogFraming f) throws IOException {
    List<String> out = new ArrayList<>();
    for (int guard = 0; guard < 1_000_000; guard++) {
      Result r;
      try {
        r = f.next();
      } catch (SocketTimeoutException e) {
        continue;
      }
      switch (r) {
        case END -> {
          return out;
        }
        case MESSAGE -> out.add((f.octetCounted() ? "O:" : "M:")
            + new String(f.buffer(), f.start(), f.length(), StandardCharsets.UTF_8));
        case SKIPPED -> out.add("S:" + f.problem().reason());
      }
    }
    throw new AssertionError("framing did not end");
  }

  static List<String> frames(byte[] stream, int max, int... chunks) throws IOException {
    return frames(new SyslogFraming(new Chunked(stream, chunks), "t", max));
  }

  static byte[] octets(String msg) {
    byte[] m = msg.getBytes(StandardCharsets.UTF_8);
    return concat((m.length + " ").getBytes(StandardCharsets.US_ASCII), m);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void next_octetCounting_keepsLineBreaksInsideFrames() throws IOException {
    assertThat(frames(concat(octets(A), octets(B)), 1000)).containsExactly("O:" + A, "O:" + B);
  }

  @Test
  void next_lineFraming_acceptsLfCrlfAndNul_andAFinalUnterminatedLine() throws IOException {
    assertThat(frames(b(B + "\n" + C + "\r\n" + "x\0" + "last"), 1000))
        .containsExactly("M:" + B, "M:" + C, "M:x", "M:last");
  }

  @Test
  void next_mixedFraming_isDecidedPerFrame() throws IOException {
    byte[] s = concat(octets(A), b(B + "\n"), octets(B), b(C + "\n"), b("1234567890 ten digits is a line\n"),
        octets("1 x"));
    assertThat(frames(s, 1000)).containsExactly("O:" + A, "M:" + B, "O:" + B, "M:" + C,
        "M:1234567890 ten digits is a line", "O:1 x");
  }

  @Test
  void next_emptyLinesAndSeparators_areNotMessages() throws IOException {
    assertThat(frames(b("\n\r\n\0\n"), 100)).isEmpty();
    assertThat(frames(concat(octets("a"), b("\n"), octets("b"), b("\r\n")), 100)).containsExactly("O:a", "O:b");
  }

  @Test
  void next_splitAcrossReads_atEveryBytePosition() throws IOException {
    byte[] s = concat(octets(A), b(B + "\r\n"), octets(C), b(C + "\0"), octets("x"), b("tail"));
    List<String> whole = frames(s, 1000);
    assertThat(whole).hasSize(6);
    for (int i = 1; i < s.length; i++) {
      assertThat(frames(s, 1000, i, s.length)).as("split at %d", i).isEqualTo(whole);
    }
    for (int chunk = 1; chunk <= 7; chunk++) {
      assertThat(frames(s, 1000, repeat(chunk))).as("reads of %d bytes", chunk).isEqualTo(whole);
    }
  }

  @Test
  void next_oversizedOctetFrame_skipsExactlyLenBytes() throws IOException {
    // the oversized frame holds what would look like frames: none of it may surface
    String inside = "5 fake\n3 no\n" + "z".repeat(20);
    byte[] s = concat(octets(inside), octets("hello"), b("next line\n"));
    List<String> expected = List.of("S:frame of " + b(inside).length + " bytes over the limit of 10, skipped", "O:hello",
        "M:next line");
    assertThat(frames(s, 10)).isEqualTo(expected);
    assertThat(frames(s, 10, 1)).isEqualTo(expected);
  }

  @Test
  void next_oversizedLine_skipsToNextLineBreak() throws IOException {
    byte[] s = b("x".repeat(50) + "\nok\n" + "y".repeat(11) + "\n" + "z".repeat(10) + "\r\n");
    List<String> expected = List.of("S:line longer than the limit of 10 bytes, skipped to the next line break", "M:ok",
        "S:line of 11 bytes over the limit of 10, skipped", "M:" + "z".repeat(10));
    assertThat(frames(s, 10, 1)).isEqualTo(expected);
    assertThat(frames(s, 10).get(1)).isEqualTo("M:ok");
  }

  @Test
  void next_unterminatedLastLineOverLimit_isSkipped() throws IOException {
    assertThat(frames(b("ok\n" + "x".repeat(11)), 10)).containsExactly("M:ok",
        "S:line of 11 bytes over the limit of 10, skipped");
  }

  @Test
  void next_streamEndingInsideOctetFrame_isReported() throws IOException {
    byte[] s = concat(octets("complete"), b("20 only part"));
    SyslogFraming f = new SyslogFraming(new ByteArrayInputStream(s), "syslog-tcp:192.0.2.1", 100);
    assertThat(f.next()).isEqualTo(Result.MESSAGE);
    assertThat(f.next()).isEqualTo(Result.SKIPPED);
    assertThat(f.problem().toString())
        .isEqualTo("syslog-tcp:192.0.2.1:byte 10: stream ended inside a frame of 20 bytes (9 received), dropped");
    assertThat(f.next()).isEqualTo(Result.END);
    assertThat(f.next()).isEqualTo(Result.END);
  }

  @Test
  void next_longGarbage_staysWithinMemoryBound() throws IOException {
    byte[] s = new byte[2_000_000];
    Arrays.fill(s, (byte) 'g');
    SyslogFraming f = new SyslogFraming(new ByteArrayInputStream(s), "t", 1000);
    assertThat(frames(f)).containsExactly("S:line longer than the limit of 1000 bytes, skipped to the next line break");
    assertThat(f.buffer().length).isLessThanOrEqualTo(1000 + 11);
    assertThat(f.bytesRead()).isEqualTo(s.length);
  }

  @Test
  void next_hugeOctetCount_isSkippedWithoutBuffering() throws IOException {
    byte[] body = new byte[3_000_000];
    Arrays.fill(body, (byte) '\n');
    byte[] s = concat(b(body.length + " "), body, octets("after"));
    SyslogFraming f = new SyslogFraming(new ByteArrayInputStream(s), "t", 1000);
    assertThat(frames(f)).containsExactly("S:frame of 3000000 bytes over the limit of 1000, skipped", "O:after");
    assertThat(f.buffer().length).isLessThanOrEqualTo(1000 + 11);
  }

  @Test
  void next_afterReadTimeout_continuesWhereItWas() throws IOException {
    byte[] s = concat(octets(A), b(B + "\n"), octets(C));
    InputStream timing = new Chunked(s, 3) {
      int calls;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (calls++ % 2 == 0) {
          throw new SocketTimeoutException("read timed out");
        }
        return super.read(b, off, len);
      }
    };
    assertThat(frames(new SyslogFraming(timing, "t", 1000))).containsExactly("O:" + A, "M:" + B, "O:" + C);
  }

  @Test
  void next_frameOffsets_areStreamPositions() throws IOException {
    byte[] first = octets("abc");
    SyslogFraming f = new SyslogFraming(new Chunked(concat(first, b("\n\nline\n")), 2), "t", 100);
    assertThat(f.next()).isEqualTo(Result.MESSAGE);
    assertThat(f.offset()).isZero();
    assertThat(f.next()).isEqualTo(Result.MESSAGE);
    assertThat(f.offset()).isEqualTo(first.length + 2);
  }

  private static int[] repeat(int chunk) {
    return new int[] {chunk};
  }

  /** Returns the data in reads of the given sizes (the last size repeats); all at once when none. */
  static class Chunked extends InputStream {
    private final byte[] data;
    private final int[] sizes;
    private int pos;
    private int call;

    Chunked(byte[] data, int... sizes) {
      this.data = data;
      this.sizes = sizes;
    }

    @Override
    public int read() {
      return pos < data.length ? data[pos++] & 0xFF : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (pos >= data.length) {
        return -1;
      }
      int size = sizes.length == 0 ? data.length : sizes[Math.min(call++, sizes.length - 1)];
      int n = Math.min(Math.min(len, size), data.length - pos);
      System.arraycopy(data, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
