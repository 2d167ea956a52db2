package org.lovcen.ingest.evtx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.lovcen.core.Event;
import org.lovcen.core.EventSink;
import org.lovcen.core.InputException;
import org.lovcen.core.ProblemSink;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;

/**
 * Reads a Windows XML Event Log (EVTX) file natively, giving the same events as the JSON reader
 * gives for the file's evtx_dump rendering ({@code record} is the EventRecordID).
 *
 * <p>Each split is a group of consecutive 64 KiB chunks, read with positional reads: splits may
 * be read in parallel, the file is never loaded whole and memory per reading thread is bounded
 * (about 1 MiB) whatever the file size. Damage (bad checksums, truncation, garbage inside
 * records) is reported to the {@link ProblemSink} and everything still readable is read.
 *
 * <p>Thread-safe: splits share nothing mutable; each {@link Split#read} call uses its own
 * buffers.
 */
public final class EvtxEventSource implements EventSource {
  static final int FILE_HEADER_SIZE = 4096;
  static final int CHUNKS_PER_SPLIT = 16;
  private static final byte[] SIGNATURE = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};

  private final Path path;
  private final String name;
  private final ReadOptions options;

  /**
   * @param path the file
   * @param name the path as the user gave it; events carry it as their source
   * @param options how events are tagged
   */
  public EvtxEventSource(Path path, String name, ReadOptions options) {
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

  /**
   * The splits, in file order. Reads the file header.
   *
   * @throws InputException when the file cannot be opened
   */
  @Override
  public List<Split> splits() {
    long size;
    byte[] header = new byte[FILE_HEADER_SIZE];
    int headerBytes;
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      size = ch.size();
      ByteBuffer buf = ByteBuffer.wrap(header);
      while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
        // fill
      }
      headerBytes = buf.position();
    } catch (IOException e) {
      throw new InputException(name, "", "cannot read: " + e.getMessage());
    }
    String headerProblem = headerProblem(header, headerBytes);
    long counted = headerProblem == null ? Bytes.u16(header, 42) : 0;
    long chunks = size <= FILE_HEADER_SIZE ? 0 : (size - FILE_HEADER_SIZE + Chunk.SIZE - 1) / Chunk.SIZE;
    if (headerProblem == null && counted > chunks) {
      headerProblem = "file truncated: the header counts " + counted + " chunks, " + chunks + " are present";
    }
    List<Split> out = new ArrayList<>();
    for (long first = 0; first < chunks || first == 0; first += CHUNKS_PER_SPLIT) {
      long last = Math.min(chunks, first + CHUNKS_PER_SPLIT);
      out.add(new ChunkSplit(first, last, counted, first == 0 ? headerProblem : null));
    }
    return out;
  }

  /** What is wrong with the file header, or null. */
  static String headerProblem(byte[] h, int n) {
    if (n < 128) {
      return "truncated file header (" + n + " bytes)";
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (h[i] != SIGNATURE[i]) {
        return "bad file signature; scanning for chunks";
      }
    }
    CRC32 crc = new CRC32();
    crc.update(h, 0, 120);
    if ((int) crc.getValue() != Bytes.i32(h, 124)) {
      return "file header checksum mismatch; scanning for chunks";
    }
    return null;
  }

  /** Chunks {@code [first, last)}. */
  private final class ChunkSplit implements Split {
    private final long first;
    private final long last;
    private final long counted;
    private final String headerProblem;

    ChunkSplit(long first, long last, long counted, String headerProblem) {
      this.first = first;
      this.last = last;
      this.counted = counted;
      this.headerProblem = headerProblem;
    }

    @Override
    public long size() {
      return (last - first) * Chunk.SIZE + (first == 0 ? FILE_HEADER_SIZE : 0);
    }

    @Override
    public void read(Event reuse, EventSink sink, ProblemSink problems) {
      if (headerProblem != null) {
        problems.report(name, "byte 0", headerProblem);
      }
      if (first >= last) {
        return;
      }
      ChunkReader reader = ChunkReader.forThread(name, options);
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
        for (long c = first; c < last; c++) {
          reader.read(ch, c, c < counted, reuse, sink, problems);
        }
      } catch (IOException e) {
        problems.report(name, "", "cannot read: " + e.getMessage());
      }
    }
  }
}
