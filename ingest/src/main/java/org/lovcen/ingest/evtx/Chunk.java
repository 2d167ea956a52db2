package org.lovcen.ingest.evtx;

import java.util.zip.CRC32;

/*
 * How and why: a chunk is 64 KiB: a 512-byte header (with the common-string and template
 * pointer tables), then records. Names (element and attribute names) and template definitions
 * are stored once per chunk and referenced by their offset from the chunk start, so both are
 * cached here by offset for the life of the chunk. The caches are arrays indexed by offset and
 * invalidated by a generation stamp, so moving to the next chunk costs nothing and a reading
 * thread allocates them once.
 */
/** One 64 KiB chunk held in memory, with its name and template caches. One per reading thread. */
final class Chunk {
  static final int SIZE = 0x10000;
  static final int HEADER_SIZE = 512;
  static final byte[] SIGNATURE = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};

  final byte[] data = new byte[SIZE];
  int length;
  long number;
  long fileOffset;

  private final String[] names = new String[SIZE];
  private final int[] nameStamps = new int[SIZE];
  private final Template[] templates = new Template[SIZE];
  private final int[] templateStamps = new int[SIZE];
  private int stamp;
  private final CRC32 crc = new CRC32();

  /** Starts using the buffer for chunk {@code number} with {@code length} valid bytes. */
  void reset(long number, long fileOffset, int length) {
    this.number = number;
    this.fileOffset = fileOffset;
    this.length = length;
    if (++stamp == 0) {
      java.util.Arrays.fill(nameStamps, 0);
      java.util.Arrays.fill(templateStamps, 0);
      java.util.Arrays.fill(templates, null);
      java.util.Arrays.fill(names, null);
      stamp = 1;
    }
  }

  boolean signatureValid() {
    if (length < HEADER_SIZE) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (data[i] != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** True when every valid byte is zero (unused preallocated space). */
  boolean empty() {
    for (int i = 0; i < length; i++) {
      if (data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  long freeSpaceOffset() {
    return Bytes.u32(data, 48);
  }

  boolean headerChecksumValid() {
    crc.reset();
    crc.update(data, 0, 120);
    crc.update(data, 128, HEADER_SIZE - 128);
    return (int) crc.getValue() == Bytes.i32(data, 124);
  }

  boolean recordsChecksumValid(int end) {
    crc.reset();
    crc.update(data, HEADER_SIZE, end - HEADER_SIZE);
    return (int) crc.getValue() == Bytes.i32(data, 52);
  }

  /** Total bytes of the name structure at {@code off}, or -1 when it does not fit the chunk. */
  int nameSize(long off) {
    if (off < 0 || off + 8 > length) {
      return -1;
    }
    int n = Bytes.u16(data, (int) off + 6);
    long end = off + 8 + 2L * n + 2;
    return end > length ? -1 : (int) (end - off);
  }

  /** The name stored at {@code off}, or null when none fits there. */
  String name(long off, char[] scratch) {
    int size = nameSize(off);
    if (size < 0) {
      return null;
    }
    int o = (int) off;
    if (nameStamps[o] == stamp) {
      return names[o];
    }
    String s = ValueType.utf16(data, o + 8, Bytes.u16(data, o + 6), scratch, false);
    names[o] = s;
    nameStamps[o] = stamp;
    return s;
  }

  Template template(int off) {
    return templateStamps[off] == stamp ? templates[off] : null;
  }

  void template(int off, Template t) {
    templates[off] = t;
    templateStamps[off] = stamp;
  }
}
