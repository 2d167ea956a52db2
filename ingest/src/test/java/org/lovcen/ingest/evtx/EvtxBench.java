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
 * <p>With {@code dense}, each chunk is instead filled up with template instances of its own
 * records (each copy refers to the chunk's template definition instead of repeating it), as
 * real logs are: about 64 KiB of records per chunk sharing a few templates.
 *
 * <pre>java -cp ... org.lovcen.ingest.evtx.EvtxBench [shared-dir] [MB] [work-dir] [dense]</pre>
 */
public final class EvtxBench {
  /** Each measurement reads the files this many times, so that it lasts long enough to time. */
  private static final int PASSES = 10;

  private EvtxBench() {}

  public static void main(String[] args) throws Exception {
    Path shared = Path.of(args.length > 0 ? args[0] : "../shared");
    long mb = args.length > 1 ? Long.parseLong(args[1]) : 200;
    Path work = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("evtx-bench");
    boolean dense = args.length > 3 && args[3].equals("dense");
    List<Path> files = dense ? buildDense(shared, mb << 20, work) : build(shared, mb << 20, work);
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

  /** Like {@link #build} but with every chunk filled with copies of its records' instances. */
  static List<Path> buildDense(Path shared, long target, Path work) throws IOException {
    List<Path> originals = Shared.evtxFiles(shared);
    java.io.ByteArrayOutputStream chunks = new java.io.ByteArrayOutputStream();
    int count = 0;
    long id = 1;
    for (Path f : originals) {
      byte[] b = Files.readAllBytes(f);
      for (int off = 4096; off + 65536 <= b.length; off += 65536) {
        byte[] c = java.util.Arrays.copyOfRange(b, off, off + 65536);
        long next = densify(c, id);
        if (next > id) {
          id = next;
          chunks.write(c);
          count++;
        }
      }
    }
    byte[] header = fileHeader(Files.readAllBytes(originals.get(0)), count);
    List<Path> out = new ArrayList<>();
    long total = 0;
    for (int copy = 0; total < target; copy++) {
      Path dst = work.resolve("dense-" + copy + ".evtx");
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

  private static byte[] fileHeader(byte[] first, int count) {
    byte[] header = java.util.Arrays.copyOf(first, 4096);
    putLong(header, 8, 0);
    putLong(header, 16, count - 1);
    header[42] = (byte) count;
    header[43] = (byte) (count >>> 8);
    header[120] = 0;
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(header, 0, 120);
    putInt(header, 124, (int) crc.getValue());
    return header;
  }

  /**
   * Appends, after the chunk's records, copies of them as bare template instances referring to
   * the definitions already in the chunk, until the chunk is full; fixes the header and
   * checksums. Records whose instance is not a plain fragment + template instance are left
   * alone. Returns the next record identifier, or {@code id} when the chunk was not usable.
   */
  static long densify(byte[] c, long id) {
    int free = (int) Bytes.u32(c, 48);
    List<byte[]> instances = new ArrayList<>();
    for (int p = 512; p + 28 <= free; ) {
      int size = (int) Bytes.u32(c, p + 4);
      if (Bytes.i32(c, p) != 0x2a2a || size < 28 || p + size > free) {
        break;
      }
      if (c[p + 24] == 0x0f) {
        java.io.ByteArrayOutputStream r = new java.io.ByteArrayOutputStream();
        r.write(c, p, 24);
        byte[] doc = document(c, p + 24, p + size - 4);
        if (doc != null) {
          r.write(doc, 0, doc.length);
          instances.add(r.toByteArray());
        }
      }
      p += size;
    }
    if (instances.isEmpty()) {
      return id;
    }
    int p = 512;
    long first = id;
    long last = id;
    int lastOffset = p;
    // renumber the original records, then append copies while they fit
    for (int q = 512; q + 28 <= free; ) {
      int size = (int) Bytes.u32(c, q + 4);
      if (Bytes.i32(c, q) != 0x2a2a || size < 28 || q + size > free) {
        break;
      }
      putLong(c, q + 8, id);
      last = id++;
      lastOffset = q;
      q += size;
      p = q;
    }
    for (int k = 0; ; k++) {
      byte[] inst = instances.get(k % instances.size());
      int size = inst.length + 4 + ((8 - (inst.length + 4) % 8) % 8);
      if (p + size > 65536) {
        break;
      }
      System.arraycopy(inst, 0, c, p, inst.length);
      java.util.Arrays.fill(c, p + inst.length, p + size, (byte) 0);
      putInt(c, p + 4, size);
      putInt(c, p + size - 4, size);
      putLong(c, p + 8, id);
      last = id++;
      lastOffset = p;
      p += size;
    }
    java.util.Arrays.fill(c, p, 65536, (byte) 0);
    putLong(c, 8, first);
    putLong(c, 16, last);
    putLong(c, 24, first);
    putLong(c, 32, last);
    putInt(c, 44, lastOffset);
    putInt(c, 48, p);
    EvtxRobustnessTest.fixChecksums(c, 0);
    return id;
  }

  /**
   * A binary XML document (fragment header, template instance, end) rewritten so that its
   * template instances, nested ones included, refer to their definitions instead of carrying
   * them inline; null when the document has another shape.
   */
  private static byte[] document(byte[] c, int from, int to) {
    if (to - from < 4 + 10 + 4 || c[from] != 0x0f || c[from + 4] != 0x0c) {
      return null;
    }
    int t = from + 4;
    long def = Bytes.u32(c, t + 6);
    int q = def == t + 10 ? (int) (t + 10 + 24 + Bytes.u32(c, t + 10 + 20)) : t + 10;
    if (q + 4 > to) {
      return null;
    }
    int count = Bytes.i32(c, q);
    if (count < 0 || q + 4 + 4L * count > to) {
      return null;
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(c, from, 4 + 6);
    byte[] w = new byte[4];
    putInt(w, 0, (int) def);
    out.write(w, 0, 4);
    putInt(w, 0, count);
    out.write(w, 0, 4);
    java.io.ByteArrayOutputStream values = new java.io.ByteArrayOutputStream();
    int v = q + 4 + 4 * count;
    for (int i = 0; i < count; i++) {
      int d = q + 4 + 4 * i;
      int size = Bytes.u16(c, d);
      int type = c[d + 2] & 0xff;
      if (v + size > to) {
        return null;
      }
      byte[] value = java.util.Arrays.copyOfRange(c, v, v + size);
      if (type == 0x21 && size > 0) {
        value = document(c, v, v + size);
        if (value == null) {
          return null;
        }
      }
      w[0] = (byte) value.length;
      w[1] = (byte) (value.length >>> 8);
      w[2] = (byte) type;
      w[3] = c[d + 3];
      out.write(w, 0, 4);
      values.write(value, 0, value.length);
      v += size;
    }
    out.write(values.toByteArray(), 0, values.size());
    out.write(c, v, to - v); // the end-of-document token
    return out.toByteArray();
  }

  private static void putInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
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
