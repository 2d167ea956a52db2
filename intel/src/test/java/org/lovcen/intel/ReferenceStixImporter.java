package org.lovcen.intel;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/*
 * How and why: a bundle may hold a million objects, so it is streamed: the parser walks to the
 * "objects" array and reads one object at a time as a small tree, which is converted and dropped.
 * Each object fails alone (its index, line and id make the position); the rest of the bundle is
 * still read. Identities may come after the indicators that reference them, so source names are
 * resolved once the whole bundle is read.
 */
/** The loader before streaming (one tree per object), kept as the reference of {@link LoaderDifferentialTest}. */
final class ReferenceStixImporter {
  /** Shared mapper; generators never close the caller's writer. */
  static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET).build());

  private ReferenceStixImporter() {}

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
    int index = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      JsonLocation at = p.currentTokenLocation();
      String position = "objects[" + index++ + "] line " + at.getLineNr();
      JsonNode o = JSON.readTree(p);
      if (o == null || !o.isObject()) {
        out.error(position, "an object in a bundle must be a JSON object");
        continue;
      }
      String id = o.path("id").asText("");
      if (!id.isEmpty()) {
        position += " " + id;
      }
      object(o, position, out, identities);
    }
  }

  private static void object(JsonNode o, String position, Collector out, Map<String, String> identities) {
    switch (o.path("type").asText("")) {
      case "indicator" -> {
        try {
          out.add(indicator(o, out.file));
        } catch (IntelException e) {
          out.reject(position, e);
        }
      }
      case "identity" -> identities.put(o.path("id").asText(""), o.path("name").asText(""));
      case "" -> out.error(position, "object without type");
      default -> out.skipped++;
    }
  }

  /** One indicator object; throws {@link IntelException} naming what is wrong or unsupported. */
  static Indicator indicator(JsonNode o, String file) {
    String id = required(o, "id");
    if (!id.startsWith("indicator--")) {
      throw new IntelException("object", "", "id '" + id + "' is not an indicator id");
    }
    String type = required(o, "pattern_type");
    String text = required(o, "pattern");
    if (!type.equals("stix")) {
      throw new IntelException("object", "", "pattern_type '" + type + "' is not matched (only stix)", true);
    }
    List<List<Observable>> clauses = Pattern.parse(text).clauses();
    long from = time(o, "valid_from", true);
    long until = o.has("valid_until") ? time(o, "valid_until", true) : Long.MAX_VALUE;
    if (until <= from) {
      throw new IntelException("object", "", "valid_until " + o.path("valid_until").asText()
          + " is not later than valid_from " + o.path("valid_from").asText());
    }
    List<String> refs = strings(o, "object_marking_refs");
    Marking marking = Marking.NONE;
    for (String r : refs) {
      Marking m = Marking.ofStixId(r);
      marking = m == null ? marking : marking.max(m);
    }
    int confidence = o.has("confidence") ? confidence(o) : -1;
    List<Source> sources = o.has("x_lovcen_sources") ? lovcenSources(o.get("x_lovcen_sources"), file)
        : List.of(new Source(file, file, confidence, marking, -1));
    return new Indicator(id, o.path("name").asText(""), o.path("description").asText(""), clauses, from, until,
        o.path("revoked").asBoolean(false), strings(o, "labels"), strings(o, "indicator_types"), phases(o),
        o.path("created_by_ref").asText(""), refs, o.path("modified").asText(""), sources);
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

  private static String required(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IntelException("object", "", "missing or empty " + field);
    }
    return v.asText();
  }

  private static long time(JsonNode o, String field, boolean required) {
    String v = required ? required(o, field) : o.path(field).asText("");
    long t = Timestamps.parse(v);
    if (t == Event.NO_TIME || !v.endsWith("Z")) {
      throw new IntelException("object", "", field + " '" + v + "' is not an RFC 3339 UTC timestamp");
    }
    return t;
  }

  private static int confidence(JsonNode o) {
    JsonNode c = o.get("confidence");
    if (!c.isInt() || c.asInt() < 0 || c.asInt() > 100) {
      throw new IntelException("object", "", "confidence " + c + " is not an integer from 0 to 100");
    }
    return c.asInt();
  }

  static List<String> strings(JsonNode o, String field) {
    JsonNode a = o.get(field);
    if (a == null) {
      return List.of();
    }
    if (!a.isArray()) {
      throw new IntelException("object", "", field + " must be a list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode v : a) {
      if (!v.isTextual()) {
        throw new IntelException("object", "", field + " must hold strings, not " + v);
      }
      out.add(v.asText());
    }
    return out;
  }

  private static List<String> phases(JsonNode o) {
    JsonNode a = o.get("kill_chain_phases");
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
        in.set(i, ind.withSources(List.of(ind.sources().get(0).withName(name))));
      }
    }
  }
}
