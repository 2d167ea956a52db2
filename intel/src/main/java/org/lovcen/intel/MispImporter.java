package org.lovcen.intel;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads MISP event JSON ({@code {"Event": ...}}, {@code {"response": [...]}}, a list of events)
 * and MISP feeds (a folder with {@code manifest.json} and one {@code <uuid>.json} per event).
 * Stateless; thread-safe.
 */
final class MispImporter {
  private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
      + "[0-9a-fA-F]{12}");

  private MispImporter() {}

  /** One file holding one or more events. */
  static void read(JsonNode root, Collector out) {
    List<JsonNode> events = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(e -> events.add(e.has("Event") ? e.get("Event") : e));
    } else if (root.has("response")) {
      root.get("response").forEach(e -> events.add(e.has("Event") ? e.get("Event") : e));
    } else {
      events.add(root.has("Event") ? root.get("Event") : root);
    }
    for (int i = 0; i < events.size(); i++) {
      event(events.get(i), events.size() == 1 ? "Event" : "Event[" + i + "]", out);
    }
  }

  /** A feed folder: the manifest lists the events, each in its own file. */
  static void readFeed(Path dir, String display, Collector out) throws IOException {
    JsonNode manifest = StixImporter.JSON.readTree(dir.resolve("manifest.json").toFile());
    if (manifest == null || !manifest.isObject()) {
      out.error("manifest.json", "the manifest must map event uuids to event summaries");
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = manifest.fields(); it.hasNext(); ) {
      String uuid = it.next().getKey();
      if (!UUID.matcher(uuid).matches()) {
        out.error("manifest.json " + uuid, "not an event uuid");
        continue;
      }
      Path f = dir.resolve(uuid + ".json");
      if (!Files.isRegularFile(f)) {
        out.error(uuid + ".json", "listed in manifest.json but missing");
        continue;
      }
      try {
        JsonNode e = StixImporter.JSON.readTree(f.toFile());
        event(e.has("Event") ? e.get("Event") : e, uuid + ".json Event", out);
      } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
        out.error(uuid + ".json line " + ex.getLocation().getLineNr(), "malformed JSON: " + ex.getOriginalMessage());
      }
    }
  }

  private static void event(JsonNode e, String position, Collector out) {
    if (e == null || !e.isObject()) {
      out.error(position, "an event must be a JSON object");
      return;
    }
    List<String> tags = new ArrayList<>();
    Marking marking = tags(e, tags);
    galaxies(e, tags);
    String org = e.path("Orgc").path("name").asText(e.path("Org").path("name").asText(""));
    int distribution = distribution(e.path("distribution"), -1);
    Context ctx = new Context(e.path("info").asText(""), org.isEmpty() ? out.file : org, marking, distribution,
        tags);
    attributes(e.path("Attribute"), position + ".Attribute", ctx, out);
    JsonNode objects = e.path("Object");
    for (int i = 0; i < objects.size(); i++) {
      attributes(objects.get(i).path("Attribute"), position + ".Object[" + i + "].Attribute", ctx, out);
    }
  }

  private record Context(String info, String org, Marking marking, int distribution, List<String> tags) {}

  private static void attributes(JsonNode list, String position, Context ctx, Collector out) {
    for (int i = 0; i < list.size(); i++) {
      JsonNode a = list.get(i);
      String where = position + "[" + i + "]" + (a.has("uuid") ? " " + a.path("uuid").asText() : "");
      if (!toIds(a.get("to_ids"))) {
        out.skipped++;
        continue;
      }
      try {
        out.add(attribute(a, ctx, out.file));
      } catch (IntelException ex) {
        out.reject(where, ex);
      }
    }
  }

  private static boolean toIds(JsonNode v) {
    return v != null && (v.asBoolean(false) || v.asText("").equals("1"));
  }

  private static Indicator attribute(JsonNode a, Context ctx, String file) {
    String type = a.path("type").asText("");
    String value = a.path("value").asText("");
    if (type.isEmpty() || value.isEmpty()) {
      throw new IntelException("attribute", "", "attribute without type or value");
    }
    List<List<Observable>> clauses = clauses(type, value);
    List<String> labels = new ArrayList<>(ctx.tags());
    Marking m = ctx.marking().max(tags(a, labels));
    int dist = distribution(a.path("distribution"), ctx.distribution());
    String uuid = a.path("uuid").asText("");
    String id = UUID.matcher(uuid).matches() ? "indicator--" + uuid.toLowerCase(Locale.ROOT) : null;
    Source src = new Source(ctx.org(), file, -1, m, dist);
    return new Indicator(id, ctx.info(), a.path("comment").asText(""), clauses, Long.MIN_VALUE, Long.MAX_VALUE,
        false, labels.stream().distinct().toList(), List.of(), List.of(), "", m == Marking.NONE ? List.of()
        : List.of(m.stixId()), "", List.of(src));
  }

  /** The clauses of a MISP attribute type; composite types become AND (file name and hash) or OR. */
  static List<List<Observable>> clauses(String type, String value) {
    int bar = value.indexOf('|');
    String left = bar < 0 ? value : value.substring(0, bar);
    String right = bar < 0 ? "" : value.substring(bar + 1);
    return switch (type) {
      case "ip-src", "ip-dst" -> List.of(List.of(address(value)));
      case "ip-src|port", "ip-dst|port" -> List.of(List.of(address(composite(type, left, right))));
      case "domain", "hostname" -> List.of(List.of(Observable.of(ObservableType.DOMAIN, value)));
      case "domain|ip" -> List.of(List.of(Observable.of(ObservableType.DOMAIN, composite(type, left, right))),
          List.of(address(right)));
      case "hostname|port" -> List.of(List.of(Observable.of(ObservableType.DOMAIN, composite(type, left, right))));
      case "url" -> List.of(List.of(Observable.of(ObservableType.URL, value)));
      case "md5", "sha1", "sha256", "sha512" -> List.of(List.of(Observable.of(hash(type), value)));
      case "filename" -> List.of(List.of(Observable.of(ObservableType.FILE_NAME, value)));
      case "filename|md5", "filename|sha1", "filename|sha256", "filename|sha512" -> List.of(List.of(
          Observable.of(ObservableType.FILE_NAME, composite(type, left, right)),
          Observable.of(hash(type.substring(9)), right)));
      default -> throw new IntelException("attribute", "", "attribute type '" + type + "' is not matched", true);
    };
  }

  private static String composite(String type, String left, String right) {
    if (right.isEmpty()) {
      throw new IntelException("attribute", "", type + " value needs two parts separated by '|'");
    }
    return left;
  }

  private static Observable address(String v) {
    return Observable.of(v.indexOf(':') >= 0 ? ObservableType.IPV6 : ObservableType.IPV4, v);
  }

  private static ObservableType hash(String t) {
    return switch (t) {
      case "md5" -> ObservableType.MD5;
      case "sha1" -> ObservableType.SHA1;
      case "sha256" -> ObservableType.SHA256;
      default -> ObservableType.SHA512;
    };
  }

  /** Adds the non-TLP tag names to {@code labels}; returns the most restrictive TLP tag. */
  private static Marking tags(JsonNode o, List<String> labels) {
    Marking m = Marking.NONE;
    for (JsonNode t : o.path("Tag")) {
      String name = t.path("name").asText("");
      Marking tlp = name.toLowerCase(Locale.ROOT).startsWith("tlp:") ? Marking.ofLabel(name) : null;
      if (tlp != null) {
        m = m.max(tlp);
      } else if (!name.isEmpty()) {
        labels.add(name);
      }
    }
    return m;
  }

  private static void galaxies(JsonNode e, List<String> labels) {
    for (JsonNode g : e.path("Galaxy")) {
      for (JsonNode c : g.path("GalaxyCluster")) {
        String tag = c.path("tag_name").asText("");
        if (!tag.isEmpty() && !labels.contains(tag)) {
          labels.add(tag);
        }
      }
    }
  }

  /** MISP distribution 0-4 as given, 5 ("inherit event") and absent as {@code inherited}. */
  private static int distribution(JsonNode v, int inherited) {
    if (v == null || v.isMissingNode() || v.isNull()) {
      return inherited;
    }
    int d = v.asInt(-1);
    return d == 5 || d < 0 ? inherited : d;
  }
}
