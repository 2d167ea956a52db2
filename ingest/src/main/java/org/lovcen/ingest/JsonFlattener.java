package org.lovcen.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/*
 * How and why: one JSON object becomes one flat Event whose field names are those Sigma rules
 * use. Three shapes are recognised while walking the tokens (no tree is built):
 *
 *  - evtx_dump style: {"Event": {"System": {...}, "EventData": {...} | "UserData": {W: {...}}}}.
 *    System leaves are joined with '_' without the #attributes/#text segments
 *    (Provider.#attributes.Name -> Provider_Name, EventID.#text -> EventID), as the Sigma
 *    specification names them. EventData children keep their own names without spaces (as the
 *    specification asks: "Threat Name" -> ThreatName); UserData's single wrapper element is
 *    dropped.
 *  - Winlogbeat / ECS: winlog.event_data.X -> X, winlog.event_id -> EventID, winlog.channel ->
 *    Channel, winlog.computer_name -> Computer, ...; all other keys keep their dotted ECS path.
 *  - flat or other nested JSON: dotted paths.
 *
 * Joined names are cached per reader, so steady-state flattening allocates only value strings.
 * Header fields (time, host, channel, provider, EventID) are taken from the well-known names as
 * they are added.
 */
/** Flattens one JSON object into an {@link Event}. One instance per reading thread. */
final class JsonFlattener {
  private static final int ROOT = 0;
  private static final int EVENT = 1;
  private static final int SYSTEM = 2;
  private static final int DATA = 3;
  private static final int USERDATA = 4;
  private static final int WINLOG = 5;
  private static final int PLAIN = 6;
  private static final int SKIP = 7;

  private final HashMap<String, HashMap<String, String>> dotted = new HashMap<>();
  private final HashMap<String, HashMap<String, String>> underscored = new HashMap<>();
  private final HashMap<String, String> spaceless = new HashMap<>();
  private final ReadOptions options;
  private String timeFieldSeen;

  JsonFlattener(ReadOptions options) {
    this.options = options;
  }

  /** Reads the object the parser is positioned at (its START_OBJECT consumed) into {@code e}. */
  void flatten(JsonParser p, Event e) throws IOException {
    timeFieldSeen = null;
    walkObject(p, e, ROOT, "");
    if (options.host() != null) {
      e.host(options.host());
    }
    e.institution(options.institution());
  }

  private void walkObject(JsonParser p, Event e, int ctx, String prefix) throws IOException {
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      JsonToken v = p.nextToken();
      int childCtx = childContext(ctx, prefix, key, v);
      String name = childName(ctx, prefix, key);
      if (childCtx == SKIP) {
        p.skipChildren();
      } else if (v == JsonToken.START_OBJECT) {
        walkObject(p, e, childCtx, name);
      } else if (v == JsonToken.START_ARRAY) {
        walkArray(p, e, childCtx, name);
      } else {
        addScalar(p, v, e, name);
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("unexpected token " + t);
    }
  }

  private void walkArray(JsonParser p, Event e, int ctx, String name) throws IOException {
    JsonToken v;
    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
      if (v == null) {
        throw new IOException("unexpected end of input in array");
      }
      if (v == JsonToken.START_OBJECT) {
        walkObject(p, e, ctx, name);
      } else if (v == JsonToken.START_ARRAY) {
        walkArray(p, e, ctx, name);
      } else {
        addScalar(p, v, e, name);
      }
    }
  }

  private static int childContext(int ctx, String prefix, String key, JsonToken v) {
    return switch (ctx) {
      case ROOT -> switch (key) {
        case "Event" -> v == JsonToken.START_OBJECT ? EVENT : PLAIN;
        case "System" -> SYSTEM;
        case "EventData" -> DATA;
        case "UserData" -> USERDATA;
        case "winlog" -> WINLOG;
        default -> PLAIN;
      };
      case EVENT -> switch (key) {
        case "System" -> SYSTEM;
        case "EventData" -> DATA;
        case "UserData" -> USERDATA;
        case "#attributes" -> SKIP;
        default -> PLAIN;
      };
      case WINLOG -> key.equals("event_data") || key.equals("user_data") ? DATA : PLAIN;
      case USERDATA -> key.equals("#attributes") ? SKIP : DATA;
      case DATA -> prefix.isEmpty() && key.equals("#attributes") ? SKIP : DATA;
      default -> ctx;
    };
  }

  /** The flat name of {@code key} inside {@code prefix} for a context. */
  private String childName(int ctx, String prefix, String key) {
    return switch (ctx) {
      case ROOT -> switch (key) {
        case "Event", "System", "EventData", "UserData" -> "";
        default -> key;
      };
      case EVENT, USERDATA -> "";
      case SYSTEM -> isMarkup(key) ? prefix : join(underscored, prefix, key, '_');
      case DATA -> isMarkup(key) ? prefix : join(dotted, prefix, spaceless(key), '.');
      case WINLOG -> winlogName(key);
      default -> join(dotted, prefix, key, '.');
    };
  }

  private String winlogName(String key) {
    return switch (key) {
      case "event_id" -> "EventID";
      case "channel" -> "Channel";
      case "computer_name" -> "Computer";
      case "provider_name" -> "Provider_Name";
      case "provider_guid" -> "Provider_Guid";
      case "record_id" -> "EventRecordID";
      case "event_data", "user_data" -> "";
      default -> join(dotted, "winlog", key, '.');
    };
  }

  /**
   * EventData names as Sigma writes them: "use them as they appear in the log source and strip
   * all spaces" (Defender's "Threat Name" is {@code ThreatName}).
   */
  private String spaceless(String key) {
    if (key.indexOf(' ') < 0) {
      return key;
    }
    return spaceless.computeIfAbsent(key, k -> k.replace(" ", ""));
  }

  private static boolean isMarkup(String key) {
    return key.equals("#attributes") || key.equals("#text");
  }

  private static String join(HashMap<String, HashMap<String, String>> cache, String prefix, String key, char sep) {
    if (prefix.isEmpty()) {
      return key;
    }
    HashMap<String, String> m = cache.computeIfAbsent(prefix, k -> new HashMap<>());
    String s = m.get(key);
    if (s == null) {
      s = prefix + sep + key;
      m.put(key, s);
    }
    return s;
  }

  private void addScalar(JsonParser p, JsonToken v, Event e, String name) throws IOException {
    String value;
    byte type;
    switch (v) {
      case VALUE_STRING -> {
        value = p.getText();
        type = Event.STRING;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        value = p.getText();
        type = Event.NUMBER;
      }
      case VALUE_TRUE -> {
        value = "true";
        type = Event.BOOLEAN;
      }
      case VALUE_FALSE -> {
        value = "false";
        type = Event.BOOLEAN;
      }
      case VALUE_NULL -> {
        value = null;
        type = Event.NULL;
      }
      default -> throw new IOException("unexpected token " + v);
    }
    if (name.isEmpty()) {
      name = "Data";
    }
    e.add(name, value, type);
    header(e, name, value);
  }

  private void header(Event e, String name, String value) {
    if (value == null) {
      return;
    }
    switch (name) {
      case "EventID" -> e.eventId(parseEventId(value));
      case "event.code" -> {
        if (e.eventId() < 0) {
          e.eventId(parseEventId(value));
        }
      }
      case "Channel" -> e.channel(value);
      case "Computer" -> e.host(value);
      case "host.name", "host.hostname", "hostname", "host" -> {
        if (e.host() == null) {
          e.host(value);
        }
      }
      case "Provider_Name" -> e.provider(value);
      case "TimeCreated_SystemTime", "@timestamp", "timestamp", "Timestamp", "time", "EventTime", "UtcTime" ->
          time(e, name, value);
      default -> {}
    }
  }

  /** The first time field wins, except that the System time beats any EventData time. */
  private void time(Event e, String name, String value) {
    boolean authoritative = name.equals("TimeCreated_SystemTime") || name.equals("@timestamp");
    if (timeFieldSeen != null && !authoritative) {
      return;
    }
    long t = Timestamps.parse(value);
    if (t != Event.NO_TIME && (timeFieldSeen == null || authoritative)) {
      e.timestamp(t);
      timeFieldSeen = name;
    }
  }

  static int parseEventId(String s) {
    int v = 0;
    int n = s.length();
    if (n == 0 || n > 9) {
      return -1;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
