package org.lovcen.ingest.evtx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.lovcen.core.Event;
import org.lovcen.core.EventSink;
import org.lovcen.core.LovcenException;
import org.lovcen.core.ProblemSink;
import org.lovcen.ingest.ReadOptions;

/*
 * How and why: reads chunks with positional reads into one reused 64 KiB buffer and walks their
 * records. What is trusted and what is checked:
 *
 *  - a chunk is read when its signature is valid, whether or not the file header counts it
 *    (files not closed cleanly have more chunks than their header says);
 *  - a chunk header or record-data checksum mismatch is reported once per chunk, and the
 *    chunk's records are still read: each record is checked on its own (signature, size within
 *    the chunk, trailing copy of the size, well-formed binary XML), and only records that pass
 *    become events;
 *  - garbage between records is reported and skipped by scanning for the next record header;
 *  - a record whose binary XML is malformed is reported with its chunk, record identifier and
 *    byte offset, and skipped.
 *
 * Every loop advances through a bounded buffer, so reading always terminates.
 */
/** Reads the records of chunks into events. One per reading thread; not thread-safe. */
final class ChunkReader {
  static final int RECORD_HEADER = 24;
  static final int MAX_FIELDS = 1 << 16;

  /** Each thread keeps its reader (about 1 MiB of buffers and caches) for the files it reads. */
  private static final ThreadLocal<ChunkReader> PER_THREAD = ThreadLocal.withInitial(ChunkReader::new);

  private String file;
  private final Chunk chunk = new Chunk();
  private final EventWriter writer = new EventWriter();
  private final BinXml binXml = new BinXml(writer);
  private final ByteBuffer buffer = ByteBuffer.wrap(chunk.data);

  private ChunkReader() {}

  /** This thread's reader, set up for {@code file}. */
  static ChunkReader forThread(String file, ReadOptions options) {
    ChunkReader r = PER_THREAD.get();
    r.file = file;
    r.writer.use(file, options);
    r.binXml.use(file);
    return r;
  }

  /**
   * Reads chunk {@code number}; {@code counted} tells whether the file header counts it (an
   * unreadable counted chunk is a problem, an uncounted one is unused space).
   */
  void read(FileChannel ch, long number, boolean counted, Event reuse, EventSink sink, ProblemSink problems)
      throws IOException {
    long offset = EvtxEventSource.FILE_HEADER_SIZE + number * Chunk.SIZE;
    int n = fill(ch, offset);
    chunk.reset(number, offset, n);
    String where = "chunk " + number;
    if (!chunk.signatureValid()) {
      if (counted && !chunk.empty()) {
        problems.report(file, where + " @ byte " + offset, n < Chunk.HEADER_SIZE
            ? "truncated chunk header (" + n + " bytes)" : "bad chunk signature, chunk skipped");
      }
      return;
    }
    if (n < Chunk.SIZE) {
      problems.report(file, where + " @ byte " + offset, "truncated chunk: " + n + " of " + Chunk.SIZE
          + " bytes present, reading the records that are complete");
    }
    int end = recordsEnd();
    if (!chunk.headerChecksumValid()) {
      problems.report(file, where + " @ byte " + offset,
          "chunk header checksum mismatch; reading the records that pass their own checks");
    } else if (n == Chunk.SIZE && !chunk.recordsChecksumValid(end)) {
      problems.report(file, where + " @ byte " + offset,
          "record data checksum mismatch; reading the records that pass their own checks");
    }
    records(end, reuse, sink, problems);
  }

  private int fill(FileChannel ch, long offset) throws IOException {
    buffer.clear();
    while (buffer.hasRemaining()) {
      int r = ch.read(buffer, offset + buffer.position());
      if (r < 0) {
        break;
      }
    }
    return buffer.position();
  }

  /** End of the record area: the free space offset when it is sane, else the valid bytes. */
  private int recordsEnd() {
    long free = chunk.freeSpaceOffset();
    return free >= Chunk.HEADER_SIZE && free <= chunk.length ? (int) free : chunk.length;
  }

  private void records(int end, Event reuse, EventSink sink, ProblemSink problems) {
    byte[] b = chunk.data;
    int p = Chunk.HEADER_SIZE;
    while (p + RECORD_HEADER + 4 <= end) {
      int size = recordSize(p, end);
      if (size < 0) {
        int next = resync(p + 1, end);
        if (next < 0 && zeros(p, end)) {
          return;
        }
        problems.report(file, position(p), next < 0
            ? "no valid record in the remaining " + (end - p) + " bytes of the chunk, skipped"
            : "garbage of " + (next - p) + " bytes instead of a record, skipped");
        if (next < 0) {
          return;
        }
        p = next;
        continue;
      }
      long id = Bytes.i64(b, p + 8);
      decode(p, size, id, reuse, sink, problems);
      p += size;
    }
  }

  private void decode(int p, int size, long id, Event reuse, EventSink sink, ProblemSink problems) {
    reuse.clear();
    reuse.source(file);
    reuse.record(id);
    writer.begin(reuse, MAX_FIELDS);
    try {
      binXml.record(chunk, p + RECORD_HEADER, p + size - 4);
    } catch (EvtxFormatException e) {
      problems.report(file, "chunk " + chunk.number + " record " + id + " @ byte " + e.offset(),
          e.reason() + "; record skipped");
      return;
    } catch (LovcenException e) {
      problems.report(file, "chunk " + chunk.number + " record " + id, e.getMessage() + "; record skipped");
      return;
    }
    writer.end();
    sink.accept(reuse);
  }

  /** The size of a valid record header at {@code p}, or -1. */
  private int recordSize(int p, int end) {
    byte[] b = chunk.data;
    if (b[p] != 0x2a || b[p + 1] != 0x2a || b[p + 2] != 0 || b[p + 3] != 0) {
      return -1;
    }
    long size = Bytes.u32(b, p + 4);
    if (size < RECORD_HEADER + 4 + 1 || p + size > end || Bytes.u32(b, (int) (p + size - 4)) != size) {
      return -1;
    }
    return (int) size;
  }

  private int resync(int from, int end) {
    for (int p = from; p + RECORD_HEADER + 4 <= end; p++) {
      if (chunk.data[p] == 0x2a && recordSize(p, end) > 0) {
        return p;
      }
    }
    return -1;
  }

  private boolean zeros(int from, int end) {
    for (int i = from; i < end; i++) {
      if (chunk.data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private String position(int p) {
    return "chunk " + chunk.number + " @ byte " + (chunk.fileOffset + p);
  }
}
