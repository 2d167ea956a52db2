package org.lovcen.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/*
 * How and why: JSON access logs differ only in key names and nesting (nginx `log_format ...
 * escape=json` with flat keys, Caddy's nested `request.headers.User-Agent: [..]`, ECS's dotted
 * `http.request.method`), so one streaming pass flattens keys into dotted paths, keeps the first
 * element of an array, and maps each path to a record slot through Slots. Unknown keys are
 * skipped without building their values.
 *
 * Most lines are plain ASCII without escapes, so a hand-written scanner reads them first: keys go
 * through a small cache from the dotted path's bytes to its slot, and only values of known slots
 * become strings. Anything it does not handle exactly as Jackson would (escapes, non-ASCII bytes,
 * odd numbers, any syntax error) makes it give up, and the line is parsed again by Jackson, so
 * results and error messages are those of Jackson.
 */
/** Parser of JSON access-log lines (nginx json, Caddy, ECS). Per thread: not thread-safe. */
final class JsonLineParser implements LineParser {
  private static final JsonFactory JSON = new JsonFactory();
  private final StringBuilder path = new StringBuilder(64);
  private final Slots.ClfTime clf = new Slots.ClfTime();

  /** Returned by the scanner when Jackson must parse the line. */
  private static final String FALLBACK = new String("fallback");
  private static final int MAX_DEPTH = 64;
  private byte[] b;
  private int pos;
  private int end;
  private int depth;
  private byte[] key = new byte[64];
  private int keyLen;
  private final byte[][] cacheKeys = new byte[512][];
  private final int[] cacheSlots = new int[512];
  private int cached;

  @Override
  public String parse(byte[] buf, int off, int len, AccessRecord r) {
    String fast = scan(buf, off, len, r);
    if (fast != FALLBACK) {
      return fast;
    }
    long line = r.line;
    r.clear();
    r.line = line;
    return jackson(buf, off, len, r);
  }

  private String scan(byte[] buf, int off, int len, AccessRecord r) {
    b = buf;
    pos = off;
    end = off + len;
    depth = 0;
    keyLen = 0;
    skipWs();
    if (pos >= end || b[pos] != '{') {
      return FALLBACK;
    }
    pos++;
    String bad = scanObject(r, false);
    b = null;
    if (bad == FALLBACK) {
      return FALLBACK;
    }
    if (bad != null) {
      return bad;
    }
    return missingField(r);
  }

  /** After '{': members up to and including '}'. Returns the first bad value, or FALLBACK. */
  private String scanObject(AccessRecord r, boolean skip) {
    if (++depth > MAX_DEPTH) {
      return FALLBACK;
    }
    String bad = null;
    skipWs();
    if (pos < end && b[pos] == '}') {
      pos++;
      depth--;
      return null;
    }
    while (true) {
      if (pos >= end || b[pos] != '"') {
        return FALLBACK;
      }
      int mark = keyLen;
      if (!skip) {
        if (mark > 0) {
          keyByte((byte) '.');
        }
      }
      int s = ++pos;
      while (pos < end && b[pos] != '"') {
        byte c = b[pos];
        if (c == '\\' || c < 0x20) { // negative: non-ASCII
          return FALLBACK;
        }
        pos++;
      }
      if (pos >= end) {
        return FALLBACK;
      }
      if (!skip) {
        for (int i = s; i < pos; i++) {
          keyByte(b[i]);
        }
      }
      pos++;
      skipWs();
      if (pos >= end || b[pos] != ':') {
        return FALLBACK;
      }
      pos++;
      String v = scanValue(r, skip);
      if (v == FALLBACK) {
        return FALLBACK;
      }
      bad = bad == null ? v : bad;
      keyLen = mark;
      skipWs();
      if (pos >= end) {
        return FALLBACK;
      }
      byte c = b[pos++];
      if (c == '}') {
        depth--;
        return bad;
      }
      if (c != ',') {
        return FALLBACK;
      }
      skipWs();
    }
  }

  private String scanValue(AccessRecord r, boolean skip) {
    skipWs();
    if (pos >= end) {
      return FALLBACK;
    }
    byte c = b[pos];
    if (c == '{') {
      pos++;
      return scanObject(r, skip);
    }
    if (c == '[') {
      pos++;
      if (++depth > MAX_DEPTH) {
        return FALLBACK;
      }
      skipWs();
      if (pos < end && b[pos] == ']') {
        pos++;
        depth--;
        return null;
      }
      String bad = scanValue(r, skip);
      if (bad == FALLBACK) {
        return FALLBACK;
      }
      while (true) {
        skipWs();
        if (pos >= end) {
          return FALLBACK;
        }
        byte d = b[pos++];
        if (d == ']') {
          depth--;
          return bad;
        }
        if (d != ',' || scanValue(r, true) == FALLBACK) {
          return FALLBACK;
        }
      }
    }
    int s = pos;
    boolean isFloat = false;
    String text;
    if (c == '"') {
      s = ++pos;
      while (pos < end && b[pos] != '"') {
        byte x = b[pos];
        if (x == '\\' || x < 0x20) {
          return FALLBACK;
        }
        pos++;
      }
      if (pos >= end) {
        return FALLBACK;
      }
      int e = pos++;
      if (skip) {
        return null;
      }
      int slot = slot();
      if (slot == Slots.IGNORE) {
        return null;
      }
      text = new String(b, s, e - s, java.nio.charset.StandardCharsets.ISO_8859_1);
      return Slots.set(r, slot, text, clf);
    } else if (c == 't' || c == 'f' || c == 'n') {
      String word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      if (end - pos < word.length()) {
        return FALLBACK;
      }
      for (int i = 0; i < word.length(); i++) {
        if (b[pos + i] != word.charAt(i)) {
          return FALLBACK;
        }
      }
      pos += word.length();
      if (!delimited()) {
        return FALLBACK;
      }
      if (skip || c == 'n') {
        return null;
      }
      text = word;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (c == '-') {
        pos++;
      }
      if (pos >= end || b[pos] < '0' || b[pos] > '9') {
        return FALLBACK;
      }
      if (b[pos] == '0') {
        pos++;
        if (pos < end && b[pos] >= '0' && b[pos] <= '9') {
          return FALLBACK;
        }
      } else {
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
          pos++;
        }
      }
      if (pos < end && b[pos] == '.') {
        isFloat = true;
        pos++;
        if (!digits()) {
          return FALLBACK;
        }
      }
      if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
        isFloat = true;
        pos++;
        if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
          pos++;
        }
        if (!digits()) {
          return FALLBACK;
        }
      }
      if (!delimited()) {
        return FALLBACK;
      }
      if (skip) {
        return null;
      }
      text = null;
    } else {
      return FALLBACK;
    }
    int slot = slot();
    if (slot == Slots.IGNORE) {
      return null;
    }
    if (text == null) {
      text = new String(b, s, pos - s, java.nio.charset.StandardCharsets.ISO_8859_1);
      if (slot == Slots.REQ_SECONDS && isFloat) {
        r.requestMillis = (int) Math.min(Integer.MAX_VALUE, Math.round(Double.parseDouble(text) * 1000));
        return null;
      }
    }
    return Slots.set(r, slot, text, clf);
  }

  private boolean digits() {
    int s = pos;
    while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
      pos++;
    }
    return pos > s;
  }

  /** Whether a number or literal ends here as JSON requires. */
  private boolean delimited() {
    if (pos >= end) {
      return false;
    }
    byte c = b[pos];
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  private void skipWs() {
    while (pos < end) {
      byte c = b[pos];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        return;
      }
      pos++;
    }
  }

  private void keyByte(byte c) {
    if (keyLen == key.length) {
      key = java.util.Arrays.copyOf(key, key.length * 2);
    }
    key[keyLen++] = c;
  }

  /** The slot of the current dotted key, through the cache. */
  private int slot() {
    int h = 0;
    for (int i = 0; i < keyLen; i++) {
      h = 31 * h + key[i];
    }
    int mask = cacheKeys.length - 1;
    for (int i = (h ^ (h >>> 16)) & mask;; i = (i + 1) & mask) {
      byte[] k = cacheKeys[i];
      if (k == null) {
        int slot = Slots.of(new String(key, 0, keyLen, java.nio.charset.StandardCharsets.ISO_8859_1));
        if (cached < cacheKeys.length / 2) {
          cacheKeys[i] = java.util.Arrays.copyOf(key, keyLen);
          cacheSlots[i] = slot;
          cached++;
        }
        return slot;
      }
      if (java.util.Arrays.equals(k, 0, k.length, key, 0, keyLen)) {
        return cacheSlots[i];
      }
    }
  }

  /** Parses with Jackson only (the reference for the scanner). */
  String jackson(byte[] buf, int off, int len, AccessRecord r) {
    try (JsonParser p = JSON.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "not a JSON object";
      }
      path.setLength(0);
      String bad = object(p, r);
      if (bad != null) {
        return bad;
      }
      return missingField(r);
    } catch (IOException e) {
      return "malformed JSON: " + firstLine(e.getMessage());
    }
  }

  private String object(JsonParser p, AccessRecord r) throws IOException {
    String bad = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      int mark = path.length();
      if (mark > 0) {
        path.append('.');
      }
      path.append(p.currentName());
      String b = value(p, p.nextToken(), r);
      bad = bad == null ? b : bad;
      path.setLength(mark);
    }
    return bad;
  }

  private String value(JsonParser p, JsonToken t, AccessRecord r) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      return object(p, r);
    }
    if (t == JsonToken.START_ARRAY) {
      JsonToken first = p.nextToken();
      String bad = first == JsonToken.END_ARRAY ? null : value(p, first, r);
      if (first != JsonToken.END_ARRAY) {
        skipRest(p);
      }
      return bad;
    }
    if (t == null) {
      throw new IOException("truncated");
    }
    int slot = Slots.of(path.toString());
    if (slot == Slots.IGNORE || t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (slot == Slots.REQ_SECONDS && t == JsonToken.VALUE_NUMBER_FLOAT) {
      r.requestMillis = (int) Math.min(Integer.MAX_VALUE, Math.round(p.getDoubleValue() * 1000));
      return null;
    }
    return Slots.set(r, slot, p.getText(), clf);
  }

  private static void skipRest(JsonParser p) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IOException("truncated array");
      }
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd()) {
        depth--;
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Null when the record has the fields every detector needs, else which one is missing. */
  private static String missingField(AccessRecord r) {
    if (r.ip == null) {
      return "no client address field";
    }
    if (r.time == Long.MIN_VALUE) {
      return "no time field";
    }
    if (r.status == 0) {
      return "no status field";
    }
    return null;
  }
}
