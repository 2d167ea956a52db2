package org.lovcen.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.lovcen.core.Event;
import org.lovcen.core.EventSink;
import org.lovcen.core.ProblemSink;
import org.lovcen.ingest.EventSource;

/**
 * One access-log file, read line by line into {@link AccessRecord}s (for the web detectors) or
 * {@link Event}s (for Sigma). Malformed lines are reported with file and line and skipped; reading
 * goes on. The site is the line's vhost when the format has one, else taken from the file name
 * ({@code gov.access.log} and {@code gov-access.log.gz} are site {@code gov}). Immutable; each
 * read uses its own buffers, so reads may run on different threads.
 */
public final class AccessLogSource implements EventSource {
  /** Receives each parsed line; the record is reused after the call returns. */
  @FunctionalInterface
  public interface RecordSink {
    void accept(AccessRecord r);
  }

  private final Path path;
  private final String name;
  private final AccessLogFormat format;
  private final String site;
  private final String institution;

  /**
   * @param path the file (gzip when the name ends in {@code .gz})
   * @param name the path as the user gave it; records carry it as their source
   * @param format how lines are written
   * @param institution institution of every line, or null
   */
  public AccessLogSource(Path path, String name, AccessLogFormat format, String institution) {
    this.path = path;
    this.name = name;
    this.format = format;
    this.site = siteOf(path);
    this.institution = institution;
  }

  /** The site named by a file: the name up to {@code .access}, {@code -access}, {@code _access} or the first dot. */
  public static String siteOf(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    for (String sep : new String[] {".access", "-access", "_access"}) {
      int i = n.indexOf(sep);
      if (i > 0) {
        return n.substring(0, i);
      }
    }
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }

  /** The institution given for this file, or null. */
  public String institution() {
    return institution;
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
    return List.of(new LogSplit(this));
  }

  /** The one split of an access log; callers that want records call {@link #source()}. */
  public static final class LogSplit implements Split {
    private final AccessLogSource source;

    LogSplit(AccessLogSource source) {
      this.source = source;
    }

    /** The file this split reads. */
    public AccessLogSource source() {
      return source;
    }

    @Override
    public long size() {
      return source.size();
    }

    @Override
    public void read(Event reuse, EventSink sink, ProblemSink problems) {
      source.readRecords(r -> {
        r.toEvent(reuse, source.institution);
        sink.accept(reuse);
      }, problems);
    }
  }

  /**
   * Reads every line, handing each parsed record to {@code sink}; malformed lines go to
   * {@code problems} with their line number.
   *
   * @return lines read (good and malformed)
   */
  public long readRecords(RecordSink sink, ProblemSink problems) {
    LineParser parser = format.newParser();
    AccessRecord r = new AccessRecord();
    r.source = name;
    try (InputStream raw = Files.newInputStream(path);
        InputStream in = name.endsWith(".gz") || path.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16)
            : raw) {
      return new LineReader(in).forEach((buf, off, len, line) -> {
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
      });
    } catch (IOException e) {
      problems.report(name, "", "cannot read: " + e.getMessage());
      return 0;
    }
  }

  /**
   * Whether the file looks like an access log: its first non-empty line parses as one. JSON lines
   * need a client address, a time and a status to count.
   */
  public static boolean sniff(Path file, AccessLogFormat format) {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      byte[] head = in.readNBytes(16384);
      int s = 0;
      while (s < head.length && (head[s] == '\n' || head[s] == '\r')) {
        s++;
      }
      int e = s;
      while (e < head.length && head[e] != '\n') {
        e++;
      }
      if (e == s || (e == head.length && head.length == 16384)) {
        return false;
      }
      AccessRecord r = new AccessRecord();
      r.clear();
      return format.newParser().parse(head, s, e - s, r) == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
