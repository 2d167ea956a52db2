package org.lovcen.intel;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/*
 * How and why: a bundle may hold a million objects, so it is streamed, and no tree is built for
 * the common object: the parser walks to the "objects" array and reads each object's fields into
 * reused Fields holders (StixObjects batches them and, on two cores or more, converts them on a
 * second thread while the next batch is tokenized), string values as strings; a value of any other
 * kind (numbers, nested objects, null, a list that does not hold only strings) is read as a small
 * tree, so every check sees what a tree of the whole object would have shown, and reports the same
 * reasons. Fields Lovcen does not read are skipped without decoding. Each object fails alone (its
 * index, line and id make the position, built only when it fails); the rest of the bundle is still
 * read. Identities may come after the indicators that reference them, so source names are resolved
 * once the whole bundle is read. Values that repeat across indicators (timestamps, marking refs,
 * label lists, sources) are shared through the Collector.
 */
/** Reads STIX 2.1 bundles. Stateless; thread-safe. */
final class StixImporter {
  /** Shared mapper; generators never close the caller's writer. */
  static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET).build());

  private StixImporter() {}

  static void read(InputStream in, Collector out) throws IOException {
    Map<String, String> identities = new HashMap<>();
    try (JsonParser p = JSON.getFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        out.error("line 1", "a STIX bundle is a JSON object");
        return;
      }
      boolean objects = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken t = p.nextToken();
        if (name.equals("objects") && t == JsonToken.START_ARRAY) {
          objects = true;
          readObjects(p, out, identities);
        } else if (name.equals("type") && !"bundle".equals(p.getValueAsString())) {
          out.error("line " + p.currentLocation().getLineNr(), "type is '" + p.getValueAsString() + "', not bundle");
          return;
        } else {
          p.skipChildren();
        }
      }
      if (!objects) {
        out.error("", "no objects array in the bundle");
      }
    }
    resolveSources(out, identities);
  }

  private static void readObjects(JsonParser p, Collector out, Map<String, String> identities) throws IOException {
    StixObjects.read(p, new StixObjects.Converter() {
      @Override
      public void object(Fields o, int index, int line) {
        StixImporter.object(o, index, line, out, identities);
      }

      @Override
      public void notAnObject(int index, int line) {
        out.error(position(index, line, ""), "an object in a bundle must be a JSON object");
      }
    });
  }

  private static String position(int index, int line, String id) {
    return "objects[" + index + "] line " + line + (id.isEmpty() ? "" : " " + id);
  }

  private static void object(Fields o, int index, int line, Collector out, Map<String, String> identities) {
    switch (o.text(Fields.TYPE)) {
      case "indicator" -> {
        try {
          out.add(indicator(o, out));
        } catch (IntelException e) {
          out.reject(position(index, line, o.text(Fields.ID)), e);
        }
      }
      case "identity" -> identities.put(o.text(Fields.ID), o.text(Fields.NAME));
      case "" -> out.error(position(index, line, o.text(Fields.ID)), "object without type");
      default -> out.skipped++;
    }
  }

  /** One indicator object; throws {@link IntelException} naming what is wrong or unsupported. */
  private static Indicator indicator(Fields o, Collector out) {
    String id = required(o, Fields.ID);
    if (!id.startsWith("indicator--")) {
      throw new IntelException("object", "", "id '" + id + "' is not an indicator id");
    }
    String type = required(o, Fields.PATTERN_TYPE);
    String text = required(o, Fields.PATTERN);
    if (!type.equals("stix")) {
      throw new IntelException("object", "", "pattern_type '" + type + "' is not matched (only stix)", true);
    }
    List<List<Observable>> clauses = Pattern.clausesOf(text);
    long from = time(o, Fields.VALID_FROM);
    long until = o.has(Fields.VALID_UNTIL) ? time(o, Fields.VALID_UNTIL) : Long.MAX_VALUE;
    if (until <= from) {
      throw new IntelException("object", "", "valid_until " + o.text(Fields.VALID_UNTIL)
          + " is not later than valid_from " + o.text(Fields.VALID_FROM));
    }
    List<String> refs = out.shared(strings(o, Fields.MARKING_REFS));
    Marking marking = Marking.NONE;
    for (String r : refs) {
      Marking m = Marking.ofStixId(r);
      marking = m == null ? marking : marking.max(m);
    }
    int confidence = o.has(Fields.CONFIDENCE) ? confidence(o.get(Fields.CONFIDENCE)) : -1;
    List<Source> sources = o.has(Fields.LOVCEN_SOURCES) ? lovcenSources(o.get(Fields.LOVCEN_SOURCES), out.file)
        : out.sources(new Source(out.file, out.file, confidence, marking, -1));
    return new Indicator(id, o.text(Fields.NAME), o.text(Fields.DESCRIPTION), clauses, from, until,
        o.path(Fields.REVOKED).asBoolean(false), out.shared(strings(o, Fields.LABELS)),
        out.shared(strings(o, Fields.INDICATOR_TYPES)), out.shared(phases(o.get(Fields.KILL_CHAIN_PHASES))),
        out.shared(o.text(Fields.CREATED_BY_REF)), refs, out.shared(o.text(Fields.MODIFIED)), sources);
  }

  /** Sources as Lovcen exports them (custom property x_lovcen_sources), each with its confidence and marking. */
  private static List<Source> lovcenSources(JsonNode a, String file) {
    List<Source> out = new ArrayList<>();
    for (JsonNode s : a) {
      Marking m = Marking.ofLabel(s.path("marking").asText(""));
      out.add(new Source(s.path("name").asText(""), file, s.path("confidence").asInt(-1), m == null ? Marking.NONE : m,
          s.path("distribution").asInt(-1)));
    }
    if (out.isEmpty()) {
      throw new IntelException("object", "", "x_lovcen_sources is empty");
    }
    return out;
  }

  private static String required(Fields o, int field) {
    String v = o.string(field);
    if (v == null || v.isEmpty()) {
      throw new IntelException("object", "", "missing or empty " + Fields.NAMES[field]);
    }
    return v;
  }

  private static long time(Fields o, int field) {
    String v = required(o, field);
    long t = Timestamps.parse(v);
    if (t == Event.NO_TIME || !v.endsWith("Z")) {
      throw new IntelException("object", "", Fields.NAMES[field] + " '" + v + "' is not an RFC 3339 UTC timestamp");
    }
    return t;
  }

  private static int confidence(JsonNode c) {
    if (!c.isInt() || c.asInt() < 0 || c.asInt() > 100) {
      throw new IntelException("object", "", "confidence " + c + " is not an integer from 0 to 100");
    }
    return c.asInt();
  }

  /** A list of strings, as given or as a tree when it held something else (which is then reported). */
  private static List<String> strings(Fields o, int field) {
    List<String> l = o.strings(field);
    if (l != null) {
      return l;
    }
    JsonNode a = o.get(field);
    if (a == null) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new IntelException("object", "", Fields.NAMES[field] + " must be a list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : a) {
      if (!v.isTextual()) {
        throw new IntelException("object", "", Fields.NAMES[field] + " must hold strings, not " + v);
      }
      out.add(v.asText());
    }
    return out;
  }

  private static List<String> phases(JsonNode a) {
    if (a == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (JsonNode k : a) {
      String chain = k.path("kill_chain_name").asText("");
      String phase = k.path("phase_name").asText("");
      if (chain.isEmpty() || phase.isEmpty()) {
        throw new IntelException("object", "", "kill chain phase without kill_chain_name or phase_name: " + k);
      }
      out.add(chain + ":" + phase);
    }
    return out;
  }

  private static void resolveSources(Collector out, Map<String, String> identities) {
    if (identities.isEmpty()) {
      return;
    }
    List<Indicator> in = out.indicators;
    for (int i = 0; i < in.size(); i++) {
      Indicator ind = in.get(i);
      String name = identities.get(ind.createdByRef());
      if (name != null && !name.isEmpty() && ind.sources().size() == 1 && ind.sources().get(0).name().equals(out.file)) {
        in.set(i, ind.withSources(out.sources(ind.sources().get(0).withName(name))));
      }
    }
  }

  /**
   * The fields of one bundle object that Lovcen reads, filled from the stream: a string value as a
   * String, a list of only strings as a List, any other value as a tree. Reused from object to
   * object; not thread-safe.
   */
  static final class Fields {
    static final int TYPE = 0;
    static final int ID = 1;
    static final int NAME = 2;
    static final int DESCRIPTION = 3;
    static final int PATTERN = 4;
    static final int PATTERN_TYPE = 5;
    static final int VALID_FROM = 6;
    static final int VALID_UNTIL = 7;
    static final int MODIFIED = 8;
    static final int CREATED_BY_REF = 9;
    static final int CONFIDENCE = 10;
    static final int REVOKED = 11;
    static final int MARKING_REFS = 12;
    static final int LABELS = 13;
    static final int INDICATOR_TYPES = 14;
    static final int KILL_CHAIN_PHASES = 15;
    static final int LOVCEN_SOURCES = 16;
    static final String[] NAMES = {"type", "id", "name", "description", "pattern", "pattern_type", "valid_from",
        "valid_until", "modified", "created_by_ref", "confidence", "revoked", "object_marking_refs", "labels",
        "indicator_types", "kill_chain_phases", "x_lovcen_sources"};

    private final String[] strings = new String[NAMES.length];
    private final List<?>[] lists = new List<?>[NAMES.length];
    private final JsonNode[] trees = new JsonNode[NAMES.length];

    private static int field(String name) {
      return switch (name) {
        case "type" -> TYPE;
        case "id" -> ID;
        case "name" -> NAME;
        case "description" -> DESCRIPTION;
        case "pattern" -> PATTERN;
        case "pattern_type" -> PATTERN_TYPE;
        case "valid_from" -> VALID_FROM;
        case "valid_until" -> VALID_UNTIL;
        case "modified" -> MODIFIED;
        case "created_by_ref" -> CREATED_BY_REF;
        case "confidence" -> CONFIDENCE;
        case "revoked" -> REVOKED;
        case "object_marking_refs" -> MARKING_REFS;
        case "labels" -> LABELS;
        case "indicator_types" -> INDICATOR_TYPES;
        case "kill_chain_phases" -> KILL_CHAIN_PHASES;
        case "x_lovcen_sources" -> LOVCEN_SOURCES;
        default -> -1;
      };
    }

    /** Reads the object whose START_OBJECT is the parser's current token, up to its END_OBJECT. */
    void read(JsonParser p, Repeats repeats) throws IOException {
      Arrays.fill(strings, null);
      Arrays.fill(lists, null);
      Arrays.fill(trees, null);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        int f = field(p.currentName());
        JsonToken t = p.nextToken();
        if (f < 0) {
          p.skipChildren();
          continue;
        }
        strings[f] = null;
        lists[f] = null;
        trees[f] = null;
        if (t == JsonToken.VALUE_STRING) {
          strings[f] = f == ID || f == PATTERN ? p.getText() : repeats.string(p, f);
        } else if (t == JsonToken.START_ARRAY && f >= MARKING_REFS && f <= INDICATOR_TYPES) {
          readStrings(p, f, repeats);
        } else {
          trees[f] = tree(p, t);
        }
      }
    }

    /**
     * A list of strings as an unmodifiable List (the previous object's list for this field when
     * equal); when another kind of element turns up, the whole list as a tree.
     */
    private void readStrings(JsonParser p, int f, Repeats repeats) throws IOException {
      List<String> prev = repeats.list(f);
      List<String> l = null;
      int k = 0;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
        if (l == null && k < prev.size() && Repeats.same(p, prev.get(k))) {
          k++;
          continue;
        }
        if (l == null) {
          l = new ArrayList<>(prev.subList(0, k));
        }
        l.add(p.getText());
      }
      List<String> read = l != null ? l : prev.subList(0, k);
      if (t == JsonToken.END_ARRAY) {
        List<String> done = l == null && k == prev.size() ? prev : List.copyOf(read);
        repeats.list(f, done);
        lists[f] = done;
        return;
      }
      ArrayNode a = JSON.createArrayNode();
      read.forEach(a::add);
      for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
        a.add(tree(p, t));
      }
      trees[f] = a;
    }

    /** The value at the current token as a tree, as a tree of the whole object would hold it. */
    private static JsonNode tree(JsonParser p, JsonToken t) throws IOException {
      return switch (t) {
        case VALUE_NULL -> NullNode.getInstance();
        case VALUE_TRUE -> BooleanNode.TRUE;
        case VALUE_FALSE -> BooleanNode.FALSE;
        case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.INT ? IntNode.valueOf(p.getIntValue())
            : JSON.readTree(p);
        default -> JSON.readTree(p);
      };
    }

    boolean has(int f) {
      return strings[f] != null || lists[f] != null || trees[f] != null;
    }

    /** The value if it was a JSON string, else null. */
    String string(int f) {
      return strings[f];
    }

    /** The value if it was a list of strings, else null. */
    @SuppressWarnings("unchecked")
    List<String> strings(int f) {
      return (List<String>) lists[f];
    }

    /** The value as a tree, or null when absent. */
    JsonNode get(int f) {
      if (strings[f] != null) {
        return TextNode.valueOf(strings[f]);
      }
      if (lists[f] != null) {
        ArrayNode a = JSON.createArrayNode();
        strings(f).forEach(a::add);
        return a;
      }
      return trees[f];
    }

    /** The value as a tree, or a missing node. */
    JsonNode path(int f) {
      JsonNode n = get(f);
      return n == null ? MissingNode.getInstance() : n;
    }

    /** The value's text as {@code JsonNode.asText("")} gives it: empty when absent or a container. */
    String text(int f) {
      return strings[f] != null ? strings[f] : lists[f] != null ? "" : trees[f] != null ? trees[f].asText("") : "";
    }
  }

  /**
   * The previous object's string and list per field, kept while tokenizing: when the next object
   * repeats them (timestamps, types, marking refs), they are reused, not decoded anew. Used by the
   * tokenizing thread only.
   */
  static final class Repeats {
    private final String[] strings = new String[Fields.NAMES.length];
    private final List<?>[] lists = new List<?>[Fields.NAMES.length];

    /** The string at the current token: the previous object's for this field when equal, else a new one. */
    String string(JsonParser p, int f) throws IOException {
      String prev = strings[f];
      if (prev == null || !same(p, prev)) {
        prev = p.getText();
        strings[f] = prev;
      }
      return prev;
    }

    @SuppressWarnings("unchecked")
    List<String> list(int f) {
      return lists[f] == null ? List.of() : (List<String>) lists[f];
    }

    void list(int f, List<String> l) {
      lists[f] = l;
    }

    static boolean same(JsonParser p, String s) throws IOException {
      int n = p.getTextLength();
      if (n != s.length()) {
        return false;
      }
      char[] buf = p.getTextCharacters();
      int off = p.getTextOffset();
      for (int i = 0; i < n; i++) {
        if (buf[off + i] != s.charAt(i)) {
          return false;
        }
      }
      return true;
    }
  }
}
