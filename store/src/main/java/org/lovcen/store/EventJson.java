package org.lovcen.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
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

  /** The fields of {@code e} as one JSON object. */
  public static String write(Event e) {
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
    StringWriter w = new StringWriter(64 + e.size() * 32);
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      g.writeStartObject();
      for (Map.Entry<String, int[]> f : positions.entrySet()) {
        g.writeFieldName(f.getKey());
        int[] p = f.getValue();
        if (p.length > 1) {
          g.writeStartArray();
        }
        for (int i : p) {
          value(g, e, i);
        }
        if (p.length > 1) {
          g.writeEndArray();
        }
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new StoreException("cannot encode event: " + ex.getMessage(), ex);
    }
    return w.toString();
  }

  private static void value(JsonGenerator g, Event e, int i) throws IOException {
    String v = e.value(i);
    switch (e.type(i)) {
      case Event.NULL -> g.writeNull();
      case Event.BOOLEAN -> {
        if ("true".equals(v) || "false".equals(v)) {
          g.writeBoolean(v.equals("true"));
        } else {
          g.writeString(v);
        }
      }
      case Event.NUMBER -> {
        if (isJsonNumber(v)) {
          g.writeNumber(v);
        } else {
          g.writeString(v);
        }
      }
      default -> g.writeString(v);
    }
  }

  private static final java.util.regex.Pattern JSON_NUMBER =
      java.util.regex.Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

  static boolean isJsonNumber(String v) {
    return v != null && JSON_NUMBER.matcher(v).matches();
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
