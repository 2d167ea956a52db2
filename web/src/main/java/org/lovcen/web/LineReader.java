package org.lovcen.web;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Splits a stream into lines over one reused byte buffer. Not thread-safe. */
final class LineReader {
  /** Receives one line, valid only during the call. */
  @FunctionalInterface
  interface Lines {
    void line(byte[] buf, int off, int len, long number);
  }

  /** Longest line kept whole; longer lines are cut (and will usually be reported malformed). */
  static final int MAX_LINE = 1 << 20;

  private final InputStream in;
  private byte[] buf = new byte[1 << 16];

  LineReader(InputStream in) {
    this.in = in;
  }

  /** Hands every line (without its newline) to {@code out}; returns the number of lines. */
  long forEach(Lines out) throws IOException {
    int start = 0;
    int limit = 0;
    long number = 0;
    while (true) {
      int nl = -1;
      for (int i = start; i < limit; i++) {
        if (buf[i] == '\n') {
          nl = i;
          break;
        }
      }
      if (nl >= 0) {
        number++;
        emit(out, start, nl, number);
        start = nl + 1;
        continue;
      }
      if (start > 0) {
        System.arraycopy(buf, start, buf, 0, limit - start);
        limit -= start;
        start = 0;
      }
      if (limit == buf.length) {
        if (buf.length >= MAX_LINE) {
          number++;
          emit(out, 0, limit, number);
          limit = 0;
          continue;
        }
        buf = Arrays.copyOf(buf, buf.length * 2);
      }
      int n = in.read(buf, limit, buf.length - limit);
      if (n < 0) {
        if (limit > start) {
          number++;
          emit(out, start, limit, number);
        }
        return number;
      }
      limit += n;
    }
  }

  private void emit(Lines out, int s, int e, long number) {
    if (e > s && buf[e - 1] == '\r') {
      e--;
    }
    if (e > s) {
      out.line(buf, s, e - s, number);
    }
  }
}
