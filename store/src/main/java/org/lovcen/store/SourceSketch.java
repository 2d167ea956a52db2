package org.lovcen.store;

/*
 * How and why: a HyperLogLog of 256 one-byte registers (standard error about 6.5%), with the
 * linear-counting estimate for small counts, where HyperLogLog is biased. Two sketches merge by
 * taking the larger register, so a minute written in several batches, or minutes summed into an
 * hour, count each address once. Stored as 512 hex characters.
 */
/** Approximate count of distinct client addresses. Not thread-safe. */
public final class SourceSketch {
  private static final int P = 8;
  private static final int M = 1 << P;
  private final byte[] registers;

  public SourceSketch() {
    this.registers = new byte[M];
  }

  private SourceSketch(byte[] registers) {
    this.registers = registers;
  }

  /** Counts an address. */
  public void add(String address) {
    long h = mix(address);
    int idx = (int) (h >>> (64 - P));
    int rank = Long.numberOfLeadingZeros((h << P) | (1L << (P - 1))) + 1;
    if (rank > registers[idx]) {
      registers[idx] = (byte) rank;
    }
  }

  /** Adds every address counted by {@code o}. */
  public void merge(SourceSketch o) {
    for (int i = 0; i < M; i++) {
      if (o.registers[i] > registers[i]) {
        registers[i] = o.registers[i];
      }
    }
  }

  public SourceSketch copy() {
    return new SourceSketch(registers.clone());
  }

  /** The estimated number of distinct addresses. */
  public int estimate() {
    double sum = 0;
    int zeros = 0;
    for (byte r : registers) {
      sum += 1.0 / (1L << r);
      zeros += r == 0 ? 1 : 0;
    }
    double alpha = 0.7213 / (1 + 1.079 / M);
    double e = alpha * M * M / sum;
    if (e <= 2.5 * M && zeros > 0) {
      e = M * Math.log((double) M / zeros);
    }
    return (int) Math.round(e);
  }

  /** The registers as hex text. */
  public String text() {
    StringBuilder b = new StringBuilder(2 * M);
    for (byte r : registers) {
      b.append(Character.forDigit((r >> 4) & 0xf, 16)).append(Character.forDigit(r & 0xf, 16));
    }
    return b.toString();
  }

  /** A sketch from {@link #text}; an empty one for text of the wrong shape. */
  public static SourceSketch parse(String text) {
    byte[] r = new byte[M];
    if (text != null && text.length() == 2 * M) {
      for (int i = 0; i < M; i++) {
        int hi = Character.digit(text.charAt(2 * i), 16);
        int lo = Character.digit(text.charAt(2 * i + 1), 16);
        r[i] = (byte) (hi < 0 || lo < 0 ? 0 : (hi << 4) | lo);
      }
    }
    return new SourceSketch(r);
  }

  /** A 64-bit hash of the text (FNV-1a over the chars, then a finaliser that spreads the bits). */
  private static long mix(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h = (h ^ s.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    return h ^ (h >>> 33);
  }
}
