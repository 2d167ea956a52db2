package org.lovcen.ingest;

import java.util.List;
import org.lovcen.core.Event;
import org.lovcen.core.EventSink;
import org.lovcen.core.ProblemSink;

/**
 * One input (a file) as independent splits that may be read on different threads: a JSON file
 * is one split, an EVTX file one split per group of chunks.
 */
public interface EventSource {
  /** The input's path as the user gave it; events carry it as their source. */
  String name();

  /** Total bytes, for progress reporting. */
  long size();

  /** The size of a file for {@link #size()}: 0 when it cannot be read (reading then reports why). */
  static long fileSize(java.nio.file.Path path) {
    try {
      return java.nio.file.Files.size(path);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /** The splits, in file order. Opening them may read the file header. */
  List<Split> splits();

  /** A part of an input that one thread reads on its own. */
  interface Split {
    /** Bytes this split covers, for progress reporting. */
    long size();

    /**
     * Reads every event of the split into {@code reuse}, handing each to {@code sink}. Problems
     * (malformed records, truncation) go to {@code problems} and reading continues past them.
     */
    void read(Event reuse, EventSink sink, ProblemSink problems);
  }
}
