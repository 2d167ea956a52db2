package org.lovcen.ingest.syslog;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Problem;

/*
 * How and why: RFC 6587 gives syslog over TCP two framings, and senders mix them (rsyslog's
 * octet counting beside a device writing lines), so the framing is decided per frame as rsyslog
 * does: a frame that starts with 1-9 and continues with at most nine digits and a space is
 * octet-counted ("LEN SP MSG"); anything else is non-transparent, ending at LF or NUL, a CR
 * before the LF dropped. Digits not followed by a space (a message without PRI that starts with
 * a date, "2024-01-21T...") are read as a line.
 *
 * Memory is one buffer that grows to at most the largest message plus the length prefix. An
 * octet-counted frame over the limit is reported and exactly LEN bytes are discarded, so the next
 * frame is found where the sender put it; a line over the limit is reported and discarded up to
 * the next LF. Every call consumes input or ends, so garbage cannot loop; the line search
 * remembers where it stopped, so a long line arriving in small reads costs linear time.
 *
 * The InputStream may throw (a read timeout): state is only changed after a successful read, so
 * next() may simply be called again.
 */
/**
 * Cuts syslog messages out of a TCP byte stream (RFC 6587: octet counting and LF/NUL framing,
 * detected per frame). Not thread-safe: one per connection.
 */
public final class SyslogFraming {
  /** What {@link #next()} found. */
  public enum Result {
    /** A message: {@link #buffer()}, {@link #start()}, {@link #length()}. */
    MESSAGE,
    /** An oversized or truncated frame was skipped: {@link #problem()} says which. */
    SKIPPED,
    /** The stream ended. */
    END
  }

  /** Default largest message, in bytes. */
  public static final int DEFAULT_MAX_MESSAGE = 64 * 1024;
  /** Most digits of an octet count. */
  private static final int MAX_DIGITS = 9;
  private static final int INITIAL = 16 * 1024;
  /** Step outcomes: {@link #result} is set; more input was read (look again); not octet-counted. */
  private static final int DONE = 0;
  private static final int AGAIN = 1;
  private static final int AS_LINE = 2;

  private final InputStream in;
  private final String source;
  private final int max;
  private final int capacity;
  private byte[] buf;
  private int pos;
  private int lim;
  /** Stream offset of buf[0]. */
  private long base;
  /** Where the line search stopped: no trailer in [pos, scan). */
  private int scan;
  private long skipOctets;
  private boolean skipLine;
  private boolean eof;

  private int frameStart;
  private int frameLength;
  private long frameOffset;
  private boolean octetCounted;
  private Problem problem;
  private Result result;

  /**
   * @param in the stream (a socket's); reads may throw a timeout and be retried
   * @param source names the problems (e.g. {@code syslog-tcp:192.0.2.7})
   * @param maxMessage largest message in bytes (at least 1)
   */
  public SyslogFraming(InputStream in, String source, int maxMessage) {
    if (maxMessage < 1 || maxMessage > Integer.MAX_VALUE - 64) {
      throw new LovcenException("maxMessage " + maxMessage + " out of range 1.." + (Integer.MAX_VALUE - 64));
    }
    this.in = Objects.requireNonNull(in, "in");
    this.source = source;
    this.max = maxMessage;
    this.capacity = maxMessage + MAX_DIGITS + 2;
    this.buf = new byte[Math.min(INITIAL, capacity)];
  }

  /**
   * Reads up to the next message. Blocks in the stream's read.
   *
   * @return {@link Result#MESSAGE} with the message (valid until the next call),
   *     {@link Result#SKIPPED} with a problem, or {@link Result#END}
   * @throws IOException from the stream; the framing stays usable when the read timed out
   */
  public Result next() throws IOException {
    problem = null;
    while (true) {
      if (skipOctets > 0) {
        if (pos == lim && !fill()) {
          return Result.END;
        }
        int n = (int) Math.min(skipOctets, lim - pos);
        pos += n;
        skipOctets -= n;
        continue;
      }
      if (skipLine) {
        int i = trailer(pos);
        if (i >= 0) {
          pos = i + 1;
          skipLine = false;
        } else {
          pos = lim;
          if (!fill()) {
            return Result.END;
          }
        }
        continue;
      }
      while (pos < lim && (buf[pos] == '\n' || buf[pos] == '\r' || buf[pos] == 0)) {
        pos++;
      }
      if (pos == lim) {
        if (!fill()) {
          return Result.END;
        }
        continue;
      }
      int r = buf[pos] >= '1' && buf[pos] <= '9' ? octets() : AS_LINE;
      if (r == AS_LINE) {
        r = line();
      }
      if (r == DONE) {
        return result;
      }
    }
  }

  private int done(Result r) {
    result = r;
    return DONE;
  }

  /** An octet-counted frame at pos. */
  private int octets() throws IOException {
    int i = pos;
    long len = 0;
    while (i < lim && i - pos < MAX_DIGITS && buf[i] >= '0' && buf[i] <= '9') {
      len = len * 10 + (buf[i++] - '0');
    }
    if (i == lim) {
      if (eof) {
        return AS_LINE;
      }
      fill();
      return AGAIN;
    }
    if (buf[i] != ' ') {
      return AS_LINE;
    }
    int header = i + 1 - pos;
    if (len > max) {
      frameOffset = base + pos;
      problem = new Problem(source, "byte " + frameOffset,
          "frame of " + len + " bytes over the limit of " + max + ", skipped");
      pos = i + 1;
      skipOctets = len;
      return done(Result.SKIPPED);
    }
    if (lim - pos >= header + len) {
      frameStart = i + 1;
      frameLength = (int) len;
      frameOffset = base + pos;
      octetCounted = true;
      pos = frameStart + frameLength;
      scan = pos;
      return done(Result.MESSAGE);
    }
    if (eof) {
      frameOffset = base + pos;
      problem = new Problem(source, "byte " + frameOffset, "stream ended inside a frame of " + len + " bytes ("
          + (lim - pos - header) + " received), dropped");
      pos = lim;
      return done(Result.SKIPPED);
    }
    fill();
    return AGAIN;
  }

  /** A frame ending at LF or NUL at pos. */
  private int line() throws IOException {
    int i = trailer(Math.max(pos, scan));
    if (i >= 0) {
      int e = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
      frameStart = pos;
      frameLength = e - pos;
      frameOffset = base + pos;
      octetCounted = false;
      pos = i + 1;
      scan = pos;
      if (frameLength > max) {
        problem = new Problem(source, "byte " + frameOffset,
            "line of " + frameLength + " bytes over the limit of " + max + ", skipped");
        return done(Result.SKIPPED);
      }
      return done(Result.MESSAGE);
    }
    scan = lim;
    if (lim - pos > max + 1) {
      frameOffset = base + pos;
      problem = new Problem(source, "byte " + frameOffset,
          "line longer than the limit of " + max + " bytes, skipped to the next line break");
      pos = lim;
      skipLine = true;
      return done(Result.SKIPPED);
    }
    if (eof) {
      int e = lim > pos && buf[lim - 1] == '\r' ? lim - 1 : lim;
      frameStart = pos;
      frameLength = e - pos;
      frameOffset = base + pos;
      octetCounted = false;
      pos = lim;
      if (frameLength > max) {
        problem = new Problem(source, "byte " + frameOffset,
            "line of " + frameLength + " bytes over the limit of " + max + ", skipped");
        return done(Result.SKIPPED);
      }
      return frameLength > 0 ? done(Result.MESSAGE) : AGAIN;
    }
    fill();
    return AGAIN;
  }

  /** Index of the first LF or NUL in [from, lim), or -1. */
  private int trailer(int from) {
    for (int i = from; i < lim; i++) {
      if (buf[i] == '\n' || buf[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Reads more input after lim, first moving the unread bytes to the front and growing the
   * buffer (never past the capacity) when it is full. Returns false at end of stream.
   */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      scan = Math.max(0, scan - pos);
      base += pos;
      pos = 0;
    }
    if (lim == buf.length) {
      if (buf.length >= capacity) {
        throw new IllegalStateException("framing buffer full at " + lim + " bytes");
      }
      buf = Arrays.copyOf(buf, (int) Math.min(capacity, buf.length * 2L));
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n < 0) {
      eof = true;
      return false;
    }
    lim += n;
    return true;
  }

  /** The buffer holding the last message; valid until the next call. */
  public byte[] buffer() {
    return buf;
  }

  /** Where the last message starts in {@link #buffer()}. */
  public int start() {
    return frameStart;
  }

  /** The last message's length, without framing (length prefix, trailer and a CR before LF). */
  public int length() {
    return frameLength;
  }

  /** Stream offset of the last frame (message or skipped). */
  public long offset() {
    return frameOffset;
  }

  /** Whether the last message was octet-counted (else LF/NUL-terminated). */
  public boolean octetCounted() {
    return octetCounted;
  }

  /** Why the last frame was skipped; null after a message. */
  public Problem problem() {
    return problem;
  }

  /** Total bytes read from the stream so far. */
  public long bytesRead() {
    return base + lim;
  }
}
