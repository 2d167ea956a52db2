package org.lovcen.intel;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.lovcen.core.Timestamps;

/**
 * Writes indicators and sightings as a STIX 2.1 bundle: the CERT's identity, the TLP 2.0 marking
 * definitions used, one indicator object each (its sources in the custom property {@code
 * x_lovcen_sources}) and one sighting per sighted indicator. TLP:RED indicators are never written.
 * Ids are derived from the content, so the same input gives the same bundle. Stateless; thread-safe.
 */
final class StixExporter {
  static final String TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

  private StixExporter() {}

  static int write(Collection<Indicator> indicators, Map<String, Sighting> sightings, String identity, long now,
      Writer w) throws IOException {
    List<Indicator> out = Exports.shareable(indicators);
    String identityId = "identity--" + uuid("identity:" + identity);
    String created = Timestamps.format(now);
    try (JsonGenerator g = StixImporter.JSON.getFactory().createGenerator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("type", "bundle");
      g.writeStringField("id", "bundle--" + uuid(identity + created + ids(out)));
      g.writeArrayFieldStart("objects");
      identity(g, identityId, identity, created);
      markings(g, out);
      for (Indicator i : out) {
        indicator(g, i, identityId, created);
      }
      for (Indicator i : out) {
        Sighting s = sightings.get(i.id());
        if (s != null) {
          sighting(g, s, i, identityId, created);
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    w.write('\n');
    return out.size();
  }

  /**
   * One indicator object (its sources in {@code x_lovcen_sources}); {@code now} is created/modified
   * when it has no modified. An open start of validity is written as the epoch (valid_from is
   * required), which {@link Intel#indicator} reads back as open.
   */
  static String object(Indicator i, long now) {
    java.io.StringWriter w = new java.io.StringWriter();
    Indicator open = i.validFrom() == Long.MIN_VALUE ? i.withValidity(0, i.validUntil()) : i;
    try (JsonGenerator g = StixImporter.JSON.getFactory().createGenerator(w)) {
      indicator(g, open, "", Timestamps.format(now));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return w.toString();
  }

  private static void identity(JsonGenerator g, String id, String name, String created) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", "identity");
    g.writeStringField("spec_version", "2.1");
    g.writeStringField("id", id);
    g.writeStringField("created", created);
    g.writeStringField("modified", created);
    g.writeStringField("name", name);
    g.writeStringField("identity_class", "organization");
    g.writeEndObject();
  }

  private static void markings(JsonGenerator g, List<Indicator> out) throws IOException {
    Set<Marking> used = new LinkedHashSet<>();
    out.forEach(i -> used.add(i.marking()));
    for (Marking m : Marking.values()) {
      if (m == Marking.NONE || !used.contains(m)) {
        continue;
      }
      g.writeStartObject();
      g.writeStringField("type", "marking-definition");
      g.writeStringField("spec_version", "2.1");
      g.writeStringField("id", m.stixId());
      g.writeStringField("created", "2022-10-01T00:00:00.000Z");
      g.writeStringField("name", m.label());
      g.writeObjectFieldStart("extensions");
      g.writeObjectFieldStart(TLP2_EXTENSION);
      g.writeStringField("extension_type", "property-extension");
      g.writeStringField("tlp_2_0", m.label().substring(4).toLowerCase(java.util.Locale.ROOT));
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
    }
  }

  private static void indicator(JsonGenerator g, Indicator i, String identityId, String created) throws IOException {
    g.writeStartObject();
    g.writeStringField("type", "indicator");
    g.writeStringField("spec_version", "2.1");
    g.writeStringField("id", i.id());
    optional(g, "created_by_ref", i.createdByRef());
    g.writeStringField("created", i.modified().isEmpty() ? created : i.modified());
    g.writeStringField("modified", i.modified().isEmpty() ? created : i.modified());
    optional(g, "name", i.name());
    optional(g, "description", i.description());
    list(g, "indicator_types", i.indicatorTypes());
    g.writeStringField("pattern", i.pattern());
    g.writeStringField("pattern_type", "stix");
    g.writeStringField("pattern_version", "2.1");
    g.writeStringField("valid_from", i.validFrom() == Long.MIN_VALUE ? created : Timestamps.format(i.validFrom()));
    if (i.validUntil() != Long.MAX_VALUE) {
      g.writeStringField("valid_until", Timestamps.format(i.validUntil()));
    }
    if (!i.killChainPhases().isEmpty()) {
      g.writeArrayFieldStart("kill_chain_phases");
      for (String k : i.killChainPhases()) {
        int colon = k.indexOf(':');
        g.writeStartObject();
        g.writeStringField("kill_chain_name", k.substring(0, colon));
        g.writeStringField("phase_name", k.substring(colon + 1));
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    list(g, "labels", i.labels());
    if (i.confidence() >= 0) {
      g.writeNumberField("confidence", i.confidence());
    }
    list(g, "object_marking_refs", markingRefs(i));
    sources(g, i);
    g.writeEndObject();
  }

  /** The TLP 2.0 reference of the effective marking, then every non-TLP reference as given. */
  static List<String> markingRefs(Indicator i) {
    List<String> refs = new ArrayList<>();
    if (i.marking() != Marking.NONE) {
      refs.add(i.marking().stixId());
    }
    for (String r : i.markingRefs()) {
      if (Marking.ofStixId(r) == null) {
        refs.add(r);
      }
    }
    return refs;
  }

  private static void sources(JsonGenerator g, Indicator i) throws IOException {
    g.writeArrayFieldStart("x_lovcen_sources");
    for (Source s : i.sources()) {
      g.writeStartObject();
      g.writeStringField("name", s.name());
      if (s.confidence() >= 0) {
        g.writeNumberField("confidence", s.confidence());
      }
      if (s.marking() != Marking.NONE) {
        g.writeStringField("marking", s.marking().label());
      }
      if (s.distribution() >= 0) {
        g.writeNumberField("distribution", s.distribution());
      }
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  private static void sighting(JsonGenerator g, Sighting s, Indicator i, String identityId, String created)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("type", "sighting");
    g.writeStringField("spec_version", "2.1");
    g.writeStringField("id", "sighting--" + uuid(identityId + i.id() + s.firstSeen()));
    g.writeStringField("created_by_ref", identityId);
    g.writeStringField("created", created);
    g.writeStringField("modified", created);
    g.writeStringField("first_seen", Timestamps.format(s.firstSeen()));
    g.writeStringField("last_seen", Timestamps.format(s.lastSeen()));
    g.writeNumberField("count", s.count());
    g.writeStringField("sighting_of_ref", i.id());
    list(g, "where_sighted_refs", List.of(identityId));
    list(g, "object_marking_refs", markingRefs(i));
    g.writeEndObject();
  }

  private static void optional(JsonGenerator g, String name, String v) throws IOException {
    if (!v.isEmpty()) {
      g.writeStringField(name, v);
    }
  }

  private static void list(JsonGenerator g, String name, List<String> values) throws IOException {
    if (values.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(name);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }

  static String uuid(String seed) {
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String ids(List<Indicator> out) {
    StringBuilder b = new StringBuilder();
    out.forEach(i -> b.append(i.id()));
    return b.toString();
  }
}
