package org.lovcen.ingest.evtx;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import org.lovcen.core.Event;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;

/**
 * Reading throughput of the EVTX reader: writes files made of the regression files' chunks into
 * a folder until there are at least {@code MB} megabytes (default 200), then reads them all on
 * one thread and on all threads, and prints MB/s (of file and of record data) and records/s.
 *
 * <pre>java -cp ... org.lovcen.ingest.evtx.EvtxBench [shared-dir] [MB] [work-dir]</pre>
 */
public final class EvtxBench {
  /** Each measurement reads the files this many times, so that it lasts long enough to time. */
  private static final int PASSES = 10;

  private EvtxBench() {}

  public static void main(String[] args) throws Exception {
    Path shared = Path.of(args.length > 0 ? args[0] : "../shared");
    long mb = args.length > 1 ? Long.parseLong(args[1]) : 200;
    Path work = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("evtx-bench");
    List<Path> files = build(shared, mb << 20, work);
    long bytes = 0;
    long recordBytes = 0;
    for (Path f : files) {
      bytes += Files.size(f);
      recordBytes += recordBytes(f);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("files: %d, %.1f MB, record data %.1f MB, cores %d%n", files.size(), bytes / 1e6,
        recordBytes / 1e6, cores);
    for (int round = 0; round < 3; round++) {
      run("warm-up", files, cores, bytes, recordBytes);
    }
    for (int round = 0; round < 3; round++) {
      run("1 thread", files, 1, bytes, recordBytes);
    }
    for (int round = 0; round < 3; round++) {
      run(cores + " threads", files, cores, bytes, recordBytes);
    }
  }

  private static void run(String label, List<Path> files, int threads, long bytes, long recordBytes)
      throws Exception {
    List<EventSource.Split> splits = new ArrayList<>();
    for (Path f : files) {
      splits.addAll(new EvtxEventSource(f, f.toString(), ReadOptions.DEFAULT).splits());
    }
    List<EventSource.Split> once = splits;
    splits = new ArrayList<>();
    for (int pass = 0; pass < PASSES; pass++) {
      splits.addAll(once);
    }
    bytes *= PASSES;
    recordBytes *= PASSES;
    LongAdder records = new LongAdder();
    LongAdder fields = new LongAdder();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      int per = (splits.size() + threads - 1) / threads;
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<EventSource.Split> mine = splits.subList(Math.min(splits.size(), t * per),
            Math.min(splits.size(), (t + 1) * per));
        futures.add(pool.submit(() -> {
          Event reuse = new Event();
          long n = 0;
          long f = 0;
          for (EventSource.Split s : mine) {
            long[] c = {0, 0};
            s.read(reuse, e -> {
              c[0]++;
              c[1] += e.size();
            }, p -> {});
            n += c[0];
            f += c[1];
          }
          records.add(n);
          fields.add(f);
        }));
      }
      for (Future<?> fu : futures) {
        fu.get();
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    if (!label.equals("warm-up")) {
      System.out.printf("%-10s %.2f s  file %.0f MB/s (%.0f MB/s per core)  record data %.1f MB/s (%.1f per core)"
              + "  %.0f records/s (%.0f per core)  %d records %d fields%n",
          label, secs, bytes / 1e6 / secs, bytes / 1e6 / secs / threads, recordBytes / 1e6 / secs,
          recordBytes / 1e6 / secs / threads, records.sum() / secs, records.sum() / secs / threads, records.sum(),
          fields.sum());
    }
  }

  /**
   * Writes copies of one EVTX file made of the chunks of every regression file (a valid file
   * header with the chunk count and checksum) into {@code work} until {@code target} bytes are
   * there. Chunks are self-contained (names and templates are per chunk), so this is a valid log.
   */
  static List<Path> build(Path shared, long target, Path work) throws IOException {
    List<Path> originals = Shared.evtxFiles(shared);
    java.io.ByteArrayOutputStream chunks = new java.io.ByteArrayOutputStream();
    int count = 0;
    for (Path f : originals) {
      byte[] b = Files.readAllBytes(f);
      for (int off = 4096; off + 65536 <= b.length; off += 65536) {
        chunks.write(b, off, 65536);
        count++;
      }
    }
    byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(originals.get(0)), 4096);
    putLong(header, 8, 0);
    putLong(header, 16, count - 1);
    header[42] = (byte) count;
    header[43] = (byte) (count >>> 8);
    header[120] = 0; // clean: not dirty, not full
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(header, 0, 120);
    int c = (int) crc.getValue();
    for (int i = 0; i < 4; i++) {
      header[124 + i] = (byte) (c >>> (8 * i));
    }
    List<Path> out = new ArrayList<>();
    long total = 0;
    for (int copy = 0; total < target; copy++) {
      Path dst = work.resolve("bench-" + copy + ".evtx");
      if (!Files.exists(dst) || Files.size(dst) != 4096 + chunks.size()) {
        try (java.io.OutputStream o = Files.newOutputStream(dst)) {
          o.write(header);
          chunks.writeTo(o);
        }
      }
      out.add(dst);
      total += Files.size(dst);
    }
    return out;
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  /** Bytes of record data (chunk header to free space offset) in a file. */
  static long recordBytes(Path f) throws IOException {
    long sum = 0;
    try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
      byte[] h = new byte[52];
      for (long off = 4096; off + 65536 <= r.length(); off += 65536) {
        r.seek(off);
        r.readFully(h);
        long free = Bytes.u32(h, 48);
        if (free >= 512 && free <= 65536) {
          sum += free - 512;
        }
      }
    }
    return sum;
  }
}
