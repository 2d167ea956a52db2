package org.lovcen.server.taxii;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;
import org.lovcen.intel.Indicator;
import org.lovcen.intel.Intel;
import org.lovcen.intel.IntelException;
import org.lovcen.intel.Marking;
import org.lovcen.server.intel.LiveIndicators;
import org.lovcen.store.Database;
import org.lovcen.store.TaxiiStore;

/*
 * How and why: adding objects to a collection checks every object alone, so one malformed object
 * is a failure in the status resource with its reason while the rest are stored. An object is
 * refused when it is no STIX 2.1 object (type, id of that type, spec_version 2.1, RFC 3339 UTC
 * modified/created), when it is a malformed indicator, or when its TLP marking (the most
 * restrictive TLP marking definition in object_marking_refs; none counts as the collection's
 * default) is above what the collection may carry. Indicators among the stored objects become
 * server indicators (source: the partner or the national CERT) when the caller asks for it, which
 * republishes the live set and starts a retro-hunt. Adds are serialised (date_added is assigned
 * in one increasing sequence per collection).
 */
/** Adds objects to TAXII collections and renders their status. Thread-safe. */
public final class TaxiiCollections {
  /** The media type of the objects a collection holds. */
  public static final String STIX_MEDIA = "application/stix+json;version=2.1";
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9-]{1,248}[a-z0-9]");
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final TaxiiStore store;
  private final LiveIndicators indicators;

  public TaxiiCollections(Database db, LiveIndicators indicators) {
    this.store = new TaxiiStore(db);
    this.indicators = indicators;
  }

  /** One outcome of an add, as in a status resource. */
  record Outcome(String id, String version, String message) {
    Map<String, Object> json() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      m.put("version", version);
      if (message != null) {
        m.put("message", message);
      }
      return m;
    }
  }

  /** A checked object ready to store, with its indicator when it is one Lovcen matches. */
  record Checked(TaxiiStore.NewObject object, Indicator indicator, String note) {}

  /**
   * Adds the objects of an envelope or bundle ({@code objects}, a JSON array) to a collection and
   * stores the status resource.
   *
   * @param user who asked (the status is theirs)
   * @param source the source name of indicators taken in, or null to take none in
   * @return the status resource
   */
  public Map<String, Object> add(TaxiiStore.Collection c, JsonNode objects, String user, String source) {
    long requested = now();
    List<Outcome> successes = new ArrayList<>();
    List<Outcome> failures = new ArrayList<>();
    List<Checked> ok = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      JsonNode o = objects.get(i);
      try {
        ok.add(check(c, o, source));
      } catch (IllegalArgumentException e) {
        failures.add(new Outcome(idOf(o, i), versionOf(o), e.getMessage()));
      }
    }
    long[] added = store(c, ok);
    List<Indicator> taken = new ArrayList<>();
    for (int i = 0; i < ok.size(); i++) {
      Checked k = ok.get(i);
      String note = added[i] < 0 ? "already in the collection" : k.note();
      successes.add(new Outcome(k.object().objectId(), versionText(k.object(), added[i]), note));
      if (k.indicator() != null) {
        taken.add(k.indicator());
      }
    }
    if (source != null && !taken.isEmpty()) {
      indicators.add(taken, "taxii:" + c.id(), source, Marking.values()[c.defaultMarking()]);
    }
    TaxiiStore.Status s = new TaxiiStore.Status(UUID.randomUUID().toString(), c.id(), user, "complete", requested,
        objects.size(), successes.size(), failures.size(), 0, details(successes, failures));
    store.saveStatus(s);
    return status(s);
  }

  /**
   * Stores the checked objects. Adds are serialised here; another process adding to the same
   * collection at the same moment makes a date_added collide, and the add is retried.
   */
  private synchronized long[] store(TaxiiStore.Collection c, List<Checked> ok) {
    List<TaxiiStore.NewObject> objects = new ArrayList<>(ok.size());
    ok.forEach(k -> objects.add(k.object()));
    for (int attempt = 1; ; attempt++) {
      try {
        return objects.isEmpty() ? new long[0] : store.addObjects(c.id(), objects, now());
      } catch (org.jdbi.v3.core.JdbiException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  static Checked check(TaxiiStore.Collection c, JsonNode o, String source) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String type = text(o, "type");
    if (type == null || !TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("missing or invalid type (3 to 250 of a-z, 0-9, '-')");
    }
    String id = text(o, "id");
    if (id == null || !id.startsWith(type + "--") || !UUID_TEXT.matcher(id.substring(type.length() + 2)).matches()) {
      throw new IllegalArgumentException("missing or invalid id (" + type + "--<UUID>)");
    }
    String spec = text(o, "spec_version");
    if (spec == null && (o.has("created") || o.has("modified"))) {
      throw new IllegalArgumentException("missing spec_version (STIX 2.1 objects carry \"spec_version\": \"2.1\")");
    }
    if (spec != null && !spec.equals("2.1")) {
      throw new IllegalArgumentException("spec_version '" + spec + "' is not supported (only 2.1)");
    }
    String versionField = o.has("modified") ? "modified" : o.has("created") ? "created" : null;
    String versionText = versionField == null ? "" : text(o, versionField);
    if (versionText == null) {
      throw new IllegalArgumentException(versionField + " is not a string (an RFC 3339 UTC timestamp)");
    }
    long version = versionText.isEmpty() ? 0 : time(versionText, versionField);
    Marking m = marking(o);
    Marking effective = m == Marking.NONE ? Marking.values()[c.defaultMarking()] : m;
    if (effective.ordinal() > c.maxMarking()) {
      throw new IllegalArgumentException((m == Marking.NONE ? "the collection's default " : "") + effective.label()
          + " is above what collection '" + c.id() + "' may carry (" + Marking.values()[c.maxMarking()].label() + ")");
    }
    Indicator indicator = null;
    String note = null;
    if (type.equals("indicator")) {
      try {
        indicator = Intel.indicator(o, source == null ? "taxii" : source);
      } catch (IntelException e) {
        if (!e.unsupported()) {
          throw new IllegalArgumentException("malformed indicator: " + e.reason());
        }
        note = "stored, not matched: " + e.reason();
      }
    }
    TaxiiStore.NewObject n = new TaxiiStore.NewObject(id, type, "2.1", version, versionText, m.ordinal(), o.toString());
    return new Checked(n, indicator, note);
  }

  /** The most restrictive TLP of the object's marking references, or NONE. */
  static Marking marking(JsonNode o) {
    Marking m = Marking.NONE;
    JsonNode refs = o.get("object_marking_refs");
    if (refs != null && refs.isArray()) {
      for (JsonNode r : refs) {
        Marking t = r.isTextual() ? Marking.ofStixId(r.asText()) : null;
        m = t == null ? m : m.max(t);
      }
    }
    return m;
  }

  private static long time(String v, String field) {
    long t = Timestamps.parse(v);
    if (t == Event.NO_TIME || !v.endsWith("Z")) {
      throw new IllegalArgumentException(field + " '" + v + "' is not an RFC 3339 UTC timestamp");
    }
    return t;
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }

  private static String idOf(JsonNode o, int index) {
    String id = o == null || !o.isObject() ? null : text(o, "id");
    return id == null ? "objects[" + index + "]" : id;
  }

  private static String versionOf(JsonNode o) {
    if (o == null || !o.isObject()) {
      return "";
    }
    String v = text(o, "modified");
    v = v == null ? text(o, "created") : v;
    return v == null ? "" : v;
  }

  /** The version as served: the object's modified (or created), else its date_added. */
  static String versionText(TaxiiStore.NewObject o, long dateAdded) {
    return !o.versionText().isEmpty() || dateAdded < 0 ? o.versionText() : Timestamps.format(dateAdded);
  }

  private static String details(List<Outcome> successes, List<Outcome> failures) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("successes", successes.stream().map(Outcome::json).toList());
    m.put("failures", failures.stream().map(Outcome::json).toList());
    try {
      return JSON.writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The status resource of a stored status (empty lists left out, as TAXII requires). */
  static Map<String, Object> status(TaxiiStore.Status s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id());
    m.put("status", s.status());
    m.put("request_timestamp", Timestamps.format(s.requestTs()));
    m.put("total_count", s.total());
    m.put("success_count", s.success());
    try {
      JsonNode d = JSON.readTree(s.details());
      putList(m, "successes", d.path("successes"));
      m.put("failure_count", s.failure());
      putList(m, "failures", d.path("failures"));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      m.put("failure_count", s.failure());
    }
    m.put("pending_count", s.pending());
    return m;
  }

  private static void putList(Map<String, Object> m, String name, JsonNode list) {
    if (list.isArray() && !list.isEmpty()) {
      m.put(name, list);
    }
  }

  /** TLP rank of a label ({@code amber}, {@code TLP:AMBER+STRICT}, …); IllegalArgumentException otherwise. */
  public static int rank(String label) {
    Marking m = label == null ? null : Marking.ofLabel(label);
    if (m == null) {
      throw new IllegalArgumentException("'" + label + "' is no TLP level (clear, green, amber, amber+strict, red)");
    }
    return m.ordinal();
  }

  /** The lower-case TLP name of a rank ({@code amber+strict}). */
  public static String label(int rank) {
    Marking m = Marking.values()[rank];
    return m == Marking.NONE ? "" : m.label().substring(4).toLowerCase(Locale.ROOT);
  }

  static long now() {
    return System.currentTimeMillis() * 1000;
  }
}
