package org.lovcen.web;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;
import org.lovcen.core.ProblemSink;

/*
 * How and why: `tail -F` for one access log. Each poll reads what was appended since the last
 * one and hands every complete line to the parser; an incomplete last line is kept until its
 * newline arrives. A file that shrinks (truncated) or is replaced (rotated: another file key) is
 * read again from its start; a file that does not exist yet is waited for.
 */
/** Follows one growing access-log file. Not thread-safe. */
public final class AccessLogTail implements AutoCloseable {
  private final Path path;
  private final String name;
  private final String site;
  private final LineParser parser;
  private final AccessRecord record = new AccessRecord();
  private final ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
  private boolean fromEnd;
  private FileChannel channel;
  private Object fileKey;
  private long position;
  private byte[] carry = new byte[1 << 12];
  private int carried;
  private long line;

  /**
   * @param path the file (plain text)
   * @param name the path as the user gave it; records carry it as their source
   * @param format how lines are written
   * @param fromEnd start at the current end of the file (only new lines), else at its start
   */
  public AccessLogTail(Path path, String name, AccessLogFormat format, boolean fromEnd) {
    this.path = path;
    this.name = name;
    this.site = AccessLogSource.siteOf(path);
    this.parser = format.newParser();
    this.fromEnd = fromEnd;
    record.source = name;
  }

  /** The file as given. */
  public String name() {
    return name;
  }

  /**
   * Opens the file when it exists, fixing where reading starts (its current end when following
   * from the end), without reading. Polling opens it too; this lets a caller fix the start first.
   */
  public void start() throws IOException {
    open();
  }

  /**
   * Reads every complete line appended since the last call and hands each parsed record to
   * {@code sink} (the record is reused); malformed lines go to {@code problems}.
   *
   * @return lines read in this call
   */
  public long poll(AccessLogSource.RecordSink sink, ProblemSink problems) throws IOException {
    if (!open()) {
      return 0;
    }
    long size = channel.size();
    if (size < position) { // truncated: start again
      position = 0;
      carried = 0;
      line = 0;
    }
    long n = 0;
    while (position < size) {
      chunk.clear();
      int got = channel.read(chunk, position);
      if (got <= 0) {
        break;
      }
      position += got;
      n += lines(chunk.array(), got, sink, problems);
    }
    return n;
  }

  private boolean open() throws IOException {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      return channel != null; // removed during rotation: finish the old file until the new one appears
    }
    Object key = attrs.fileKey();
    if (channel != null && (key == null || Objects.equals(key, fileKey))) {
      return true;
    }
    if (channel != null) { // rotated: the old file is done, read the new one from its start
      channel.close();
      fromEnd = false;
      carried = 0;
      line = 0;
    }
    channel = FileChannel.open(path, StandardOpenOption.READ);
    fileKey = key;
    position = fromEnd ? channel.size() : 0;
    fromEnd = false;
    return true;
  }

  private long lines(byte[] buf, int len, AccessLogSource.RecordSink sink, ProblemSink problems) {
    long n = 0;
    int start = 0;
    for (int i = 0; i < len; i++) {
      if (buf[i] != '\n') {
        continue;
      }
      if (carried > 0) {
        append(buf, start, i - start);
        one(carry, 0, carried, sink, problems);
        carried = 0;
      } else {
        one(buf, start, i - start, sink, problems);
      }
      n++;
      start = i + 1;
    }
    if (start < len) {
      append(buf, start, len - start);
    }
    return n;
  }

  private void append(byte[] buf, int off, int len) {
    if (carried + len > LineReader.MAX_LINE) {
      len = Math.max(0, LineReader.MAX_LINE - carried);
    }
    if (carried + len > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carried + len));
    }
    System.arraycopy(buf, off, carry, carried, len);
    carried += len;
  }

  private void one(byte[] buf, int off, int len, AccessLogSource.RecordSink sink, ProblemSink problems) {
    line++;
    if (len > 0 && buf[off + len - 1] == '\r') {
      len--;
    }
    if (len == 0) {
      return;
    }
    AccessRecord r = record;
    r.clear();
    r.line = line;
    String bad = parser.parse(buf, off, len, r);
    if (bad != null) {
      problems.report(name, "line " + line, bad);
      return;
    }
    if (r.site == null) {
      r.site = site;
    }
    sink.accept(r);
  }

  @Override
  public void close() throws IOException {
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }
}
