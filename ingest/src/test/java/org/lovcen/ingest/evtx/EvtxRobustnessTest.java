package org.lovcen.ingest.evtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.core.Problem;
import org.lovcen.ingest.ReadOptions;

/**
 * Truncated and bit-flipped copies of real files (fixed seed): reading never throws anything
 * but the project's own exceptions, always ends quickly, and damage that changes what is read
 * is reported.
 */
class EvtxRobustnessTest {
  private static final long SEED = 0x10C3_E17CL;
  private static final long MAX_MILLIS_PER_READ = 2_000;

  @TempDir
  Path tmp;

  @Test
  void truncatedCopiesAreReadAsFarAsPossible() throws Exception {
    List<byte[]> originals = originals(24);
    Random random = new Random(SEED);
    int reads = 0;
    for (byte[] original : originals) {
      List<String> expected = render(read(write(original), new ArrayList<>()));
      for (int i = 0; i < 60; i++) {
        int cut = i < 8 ? new int[] {0, 1, 7, 8, 127, 4095, 4096, 4096 + 511}[i] : random.nextInt(original.length);
        byte[] copy = java.util.Arrays.copyOf(original, cut);
        List<Problem> problems = new ArrayList<>();
        List<String> got = render(read(write(copy), problems));
        reads++;
        assertThat(got.size()).isLessThanOrEqualTo(expected.size());
        assertThat(expected.subList(0, got.size())).as("records read before the cut are intact").isEqualTo(got);
        if (got.size() < expected.size()) {
          assertThat(problems).as("truncation at %d of %d reported", cut, original.length).isNotEmpty();
        }
      }
    }
    assertThat(reads).isGreaterThanOrEqualTo(1000);
  }

  @Test
  void bitFlippedCopiesNeverCrashAndDamageIsReported() throws Exception {
    List<byte[]> originals = originals(40);
    Random random = new Random(SEED + 1);
    int reads = 0;
    int reported = 0;
    for (byte[] original : originals) {
      List<String> expected = render(read(write(original), new ArrayList<>()));
      for (int i = 0; i < 100; i++) {
        byte[] copy = original.clone();
        mutate(copy, random);
        List<Problem> problems = new ArrayList<>();
        List<String> got = render(read(write(copy), problems));
        reads++;
        if (!problems.isEmpty()) {
          reported++;
        } else {
          assertThat(got).as("unreported damage changed the events (mutation %d)", i).isEqualTo(expected);
        }
      }
    }
    assertThat(reads).isGreaterThanOrEqualTo(2000);
    assertThat(reported).isPositive();
  }

  @Test
  void garbageBehindValidChecksumsNeverCrashes() throws Exception {
    List<byte[]> originals = originals(40);
    Random random = new Random(SEED + 2);
    int reads = 0;
    int problems = 0;
    for (byte[] original : originals) {
      for (int i = 0; i < 100; i++) {
        byte[] copy = original.clone();
        mutate(copy, random);
        fixChecksums(copy);
        List<Problem> found = new ArrayList<>();
        read(write(copy), found);
        reads++;
        problems += found.isEmpty() ? 0 : 1;
      }
    }
    assertThat(reads).isGreaterThanOrEqualTo(4000);
    assertThat(problems).as("binary XML damage found by the decoder itself").isPositive();
  }

  @Test
  void dirtyFileChunksPastTheHeaderCountAreRead() throws Exception {
    List<byte[]> originals = originals(2);
    byte[] a = originals.get(0);
    byte[] b = originals.get(1);
    byte[] two = java.util.Arrays.copyOf(a, a.length + 65536);
    System.arraycopy(b, 4096, two, a.length, 65536);
    two[42] = 1; // the header counts one chunk only
    two[43] = 0;
    two[120] = 1; // dirty
    fixChecksums(two);
    List<Problem> problems = new ArrayList<>();
    List<Event> got = read(write(two), problems);
    int expected = read(write(a), new ArrayList<>()).size() + read(write(b), new ArrayList<>()).size();
    assertThat(problems).isEmpty();
    assertThat(got).hasSize(expected);
  }

  @Test
  void badChunkChecksumIsReportedAndRecordsStillRead() throws Exception {
    byte[] a = originals(1).get(0);
    int expected = read(write(a), new ArrayList<>()).size();
    byte[] bad = a.clone();
    bad[4096 + 124] ^= 1; // chunk header checksum
    List<Problem> problems = new ArrayList<>();
    assertThat(read(write(bad), problems)).hasSize(expected);
    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.position()).startsWith("chunk 0");
      assertThat(p.reason()).contains("checksum");
    });
  }

  @Test
  void manyRecordsReferringToABrokenTemplateFailFast() throws Exception {
    byte[] b = originals(1).get(0);
    byte[] chunk = java.util.Arrays.copyOfRange(b, 4096, 4096 + 65536);
    long records = EvtxBench.densify(chunk, 1) - 1;
    int def = (int) Bytes.u32(chunk, 512 + 28 + 6);
    assertThat(chunk[def + 24]).isEqualTo((byte) 0x0f);
    chunk[def + 24 + 4] = 0x7f; // the template's first element start becomes an unknown token
    fixChecksums(chunk, 0);
    System.arraycopy(chunk, 0, b, 4096, 65536);
    List<Problem> problems = new ArrayList<>();
    assertThat(read(write(b), problems)).isEmpty();
    assertThat(records).isGreaterThan(10);
    assertThat(problems).hasSize((int) records)
        .allSatisfy(p -> assertThat(p.reason()).contains("template"));
  }

  /** Recomputes the file header and chunk checksums, so that only the decoder's own checks remain. */
  static void fixChecksums(byte[] b) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    if (b.length >= 128) {
      crc.update(b, 0, 120);
      putInt(b, 124, (int) crc.getValue());
    }
    for (int c = 4096; c + 65536 <= b.length; c += 65536) {
      fixChecksums(b, c);
    }
  }

  /** Recomputes the checksums of the chunk at {@code c}. */
  static void fixChecksums(byte[] b, int c) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    int free = (b[c + 48] & 0xff) | (b[c + 49] & 0xff) << 8 | (b[c + 50] & 0xff) << 16 | (b[c + 51] & 0xff) << 24;
    if (free >= 512 && free <= 65536) {
      crc.update(b, c + 512, free - 512);
      putInt(b, c + 52, (int) crc.getValue());
    }
    crc.reset();
    crc.update(b, c, 120);
    crc.update(b, c + 128, 512 - 128);
    putInt(b, c + 124, (int) crc.getValue());
  }

  private static void putInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  /** Flips bits, overwrites ranges with noise, or smashes a length field; mostly inside chunk data. */
  static void mutate(byte[] b, Random random) {
    int kind = random.nextInt(4);
    int n = 1 + random.nextInt(kind == 0 ? 3 : 24);
    int base = b.length > 4096 + 512 && random.nextInt(10) > 0 ? 4096 + 512 : 0;
    for (int k = 0; k < n; k++) {
      int at = base + random.nextInt(b.length - base);
      switch (kind) {
        case 0, 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
        case 2 -> b[at] = (byte) random.nextInt(256);
        default -> {
          int v = random.nextBoolean() ? 0xffff : random.nextInt(0x10000);
          b[at] = (byte) v;
          if (at + 1 < b.length) {
            b[at + 1] = (byte) (v >>> 8);
          }
        }
      }
    }
  }

  private List<byte[]> originals(int max) throws Exception {
    Path shared = Shared.dir();
    Assumptions.assumeTrue(shared != null, "shared regression material absent");
    List<Path> files = Shared.evtxFiles(shared);
    List<byte[]> out = new ArrayList<>();
    int step = Math.max(1, files.size() / max);
    for (int i = 0; i < files.size() && out.size() < max; i += step) {
      out.add(Files.readAllBytes(files.get(i)));
    }
    return out;
  }

  private int counter;

  private Path write(byte[] bytes) throws Exception {
    Path p = tmp.resolve("m" + (counter++ % 8) + ".evtx");
    Files.write(p, bytes);
    return p;
  }

  static List<Event> read(Path p, List<Problem> problems) {
    long start = System.nanoTime();
    List<Event> events;
    try {
      events = Shared.readAll(new EvtxEventSource(p, "mutant.evtx", ReadOptions.DEFAULT), problems);
    } catch (LovcenException e) {
      problems.add(new Problem("mutant.evtx", "", e.getMessage()));
      events = List.of();
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(millis).as("read time").isLessThan(MAX_MILLIS_PER_READ);
    return events;
  }

  static List<String> render(List<Event> events) {
    List<String> out = new ArrayList<>();
    for (Event e : events) {
      out.add(e.record() + " " + e.timestamp() + " " + e);
    }
    return out;
  }
}
