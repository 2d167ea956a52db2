package org.lovcen.intel;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Timestamps;

/**
 * Writes indicators as one MISP event: the CERT as creating organisation, one attribute per
 * single-observable clause (or {@code filename|<hash>} for a file name with its hash), each with
 * {@code to_ids}, the TLP tag and the indicator's labels as tags, and first/last seen from its
 * sighting. TLP:RED indicators are never written; clauses with other conjunctions are left out
 * (MISP attributes hold one value). Stateless; thread-safe.
 */
final class MispExporter {
  private MispExporter() {}

  static int write(Collection<Indicator> indicators, Map<String, Sighting> sightings, String org, long now, Writer w)
      throws IOException {
    List<Indicator> out = Exports.shareable(indicators);
    String date = Timestamps.format(now).substring(0, 10);
    int written = 0;
    try (JsonGenerator g = StixImporter.JSON.getFactory().createGenerator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeObjectFieldStart("Event");
      g.writeStringField("uuid", StixExporter.uuid("misp:" + org + now));
      g.writeStringField("info", info(out));
      g.writeStringField("date", date);
      g.writeStringField("threat_level_id", "2");
      g.writeStringField("analysis", "2");
      g.writeStringField("distribution", "0");
      g.writeStringField("published", "false");
      g.writeStringField("timestamp", Long.toString(now / 1_000_000));
      g.writeObjectFieldStart("Orgc");
      g.writeStringField("name", org);
      g.writeStringField("uuid", StixExporter.uuid("identity:" + org));
      g.writeEndObject();
      g.writeArrayFieldStart("Attribute");
      for (Indicator i : out) {
        written += attributes(g, i, sightings.get(i.id()));
      }
      g.writeEndArray();
      g.writeEndObject();
      g.writeEndObject();
    }
    w.write('\n');
    return written;
  }

  private static String info(List<Indicator> out) {
    String first = out.isEmpty() ? "" : out.get(0).name();
    boolean same = !first.isEmpty() && out.stream().allMatch(i -> i.name().equals(first));
    return same ? first : "Indicators sighted by Lovcen";
  }

  private static int attributes(JsonGenerator g, Indicator i, Sighting s) throws IOException {
    int n = 0;
    List<List<Observable>> clauses = i.clauses();
    for (int c = 0; c < clauses.size(); c++) {
      String[] tv = typeValue(clauses.get(c));
      if (tv == null) {
        continue;
      }
      String uuid = clauses.size() == 1 && i.id().startsWith("indicator--") ? i.id().substring(11)
          : StixExporter.uuid(i.id() + ":" + c);
      attribute(g, i, s, uuid, tv);
      n++;
    }
    return n;
  }

  /** MISP type and value of a clause, or null when MISP has no attribute for it. */
  static String[] typeValue(List<Observable> clause) {
    if (clause.size() == 1) {
      Observable o = clause.get(0);
      return new String[] {o.type().mispType(), o.value()};
    }
    if (clause.size() == 2) {
      Observable a = clause.get(0);
      Observable b = clause.get(1);
      if (b.type() == ObservableType.FILE_NAME) {
        Observable t = a;
        a = b;
        b = t;
      }
      if (a.type() == ObservableType.FILE_NAME && b.type().isHash()) {
        return new String[] {"filename|" + b.type().mispType(), a.value() + "|" + b.value()};
      }
    }
    return null;
  }

  private static void attribute(JsonGenerator g, Indicator i, Sighting s, String uuid, String[] tv)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("uuid", uuid);
    g.writeStringField("type", tv[0]);
    g.writeStringField("category", category(tv[0]));
    g.writeStringField("value", tv[1]);
    g.writeBooleanField("to_ids", true);
    g.writeStringField("comment", i.description());
    g.writeStringField("distribution", Integer.toString(distribution(i)));
    if (s != null) {
      g.writeStringField("first_seen", Timestamps.format(s.firstSeen()));
      g.writeStringField("last_seen", Timestamps.format(s.lastSeen()));
    }
    g.writeArrayFieldStart("Tag");
    if (i.marking() != Marking.NONE) {
      tag(g, i.marking().mispTag());
    }
    for (String l : i.labels()) {
      tag(g, l);
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void tag(JsonGenerator g, String name) throws IOException {
    g.writeStartObject();
    g.writeStringField("name", name);
    g.writeEndObject();
  }

  /** The most restrictive distribution of the sources, or 5 (inherit the event's) when none gave one. */
  private static int distribution(Indicator i) {
    int d = Integer.MAX_VALUE;
    for (Source s : i.sources()) {
      if (s.distribution() >= 0) {
        d = Math.min(d, s.distribution());
      }
    }
    return d == Integer.MAX_VALUE ? 5 : d;
  }

  private static String category(String type) {
    return switch (type) {
      case "ip-dst", "ip-src", "domain", "hostname", "url" -> "Network activity";
      default -> "Payload delivery";
    };
  }
}
