package org.lovcen.ingest.evtx;

import java.math.BigDecimal;
import org.lovcen.core.Event;

/*
 * How and why: substitution values are rendered as evtx_dump renders them in JSON, so that an
 * EVTX file and its evtx_dump rendering give the same events: integers and reals as JSON
 * numbers, booleans as booleans, hexadecimal integers as "0x..." (lower case, unpadded), GUIDs
 * upper case without braces, SIDs as "S-1-5-18", FILETIME and SYSTEMTIME as ISO 8601 UTC with
 * the fraction digits needed (none, 3, 6 or 9), binary as upper-case hex, NullType as absent (the element or attribute
 * then renders as null), arrays as one value per element. Strings lose trailing NULs and surrounding white space.
 */
/** The binary XML value types and their rendering as typed text. Stateless. */
final class ValueType {
  static final int NULL = 0x00;
  static final int STRING = 0x01;
  static final int ANSI_STRING = 0x02;
  static final int INT8 = 0x03;
  static final int UINT8 = 0x04;
  static final int INT16 = 0x05;
  static final int UINT16 = 0x06;
  static final int INT32 = 0x07;
  static final int UINT32 = 0x08;
  static final int INT64 = 0x09;
  static final int UINT64 = 0x0a;
  static final int REAL32 = 0x0b;
  static final int REAL64 = 0x0c;
  static final int BOOL = 0x0d;
  static final int BINARY = 0x0e;
  static final int GUID = 0x0f;
  static final int SIZE_T = 0x10;
  static final int FILETIME = 0x11;
  static final int SYSTEMTIME = 0x12;
  static final int SID = 0x13;
  static final int HEX_INT32 = 0x14;
  static final int HEX_INT64 = 0x15;
  static final int EVT_HANDLE = 0x20;
  static final int BINXML = 0x21;
  static final int EVT_XML = 0x23;
  static final int ARRAY = 0x80;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private ValueType() {}

  /**
   * Renders the value of {@code type} stored in {@code b[off, off+size)} into {@code out}.
   * Binary XML values are not handled here.
   *
   * @return null when rendered, else why the value is malformed
   */
  static String render(byte[] b, int off, int size, int type, Text out, char[] scratch) {
    if ((type & ARRAY) != 0) {
      out.array();
      return renderArray(b, off, size, type & ~ARRAY, out, scratch);
    }
    return switch (type) {
      case NULL, EVT_HANDLE, EVT_XML -> null;
      case STRING -> string(b, off, size, out, scratch);
      case ANSI_STRING -> ansi(b, off, size, out);
      case BINARY -> binary(b, off, size, out);
      case SID -> sid(b, off, size, out) < 0 ? "bad SID" : null;
      case SIZE_T -> size == 4 || size == 8 ? scalar(b, off, size == 4 ? UINT32 : UINT64, out)
          : "bad size_t size " + size;
      default -> {
        int w = width(type);
        if (w <= 0) {
          yield "unknown value type 0x" + Integer.toHexString(type);
        }
        if (size != w) {
          yield "value of type 0x" + Integer.toHexString(type) + " has size " + size;
        }
        yield scalar(b, off, type, out);
      }
    };
  }

  /** Bytes of a fixed-size type; 0 for variable-size ones, -1 for unknown ones. */
  static int width(int type) {
    return switch (type) {
      case INT8, UINT8 -> 1;
      case INT16, UINT16 -> 2;
      case INT32, UINT32, REAL32, BOOL, HEX_INT32 -> 4;
      case INT64, UINT64, REAL64, FILETIME, HEX_INT64 -> 8;
      case GUID, SYSTEMTIME -> 16;
      case NULL, STRING, ANSI_STRING, BINARY, SIZE_T, SID, EVT_HANDLE, BINXML, EVT_XML -> 0;
      default -> -1;
    };
  }

  private static String renderArray(byte[] b, int off, int size, int type, Text out, char[] scratch) {
    switch (type) {
      case STRING -> {
        return stringArray(b, off, size, out, scratch);
      }
      case ANSI_STRING -> {
        return ansiArray(b, off, size, out);
      }
      case SID -> {
        int p = off;
        int end = off + size;
        while (p < end) {
          int n = sid(b, p, end - p, out);
          if (n < 0) {
            return "bad SID in array";
          }
          p += n;
        }
        return null;
      }
      default -> {
        int w = width(type);
        if (w <= 0) {
          return "unsupported array type 0x" + Integer.toHexString(type | ARRAY);
        }
        if (size % w != 0) {
          return "array of type 0x" + Integer.toHexString(type | ARRAY) + " has size " + size;
        }
        for (int p = off; p < off + size; p += w) {
          scalar(b, p, type, out);
        }
        return null;
      }
    }
  }

  private static String scalar(byte[] b, int p, int type, Text out) {
    switch (type) {
      case INT8 -> out.add(Integer.toString(b[p]), Event.NUMBER);
      case UINT8 -> out.add(Integer.toString(b[p] & 0xff), Event.NUMBER);
      case INT16 -> out.add(Integer.toString(Bytes.i16(b, p)), Event.NUMBER);
      case UINT16 -> out.add(Integer.toString(Bytes.u16(b, p)), Event.NUMBER);
      case INT32 -> out.add(Integer.toString(Bytes.i32(b, p)), Event.NUMBER);
      case UINT32 -> out.add(Long.toString(Bytes.u32(b, p)), Event.NUMBER);
      case INT64 -> out.add(Long.toString(Bytes.i64(b, p)), Event.NUMBER);
      case UINT64 -> out.add(Long.toUnsignedString(Bytes.i64(b, p)), Event.NUMBER);
      case REAL32 -> real(Float.intBitsToFloat(Bytes.i32(b, p)), out);
      case REAL64 -> real(Double.longBitsToDouble(Bytes.i64(b, p)), out);
      case BOOL -> out.add(Bytes.i32(b, p) != 0 ? "true" : "false", Event.BOOLEAN);
      case GUID -> out.add(guid(b, p), Event.STRING);
      case FILETIME -> out.add(Iso.filetime(Bytes.i64(b, p)), Event.STRING);
      case SYSTEMTIME -> out.add(Iso.systemtime(b, p), Event.STRING);
      case HEX_INT32 -> out.add("0x" + Integer.toHexString(Bytes.i32(b, p)), Event.STRING);
      case HEX_INT64 -> out.add("0x" + Long.toHexString(Bytes.i64(b, p)), Event.STRING);
      default -> {
        return "unknown value type 0x" + Integer.toHexString(type);
      }
    }
    return null;
  }

  private static String string(byte[] b, int off, int size, Text out, char[] scratch) {
    if ((size & 1) != 0) {
      return "odd UTF-16 string size " + size;
    }
    out.add(strip(utf16(b, off, size / 2, scratch, true)), Event.STRING);
    return null;
  }

  /** Drops leading and trailing white space (Unicode White_Space), as evtx_dump does for text. */
  static String strip(String s) {
    int from = 0;
    int to = s.length();
    while (from < to && whiteSpace(s.charAt(from))) {
      from++;
    }
    while (to > from && whiteSpace(s.charAt(to - 1))) {
      to--;
    }
    return from == 0 && to == s.length() ? s : s.substring(from, to);
  }

  private static boolean whiteSpace(char c) {
    if (c <= ' ') {
      return c == ' ' || (c >= '\t' && c <= '\r');
    }
    return c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029
        || c == 0x202f || c == 0x205f || c == 0x3000;
  }

  /** Decodes {@code n} UTF-16LE characters; with {@code trim}, trailing NULs are dropped. */
  static String utf16(byte[] b, int off, int n, char[] scratch, boolean trim) {
    for (int i = 0; i < n; i++) {
      int p = off + 2 * i;
      char c = (char) ((b[p] & 0xff) | (b[p + 1] << 8));
      scratch[i] = c;
    }
    if (trim) {
      while (n > 0 && scratch[n - 1] == 0) {
        n--;
      }
    }
    return n == 0 ? "" : new String(scratch, 0, n);
  }

  private static String stringArray(byte[] b, int off, int size, Text out, char[] scratch) {
    if ((size & 1) != 0) {
      return "odd UTF-16 string array size " + size;
    }
    int start = off;
    int end = off + size;
    for (int p = off; p < end; p += 2) {
      if (b[p] == 0 && b[p + 1] == 0) {
        out.add(utf16(b, start, (p - start) / 2, scratch, false), Event.STRING);
        start = p + 2;
      }
    }
    if (start < end) {
      out.add(utf16(b, start, (end - start) / 2, scratch, false), Event.STRING);
    }
    return null;
  }

  private static String ansi(byte[] b, int off, int size, Text out) {
    int n = size;
    while (n > 0 && b[off + n - 1] == 0) {
      n--;
    }
    out.add(strip(new String(b, off, n, java.nio.charset.StandardCharsets.ISO_8859_1)), Event.STRING);
    return null;
  }

  private static String ansiArray(byte[] b, int off, int size, Text out) {
    int start = off;
    int end = off + size;
    for (int p = off; p < end; p++) {
      if (b[p] == 0) {
        out.add(new String(b, start, p - start, java.nio.charset.StandardCharsets.ISO_8859_1), Event.STRING);
        start = p + 1;
      }
    }
    if (start < end) {
      out.add(new String(b, start, end - start, java.nio.charset.StandardCharsets.ISO_8859_1), Event.STRING);
    }
    return null;
  }

  private static String binary(byte[] b, int off, int size, Text out) {
    char[] c = new char[size * 2];
    for (int i = 0; i < size; i++) {
      int v = b[off + i] & 0xff;
      c[2 * i] = HEX[v >>> 4];
      c[2 * i + 1] = HEX[v & 15];
    }
    out.add(new String(c), Event.STRING);
    return null;
  }

  static String guid(byte[] b, int p) {
    char[] c = new char[36];
    int i = 0;
    i = hex(c, i, Bytes.i32(b, p) & 0xffff_ffffL, 8);
    c[i++] = '-';
    i = hex(c, i, Bytes.u16(b, p + 4), 4);
    c[i++] = '-';
    i = hex(c, i, Bytes.u16(b, p + 6), 4);
    c[i++] = '-';
    for (int k = 8; k < 16; k++) {
      if (k == 10) {
        c[i++] = '-';
      }
      i = hex(c, i, b[p + k] & 0xff, 2);
    }
    return new String(c);
  }

  private static int hex(char[] c, int i, long v, int digits) {
    for (int d = digits - 1; d >= 0; d--) {
      c[i + d] = HEX[(int) (v & 15)];
      v >>>= 4;
    }
    return i + digits;
  }

  /** Renders a SID at {@code p}; returns its byte length, or -1 when it does not fit. */
  private static int sid(byte[] b, int p, int size, Text out) {
    if (size < 8) {
      return -1;
    }
    int count = b[p + 1] & 0xff;
    int len = 8 + 4 * count;
    if (len > size) {
      return -1;
    }
    long authority = 0;
    for (int k = 2; k < 8; k++) {
      authority = (authority << 8) | (b[p + k] & 0xff);
    }
    StringBuilder s = new StringBuilder(16 + 11 * count).append("S-").append(b[p] & 0xff).append('-');
    if (authority >= 1L << 32) {
      s.append("0x").append(Long.toHexString(authority).toUpperCase(java.util.Locale.ROOT));
    } else {
      s.append(authority);
    }
    for (int k = 0; k < count; k++) {
      s.append('-').append(Bytes.u32(b, p + 8 + 4 * k));
    }
    out.add(s.toString(), Event.STRING);
    return len;
  }

  /** A real as serde_json prints it (shortest round-trip digits); non-finite values are null. */
  private static void real(double d, Text out) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      out.add(null, Event.NULL);
      return;
    }
    out.add(formatReal(d), Event.NUMBER);
  }

  static String formatReal(double d) {
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal v = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = v.unscaledValue().toString();
    int k = -v.scale(); // value = digits * 10^k
    int len = digits.length();
    int kk = len + k; // position of the decimal point
    StringBuilder s = new StringBuilder(d < 0 ? "-" : "");
    if (k >= 0 && kk <= 16) {
      s.append(digits).append("0".repeat(k)).append(".0");
    } else if (kk > 0 && kk <= 16) {
      s.append(digits, 0, kk).append('.').append(digits, kk, len);
    } else if (kk > -5 && kk <= 0) {
      s.append("0.").append("0".repeat(-kk)).append(digits);
    } else if (len == 1) {
      s.append(digits).append('e').append(kk - 1);
    } else {
      s.append(digits, 0, 1).append('.').append(digits, 1, len).append('e').append(kk - 1);
    }
    return s.toString();
  }
}
