package org.lovcen.ingest.evtx;

/*
 * How and why: a record's event is a binary XML document: a fragment header and (almost
 * always) one template instance: a reference to a template definition (stored inline the first
 * time the chunk uses it, referenced by offset afterwards) followed by the instance's
 * substitution values (a count, then size/type descriptors, then the value bytes). The
 * definition is compiled once per chunk (see Template) and run against the values, feeding
 * the EventWriter directly; nothing else is materialised.
 *
 * A substitution value of type 0x21 (binary XML) is itself a document (a fragment header and a
 * template instance, or a bare element) and is rendered in place, as content of the element
 * holding the substitution. Nesting is bounded (MAX_NESTING), and so is the total work per
 * record (MAX_OPS), so crafted input can neither recurse without end nor blow up
 * exponentially by referencing one nested value many times.
 */
/** Decodes the binary XML of records into an {@link EventWriter}. One per reading thread. */
final class BinXml {
  static final int MAX_NESTING = 16;
  /** Work allowed per record: template ops run, bytes compiled, values parsed. */
  static final int MAX_OPS = 1 << 22;

  private String file;
  private final EventWriter writer;
  private final char[] scratch = new char[Chunk.SIZE / 2 + 1];
  private final Template.Compiler compiler;
  private final Frame[] frames = new Frame[MAX_NESTING + 1];
  private final Frame empty = new Frame();
  private Chunk chunk;
  private byte[] b;
  private int ops;

  BinXml(EventWriter writer) {
    this.writer = writer;
    this.compiler = new Template.Compiler(this, scratch);
    for (int i = 0; i < frames.length; i++) {
      frames[i] = new Frame();
    }
  }

  /** The substitution values of one template instance: offsets, sizes and types in the chunk. */
  private static final class Frame {
    int[] offsets = new int[64];
    int[] sizes = new int[64];
    int[] types = new int[64];
    int count;

    void ensure(int n) {
      if (n > offsets.length) {
        offsets = new int[n];
        sizes = new int[n];
        types = new int[n];
      }
      count = n;
    }
  }

  void use(String file) {
    this.file = file;
  }

  /** Renders the binary XML in {@code [start, end)} of the chunk. */
  void record(Chunk c, int start, int end) {
    chunk = c;
    b = c.data;
    ops = 0;
    document(start, end, 0, true);
    if (writer.depth() != 0) {
      throw fail(end, "element not closed at end of record");
    }
  }

  EvtxFormatException fail(int chunkOffset, String reason) {
    return new EvtxFormatException(file, chunk.fileOffset + chunkOffset, reason);
  }

  private int document(int p, int end, int nesting, boolean top) {
    while (p < end) {
      int t = b[p] & 0xff;
      switch (t) {
        case 0x00 -> {
          return p + 1;
        }
        case 0x0f -> {
          need(p, 4, end);
          p += 4;
        }
        case 0x0c -> p = instance(p, end, nesting);
        case 0x01, 0x41 -> {
          Template tpl = compiler.compile(chunk, p, end, true, top || hasDependencyId(p, end));
          spend(tpl.end - p);
          run(tpl, empty, nesting);
          p = tpl.end;
        }
        default -> throw fail(p, "unexpected token 0x" + Integer.toHexString(t) + " in document");
      }
    }
    return p;
  }

  /**
   * Element starts inside binary XML values may lack the 2-byte dependency identifier; tell by
   * where the name offset points (inline right after it, or to an earlier name).
   */
  private boolean hasDependencyId(int p, int end) {
    if (p + 11 <= end) {
      long off = Bytes.u32(b, p + 7);
      if (off == p + 11 || (off < p && chunk.nameSize(off) > 0)) {
        return true;
      }
    }
    if (p + 9 <= end) {
      long off = Bytes.u32(b, p + 5);
      return !(off == p + 9 || (off < p && chunk.nameSize(off) > 0));
    }
    return true;
  }

  private int instance(int p, int end, int nesting) {
    need(p, 10, end);
    long def = Bytes.u32(b, p + 6);
    int q = p + 10;
    Template tpl;
    if (def == q) {
      need(q, 24, end);
      long size = Bytes.u32(b, q + 20);
      if (q + 24 + size > end) {
        throw fail(q, "template definition of " + size + " bytes runs past the record");
      }
      tpl = template(q, (int) (q + 24 + size));
      q = (int) (q + 24 + size);
    } else {
      if (def < Chunk.HEADER_SIZE || def + 24 > chunk.length) {
        throw fail(p + 6, "template definition offset " + def + " outside the chunk");
      }
      long size = Bytes.u32(b, (int) def + 20);
      if (def + 24 + size > chunk.length) {
        throw fail((int) def, "template definition of " + size + " bytes runs past the chunk");
      }
      tpl = template((int) def, (int) (def + 24 + size));
    }
    Frame f = frames[nesting];
    q = values(q, end, f);
    run(tpl, f, nesting);
    return q;
  }

  /** The compiled definition at {@code def}; a definition that failed to compile fails fast afterwards. */
  private Template template(int def, int end) {
    Template t = chunk.template(def);
    if (t == Template.MALFORMED) {
      throw fail(def, "malformed template definition");
    }
    if (t == null) {
      spend(end - def);
      try {
        t = compiler.compile(chunk, def + 24, end, false, true);
      } catch (EvtxFormatException e) {
        chunk.template(def, Template.MALFORMED);
        throw e;
      }
      chunk.template(def, t);
    }
    return t;
  }

  /** Counts work against the per-record budget. */
  private void spend(int amount) {
    ops += amount;
    if (ops > MAX_OPS) {
      throw fail(0, "record too complex");
    }
  }

  private int values(int q, int end, Frame f) {
    need(q, 4, end);
    long count = Bytes.u32(b, q);
    q += 4;
    if (count * 4 > end - q) {
      throw fail(q - 4, "template instance with " + count + " values does not fit the record");
    }
    int n = (int) count;
    spend(n);
    f.ensure(n);
    int v = q + 4 * n;
    for (int i = 0; i < n; i++) {
      int size = Bytes.u16(b, q + 4 * i);
      f.sizes[i] = size;
      f.types[i] = b[q + 4 * i + 2] & 0xff;
      f.offsets[i] = v;
      v += size;
    }
    if (v > end) {
      throw fail(q, "template values run past the record");
    }
    return v;
  }

  private void run(Template t, Frame f, int nesting) {
    int[] code = t.code;
    String[] strings = t.strings;
    Text target = null;
    spend(code.length);
    for (int i = 0; i < code.length; i++) {
      int op = code[i] & 0xff;
      int arg = code[i] >>> 8;
      switch (op) {
        case Template.OPEN -> {
          if (!writer.open(strings[arg])) {
            throw fail(t.end, "elements nested too deeply");
          }
          target = null;
        }
        case Template.ATTR -> target = writer.attribute(strings[arg]);
        case Template.TEXT -> (target != null ? target : writer.content()).add(strings[arg], org.lovcen.core.Event.STRING);
        case Template.SUBST -> substitute(f, arg & 0xffff, target, nesting);
        case Template.CLOSE_START -> {
          writer.closeStart();
          target = null;
        }
        case Template.CLOSE_EMPTY -> {
          writer.closeStart();
          writer.endElement();
          target = null;
        }
        case Template.END -> writer.endElement();
        default -> throw fail(t.end, "bad compiled op " + op);
      }
    }
  }

  private void substitute(Frame f, int index, Text attribute, int nesting) {
    if (index >= f.count) {
      throw fail(0, "substitution " + index + " but the instance has " + f.count + " values");
    }
    int type = f.types[index];
    int off = f.offsets[index];
    int size = f.sizes[index];
    if (type == ValueType.NULL) {
      return;
    }
    if (type == ValueType.BINXML) {
      if (attribute == null) {
        if (nesting >= MAX_NESTING) {
          throw fail(off, "binary XML values nested too deeply");
        }
        document(off, off + size, nesting + 1, false);
      }
      return;
    }
    Text target = attribute != null ? attribute : writer.content();
    String reason = ValueType.render(b, off, size, type, target, scratch);
    if (reason != null) {
      throw fail(off, reason);
    }
  }

  private void need(int p, int n, int end) {
    if ((long) p + n > end) {
      throw fail(p, "binary XML runs past its end");
    }
  }
}
