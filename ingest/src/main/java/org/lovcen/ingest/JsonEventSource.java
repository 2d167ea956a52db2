package org.lovcen.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.lovcen.core.Event;
import org.lovcen.core.EventSink;
import org.lovcen.core.ProblemSink;

/*
 * How and why: JSON event logs come as JSON lines, as one array, or as pretty-printed objects
 * concatenated (evtx_dump's default). One scanner handles all three: it walks the bytes keeping
 * track of strings, escapes and brace depth, and cuts out each top-level object; '[' ']' ','
 * between objects are ignored. Each object is then parsed on its own, so one malformed record
 * is reported with its line and skipped without losing the next. In a file whose first object
 * fits on one line (JSON lines), a line break inside an unfinished object ends that record as
 * malformed; elsewhere a line break inside a string does. Memory is bounded by the largest
 * single record (capped), whatever the file size.
 */
/** Reads a JSON event file (plain or gzip) as one split. Thread-safe: splits share nothing. */
final class JsonEventSource implements EventSource {
  /** Largest single record accepted. */
  static final int MAX_RECORD = 16 << 20;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
      .build();

  private final Path path;
  private final String name;
  private final ReadOptions options;

  JsonEventSource(Path path, String name, ReadOptions options) {
    this.path = path;
    this.name = name;
    this.options = options;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return EventSource.fileSize(path);
  }

  @Override
  public List<Split> splits() {
    long size = size();
    return List.of(new Split() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void read(Event reuse, EventSink sink, ProblemSink problems) {
        try (InputStream in = open(path)) {
          new Scanner(in, reuse, sink, problems).run();
        } catch (IOException e) {
          problems.report(name, "", "cannot read: " + e.getMessage());
        }
      }
    });
  }

  /** Reads a stream (plain or gzip) the same way as a file named {@code name}. */
  static void read(InputStream stream, String name, ReadOptions options, Event reuse, EventSink sink,
      ProblemSink problems) throws IOException {
    JsonEventSource source = new JsonEventSource(null, name, options);
    source.new Scanner(gunzipping(new BufferedInputStream(stream, 1 << 16)), reuse, sink, problems).run();
  }

  static InputStream open(Path path) throws IOException {
    return gunzipping(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
  }

  private static InputStream gunzipping(InputStream in) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
  }

  /** Cuts top-level objects out of the byte stream and parses each. */
  private final class Scanner {
    private final InputStream in;
    private final Event event;
    private final EventSink sink;
    private final ProblemSink problems;
    private final JsonFlattener flattener = new JsonFlattener(options);
    private byte[] buf = new byte[1 << 20];
    private int len;
    private long line = 1;
    private Boolean lineMode;
    /** Discarding the rest of a bad record, up to the next line that opens an object. */
    private boolean skipping;

    Scanner(InputStream in, Event event, EventSink sink, ProblemSink problems) {
      String lower = name.toLowerCase(java.util.Locale.ROOT);
      if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson") || lower.endsWith(".jsonl.gz")
          || lower.endsWith(".ndjson.gz")) {
        lineMode = Boolean.TRUE;
      }
      this.in = in;
      this.event = event;
      this.sink = sink;
      this.problems = problems;
    }

    void run() throws IOException {
      event.source(name);
      boolean eof = fill();
      // A UTF-8 byte order mark (as PowerShell writes) is not part of the first record.
      int pos = len >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF ? 3 : 0;
      while (true) {
        if (pos == len) {
          flush();
          if (eof) {
            return;
          }
          len = 0;
          pos = 0;
          eof = fill();
          continue;
        }
        if (skipping) {
          pos = skipRest(pos);
          if (skipping) { // the last byte may be a line break before '{': keep it, read more
            if (eof) {
              flush();
              return;
            }
            compact(pos);
            pos = 0;
            eof = fill();
          }
          continue;
        }
        byte b = buf[pos];
        if (b == '{') {
          int end = scanObject(pos);
          if (end < 0) { // object incomplete in buffer: compact and read more
            if (eof) {
              pos = unterminated(pos);
              continue;
            }
            compact(pos);
            pos = 0;
            eof = fill();
            continue;
          }
          pos = end;
        } else if (b == '\n') {
          line++;
          pos++;
        } else if (b == ' ' || b == '\t' || b == '\r' || b == ',' || b == '[' || b == ']') {
          pos++;
        } else {
          int nl = indexOf('\n', pos);
          if (nl < 0 && !eof && len - pos < MAX_RECORD) {
            compact(pos);
            pos = 0;
            eof = fill();
            continue;
          }
          int end = nl < 0 ? len : nl;
          problems.report(name, "line " + line, "not a JSON object: '" + preview(pos, end) + "'");
          pos = end;
        }
      }
    }

    /**
     * A record that never closes before the end of the input: reported, and reading resumes on
     * the next line, so that a damaged first record cannot hide the rest of the file.
     */
    private int unterminated(int start) {
      int nl = indexOf('\n', start);
      problems.report(name, "line " + line, (nl < 0 ? "truncated record at end of file: '"
          : "unterminated record: '") + preview(start, nl < 0 ? len : nl) + "'");
      if (nl < 0) {
        return len;
      }
      lineMode = Boolean.TRUE;
      return nl;
    }

    private int indexOf(int c, int from) {
      for (int i = from; i < len; i++) {
        if (buf[i] == c) {
          return i;
        }
      }
      return -1;
    }

    /**
     * Finds the end of the object starting at {@code start}. Returns the index after it, or -1
     * when the buffer ends first. Malformed records are reported and skipped here.
     */
    private int scanObject(int start) throws IOException {
      int depth = 0;
      boolean inString = false;
      long lines = 0;
      for (int i = start; i < len; i++) {
        byte b = buf[i];
        if (inString) {
          if (b == '\\') {
            if (i + 1 < len && buf[i + 1] == '\n') { // a raw line break is never valid in a string
              return malformed(start, i + 1, "line break inside a string");
            }
            i++;
          } else if (b == '"') {
            inString = false;
          } else if (b == '\n') {
            return malformed(start, i, "line break inside a string");
          }
        } else if (b == '"') {
          inString = true;
        } else if (b == '{' || b == '[') {
          depth++;
        } else if (b == '}' || b == ']') {
          if (--depth == 0) {
            if (lineMode == null) {
              lineMode = lines == 0;
            }
            enqueue(start, i + 1);
            line += lines;
            return i + 1;
          }
        } else if (b == '\n') {
          if (Boolean.TRUE.equals(lineMode)) {
            return malformed(start, i, "record does not end on its line");
          }
          lines++;
        }
      }
      if (len - start > MAX_RECORD) {
        problems.report(name, "line " + line, "record larger than " + MAX_RECORD + " bytes, skipped");
        return skipToLineStartingObject(start);
      }
      return -1;
    }

    private int malformed(int start, int nl, String reason) {
      problems.report(name, "line " + line, "malformed JSON: " + reason + ": '" + preview(start, nl) + "'");
      for (int i = start; i < nl; i++) {
        if (buf[i] == '\n') {
          line++;
        }
      }
      // JSON lines: the next line is the next record. Pretty-printed: resume at the next line
      // that opens an object in its first column.
      return Boolean.TRUE.equals(lineMode) ? nl : skipToLineStartingObject(nl - 1);
    }

    /**
     * Discards from {@code start + 1} to the next line that opens an object, reading on past the
     * buffer when needed: the rest of a bad record must not be read as records of its own.
     */
    private int skipToLineStartingObject(int start) {
      skipping = true;
      return Math.min(start + 1, len);
    }

    /**
     * Skips to the next line opening an object in the buffer, ending {@link #skipping} there;
     * otherwise returns the index of the buffer's last byte, still skipping.
     */
    private int skipRest(int pos) {
      for (int i = pos; i < len - 1; i++) {
        if (buf[i] == '\n') {
          line++;
          if (buf[i + 1] == '{') {
            skipping = false;
            return i + 1;
          }
        }
      }
      return Math.max(pos, len - 1);
    }

    /*
     * Records separated only by white space are parsed in runs with one parser: creating a
     * Jackson parser (and its symbol table) per record costs about a tenth of the reading time.
     * A run that hits malformed JSON is finished record by record, so errors are reported exactly
     * as for a single record. Buffer positions stay valid until the buffer is compacted or
     * refilled from the start; both flush the run first.
     */
    private static final int RUN = 256;
    private final int[] runFrom = new int[RUN];
    private final int[] runTo = new int[RUN];
    private final long[] runLine = new long[RUN];
    private int runCount;

    private void enqueue(int from, int to) throws IOException {
      if (runCount > 0 && (runCount == RUN || !blank(runTo[runCount - 1], from))) {
        flush();
      }
      runFrom[runCount] = from;
      runTo[runCount] = to;
      runLine[runCount] = line;
      runCount++;
    }

    private boolean blank(int from, int to) {
      for (int i = from; i < to; i++) {
        byte b = buf[i];
        if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
          return false;
        }
      }
      return true;
    }

    private void flush() throws IOException {
      int n = runCount;
      runCount = 0;
      if (n == 1) {
        parse(runFrom[0], runTo[0], runLine[0]);
        return;
      }
      int done = 0;
      if (n > 1) {
        try (JsonParser p = FACTORY.createParser(buf, runFrom[0], runTo[n - 1] - runFrom[0])) {
          for (; done < n; done++) {
            event.clear();
            event.source(name);
            event.record(runLine[done]);
            if (p.nextToken() != JsonToken.START_OBJECT) {
              break;
            }
            flattener.flatten(p, event);
            sink.accept(event);
          }
        } catch (IOException e) {
          // finished one by one below, which reports the problem with its line
        }
      }
      for (int i = done; i < n; i++) {
        parse(runFrom[i], runTo[i], runLine[i]);
      }
    }

    private void parse(int from, int to, long line) throws IOException {
      event.clear();
      event.source(name);
      event.record(line);
      try (JsonParser p = FACTORY.createParser(buf, from, to - from)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          throw new IOException("expected an object");
        }
        flattener.flatten(p, event);
        if (p.nextToken() != null) {
          throw new IOException("trailing content after the object");
        }
      } catch (JsonProcessingException e) {
        int at = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
        problems.report(name, "line " + (line + at - 1), "malformed JSON: " + e.getOriginalMessage());
        return;
      } catch (IOException e) {
        problems.report(name, "line " + line, "malformed JSON: " + e.getMessage());
        return;
      }
      sink.accept(event);
    }

    private String preview(int from, int to) {
      int end = Math.min(to, from + 60);
      String s = new String(buf, from, Math.max(0, end - from), java.nio.charset.StandardCharsets.UTF_8);
      return end < to ? s + "..." : s;
    }

    private void compact(int from) throws IOException {
      flush();
      System.arraycopy(buf, from, buf, 0, len - from);
      len -= from;
      if (len == buf.length) {
        buf = Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_RECORD + (1 << 20)));
      }
    }

    /** Reads more bytes after {@code len}; returns true at end of input. */
    private boolean fill() throws IOException {
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) {
        return true;
      }
      len += n;
      return false;
    }
  }
}
