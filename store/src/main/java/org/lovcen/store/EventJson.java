package org.lovcen.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lovcen.core.Event;

/**
 * An event's field table as a JSON object and back: a name that occurs several times becomes an
 * array; numbers written as JSON numbers when they are valid JSON numbers, booleans as JSON
 * booleans when they are {@code true} or {@code false}, null as itself.
 *
 * <p>Reading restores every name and value exactly, in the order of each name's first occurrence
 * (the values of a repeated name come back together, in their order). Type tags come back too,
 * except that a number or boolean whose text is not valid JSON ({@code 0x1F}, {@code True}) is
 * kept as text and comes back as a string: the value never changes. Thread-safe.
 */
public final class EventJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private EventJson() {}

  /*
   * Written by hand rather than through a Jackson generator: the store writer encodes every
   * event, and a generator per event plus a map of names per event cost more than the encoding.
   * Strings are escaped as Jackson escapes them (quote, backslash, control characters); the
   * reader is Jackson's parser.
   */
  /** The fields of {@code e} as one JSON object. */
  public static String write(Event e) {
    int n = e.size();
    StringBuilder b = new StringBuilder(64 + n * 48);
    b.append('{');
    if (!repeats(e)) {
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          b.append(',');
        }
        string(b, e.name(i)).append(':');
        value(b, e, i);
      }
    } else {
      grouped(b, e);
    }
    return b.append('}').toString();
  }

  /** Whether a name occurs more than once (compared by hash first: names are few). */
  private static boolean repeats(Event e) {
    int n = e.size();
    if (n > 64) {
      return true; // the grouped path is right either way
    }
    int[] hashes = new int[n];
    for (int i = 0; i < n; i++) {
      int h = e.name(i).hashCode();
      for (int j = 0; j < i; j++) {
        if (hashes[j] == h && e.name(j).equals(e.name(i))) {
          return true;
        }
      }
      hashes[i] = h;
    }
    return false;
  }

  /** Every name once, at its first place; a repeated name's values as an array. */
  private static void grouped(StringBuilder b, Event e) {
    Map<String, int[]> positions = new LinkedHashMap<>();
    for (int i = 0; i < e.size(); i++) {
      int[] p = positions.get(e.name(i));
      if (p == null) {
        positions.put(e.name(i), new int[] {i});
      } else {
        int[] q = java.util.Arrays.copyOf(p, p.length + 1);
        q[p.length] = i;
        positions.put(e.name(i), q);
      }
    }
    boolean first = true;
    for (Map.Entry<String, int[]> f : positions.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      string(b, f.getKey()).append(':');
      int[] p = f.getValue();
      if (p.length > 1) {
        b.append('[');
      }
      for (int k = 0; k < p.length; k++) {
        if (k > 0) {
          b.append(',');
        }
        value(b, e, p[k]);
      }
      if (p.length > 1) {
        b.append(']');
      }
    }
  }

  private static void value(StringBuilder b, Event e, int i) {
    String v = e.value(i);
    switch (e.type(i)) {
      case Event.NULL -> b.append("null");
      case Event.BOOLEAN -> {
        if ("true".equals(v) || "false".equals(v)) {
          b.append(v);
        } else {
          string(b, v);
        }
      }
      case Event.NUMBER -> {
        if (isJsonNumber(v)) {
          b.append(v);
        } else {
          string(b, v);
        }
      }
      default -> string(b, v);
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** Appends {@code s} as a JSON string ({@code null} as null). */
  static StringBuilder string(StringBuilder b, String s) {
    if (s == null) {
      return b.append("null");
    }
    b.append('"');
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      b.append(s, from, i).append('\\');
      switch (c) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case '\n' -> b.append('n');
        case '\r' -> b.append('r');
        case '\t' -> b.append('t');
        case '\b' -> b.append('b');
        case '\f' -> b.append('f');
        default -> b.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
      from = i + 1;
    }
    return b.append(s, from, s.length()).append('"');
  }

  /** Whether {@code v} is a JSON number: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
  static boolean isJsonNumber(String v) {
    if (v == null) {
      return false;
    }
    int n = v.length();
    int i = v.startsWith("-") ? 1 : 0;
    if (i == n) {
      return false;
    }
    if (v.charAt(i) == '0') {
      i++;
    } else {
      int from = i;
      i = digits(v, i);
      if (i == from) {
        return false;
      }
    }
    if (i < n && v.charAt(i) == '.') {
      int from = ++i;
      i = digits(v, i);
      if (i == from) {
        return false;
      }
    }
    if (i < n && (v.charAt(i) == 'e' || v.charAt(i) == 'E')) {
      i++;
      if (i < n && (v.charAt(i) == '+' || v.charAt(i) == '-')) {
        i++;
      }
      int from = i;
      i = digits(v, i);
      if (i == from) {
        return false;
      }
    }
    return i == n;
  }

  private static int digits(String v, int i) {
    while (i < v.length() && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** Appends the fields of a JSON object written by {@link #write} to {@code into}. */
  public static void read(String json, Event into) {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new StoreException("stored event is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (t == JsonToken.START_ARRAY) {
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            add(into, name, p, t);
          }
        } else {
          add(into, name, p, t);
        }
      }
    } catch (IOException ex) {
      throw new StoreException("corrupt stored event: " + ex.getMessage(), ex);
    }
  }

  private static void add(Event into, String name, JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case VALUE_NULL -> into.add(name, null, Event.NULL);
      case VALUE_TRUE, VALUE_FALSE -> into.add(name, p.getText(), Event.BOOLEAN);
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> into.add(name, p.getText(), Event.NUMBER);
      default -> into.add(name, p.getText(), Event.STRING);
    }
  }
}
