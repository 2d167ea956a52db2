package org.lovcen.ingest.evtx;

import java.util.ArrayList;
import java.util.Arrays;

/*
 * How and why: a template definition is a binary XML element tree whose values are partly
 * substitutions (numbered holes filled by each template instance). Records of a chunk
 * instantiate the same few templates over and over, so each definition is compiled once per
 * chunk into a flat op list (open element, attribute, literal text, substitution, close start
 * tag, end element) with its names already decoded; a record is then rendered by running the
 * op list against the record's substitution values. Compilation walks the tokens iteratively,
 * checks every read against the definition's bounds and rejects unbalanced trees, so running a
 * compiled template cannot go out of bounds or unbalance the element stack.
 *
 * Token layout (little-endian), from [MS-EVEN6] and the libevtx notes:
 *   0x01/0x41 open start element: [u16 dependency id] u32 data size, u32 name offset, then
 *             (0x41 only) u32 attribute list size and attributes 0x06/0x46 (u32 name offset,
 *             then value tokens); then 0x02 close start tag (content follows, ends with 0x04)
 *             or 0x03 close empty element.
 *   0x05/0x45 value text: u8 type, u16 char count, UTF-16 chars
 *   0x0d/0x0e normal/optional substitution: u16 index, u8 type
 *   0x08/0x48 character reference: u16 char;  0x09/0x49 entity reference: u32 name offset
 *   0x07/0x47 CDATA: u16 char count, chars;  0x0a PI target: u32 name offset;  0x0b PI data
 * A name offset equal to the offset of the byte after it means the name is stored inline
 * there (u32 next, u16 hash, u16 count, chars, NUL) and must be skipped.
 */
/** A compiled binary XML element tree. Immutable once built; cached per chunk. */
final class Template {
  static final int OPEN = 1;
  static final int ATTR = 2;
  static final int TEXT = 3;
  static final int SUBST = 4;
  static final int CLOSE_START = 5;
  static final int CLOSE_EMPTY = 6;
  static final int END = 7;

  static final int MAX_DEPTH = EventWriter.MAX_DEPTH;

  /** Marks, in a chunk's cache, a definition that failed to compile. */
  static final Template MALFORMED = new Template(new int[0], new String[0], 0);

  /** Ops: low 8 bits the op, the rest its argument (string index, or substitution index | optional << 16). */
  final int[] code;
  final String[] strings;
  /** Chunk offset just after the compiled tokens. */
  final int end;

  private Template(int[] code, String[] strings, int end) {
    this.code = code;
    this.strings = strings;
    this.end = end;
  }

  /** Compiles binary XML tokens of a chunk; reports problems as {@link EvtxFormatException}. */
  static final class Compiler {
    private final BinXml owner;
    private final char[] scratch;
    private byte[] b;
    private Chunk chunk;
    private int limit;
    private boolean dependencyIds;
    private int[] code = new int[256];
    private int size;
    private final ArrayList<String> strings = new ArrayList<>();

    Compiler(BinXml owner, char[] scratch) {
      this.owner = owner;
      this.scratch = scratch;
    }

    /**
     * Compiles from {@code start} up to {@code limit}. A whole definition (fragment header,
     * element, end-of-stream) when {@code single} is false; exactly one element otherwise.
     */
    Template compile(Chunk c, int start, int limit, boolean single, boolean dependencyIds) {
      this.chunk = c;
      this.b = c.data;
      this.limit = limit;
      this.dependencyIds = dependencyIds;
      size = 0;
      strings.clear();
      int p = start;
      int depth = 0;
      boolean seenElement = false;
      while (true) {
        need(p, 1);
        int t = b[p] & 0xff;
        if (depth == 0) {
          if (seenElement && single) {
            break;
          }
          if (t == 0x00) {
            p++;
            break;
          } else if (t == 0x0f) {
            need(p, 4);
            p += 4;
          } else if (t == 0x01 || t == 0x41) {
            p = startTag(p);
            seenElement = true;
            if (code[size - 1] == CLOSE_START) {
              depth++;
            }
          } else if (t == 0x0a || t == 0x0b) {
            p = processingInstruction(p);
          } else {
            throw owner.fail(p, "unexpected token 0x" + Integer.toHexString(t) + " in template");
          }
          continue;
        }
        switch (t) {
          case 0x01, 0x41 -> {
            if (depth >= MAX_DEPTH) {
              throw owner.fail(p, "elements nested too deeply");
            }
            p = startTag(p);
            if (code[size - 1] == CLOSE_START) {
              depth++;
            }
          }
          case 0x04 -> {
            op(END, 0);
            p++;
            depth--;
          }
          case 0x05, 0x45, 0x0d, 0x0e, 0x08, 0x48, 0x09, 0x49, 0x07, 0x47 -> p = value(p);
          case 0x0a, 0x0b -> p = processingInstruction(p);
          default -> throw owner.fail(p, "unexpected token 0x" + Integer.toHexString(t) + " in element content");
        }
      }
      if (!seenElement) {
        throw owner.fail(start, "template without an element");
      }
      return new Template(Arrays.copyOf(code, size), strings.toArray(new String[0]), p);
    }

    private int startTag(int p) {
      boolean attrs = (b[p] & 0x40) != 0;
      int q = p + 1 + (dependencyIds ? 2 : 0);
      need(q, 8);
      q += 4;
      q = name(q, OPEN);
      if (attrs) {
        need(q, 4);
        q += 4;
        while (true) {
          need(q, 1);
          int t = b[q] & 0xff;
          if (t != 0x06 && t != 0x46) {
            break;
          }
          q = name(q + 1, ATTR);
          q = values(q);
        }
      }
      need(q, 1);
      int t = b[q] & 0xff;
      if (t == 0x02) {
        op(CLOSE_START, 0);
      } else if (t == 0x03) {
        op(CLOSE_EMPTY, 0);
      } else {
        throw owner.fail(q, "expected end of start tag, found 0x" + Integer.toHexString(t));
      }
      return q + 1;
    }

    /** Reads the name offset at {@code q}, emits {@code op} with it; returns the offset after it. */
    private int name(int q, int op) {
      need(q, 4);
      long off = Bytes.u32(b, q);
      String n = chunk.name(off, scratch);
      if (n == null) {
        throw owner.fail(q, "name offset " + off + " outside the chunk");
      }
      op(op, string(n));
      q += 4;
      if (off == q) {
        int s = chunk.nameSize(off);
        need(q, s);
        q += s;
      }
      return q;
    }

    private int values(int q) {
      while (true) {
        need(q, 1);
        switch (b[q] & 0xff) {
          case 0x05, 0x45, 0x0d, 0x0e, 0x08, 0x48, 0x09, 0x49, 0x07, 0x47 -> q = value(q);
          default -> {
            return q;
          }
        }
      }
    }

    private int value(int q) {
      int t = b[q] & 0xff;
      switch (t) {
        case 0x05, 0x45 -> {
          need(q, 4);
          int n = Bytes.u16(b, q + 2);
          need(q + 4, 2 * n);
          op(TEXT, string(ValueType.utf16(b, q + 4, n, scratch, false)));
          return q + 4 + 2 * n;
        }
        case 0x07, 0x47 -> {
          need(q, 3);
          int n = Bytes.u16(b, q + 1);
          need(q + 3, 2 * n);
          op(TEXT, string(ValueType.utf16(b, q + 3, n, scratch, false)));
          return q + 3 + 2 * n;
        }
        case 0x0d, 0x0e -> {
          need(q, 4);
          op(SUBST, Bytes.u16(b, q + 1) | (t == 0x0e ? 1 << 16 : 0));
          return q + 4;
        }
        case 0x08, 0x48 -> {
          need(q, 3);
          op(TEXT, string(String.valueOf((char) Bytes.u16(b, q + 1))));
          return q + 3;
        }
        default -> { // 0x09, 0x49 entity reference
          int before = size;
          int r = name(q + 1, TEXT);
          String entity = strings.get(code[before] >>> 8);
          code[before] = TEXT | string(entity(entity)) << 8;
          return r;
        }
      }
    }

    private static String entity(String name) {
      return switch (name) {
        case "lt" -> "<";
        case "gt" -> ">";
        case "amp" -> "&";
        case "quot" -> "\"";
        case "apos" -> "'";
        default -> "&" + name + ";";
      };
    }

    private int processingInstruction(int p) {
      if ((b[p] & 0xff) == 0x0a) {
        int before = size;
        int r = name(p + 1, TEXT);
        size = before; // targets carry no data for events
        return r;
      }
      need(p, 3);
      int n = Bytes.u16(b, p + 1);
      need(p + 3, 2 * n);
      return p + 3 + 2 * n;
    }

    private int string(String s) {
      strings.add(s);
      return strings.size() - 1;
    }

    private void op(int op, int arg) {
      if (size == code.length) {
        code = Arrays.copyOf(code, size * 2);
      }
      code[size++] = op | arg << 8;
    }

    private void need(int p, int n) {
      if (n < 0 || p < 0 || (long) p + n > limit) {
        throw owner.fail(p, "binary XML runs past its end");
      }
    }
  }
}
