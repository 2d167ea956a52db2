package org.lovcen.ingest;

import java.util.HashMap;
import org.lovcen.core.Event;
import org.lovcen.core.Timestamps;

/*
 * How and why: every reader of Windows events (evtx_dump-style JSON, Winlogbeat/ECS JSON, the
 * native EVTX decoder) must give a field the same name, or a rule would match one input and not
 * the other. The rules live here once:
 *
 *  - evtx_dump shape {"Event": {"System": {...}, "EventData": {...} | "UserData": {W: {...}}}}:
 *    System leaves are joined with '_' without the #attributes/#text segments
 *    (Provider.#attributes.Name -> Provider_Name, EventID.#text -> EventID), as the Sigma
 *    specification names them; EventData children keep their own names without spaces ("use
 *    them as they appear in the log source and strip all spaces": "Threat Name" -> ThreatName);
 *    UserData's single wrapper element is dropped.
 *  - Winlogbeat / ECS: winlog.event_data.X -> X, winlog.event_id -> EventID, winlog.channel ->
 *    Channel, winlog.computer_name -> Computer, ...; other keys keep their dotted ECS path.
 *  - anything else: dotted paths.
 *
 * Joined names are cached (bounded, so hostile input cannot grow the cache without limit). The
 * header (time, host, channel, provider, EventID) is taken from the well-known names as fields
 * are added.
 */
/** Flat field names for nested event documents, and header extraction. One per reading thread. */
public final class FieldNames {
  /** Contexts of a nested element, from the document root down. */
  public static final int ROOT = 0;
  public static final int EVENT = 1;
  public static final int SYSTEM = 2;
  public static final int DATA = 3;
  public static final int USERDATA = 4;
  public static final int WINLOG = 5;
  public static final int PLAIN = 6;
  /** An element whose content is not turned into fields. */
  public static final int SKIP = 7;

  private static final int CACHE_LIMIT = 4096;

  private final HashMap<String, HashMap<String, String>> dotted = new HashMap<>();
  private final HashMap<String, HashMap<String, String>> underscored = new HashMap<>();
  private final HashMap<String, String> spaceless = new HashMap<>();
  private String timeField;

  /** Call before each record: forgets which time field was seen. */
  public void reset() {
    timeField = null;
  }

  /** The context of child {@code key} of an element in context {@code ctx} named {@code prefix}. */
  public static int childContext(int ctx, String prefix, String key, boolean isObject) {
    return switch (ctx) {
      case ROOT -> switch (key) {
        case "Event" -> isObject ? EVENT : PLAIN;
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

  /** The flat name of child {@code key} of an element in context {@code ctx} named {@code prefix}. */
  public String childName(int ctx, String prefix, String key) {
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

  private String spaceless(String key) {
    if (key.indexOf(' ') < 0) {
      return key;
    }
    String s = spaceless.get(key);
    if (s == null) {
      s = key.replace(" ", "");
      if (spaceless.size() < CACHE_LIMIT) {
        spaceless.put(key, s);
      }
    }
    return s;
  }

  private static boolean isMarkup(String key) {
    return key.equals("#attributes") || key.equals("#text");
  }

  private static String join(HashMap<String, HashMap<String, String>> cache, String prefix, String key, char sep) {
    if (prefix.isEmpty()) {
      return key;
    }
    HashMap<String, String> m = cache.get(prefix);
    if (m == null) {
      if (cache.size() > CACHE_LIMIT) {
        cache.clear();
      }
      m = new HashMap<>();
      cache.put(prefix, m);
    }
    String s = m.get(key);
    if (s == null) {
      s = prefix + sep + key;
      if (m.size() < CACHE_LIMIT) {
        m.put(key, s);
      }
    }
    return s;
  }

  /** Sets the event's header from a field just added, when its name is a well-known one. */
  public void header(Event e, String name, String value) {
    if (value == null) {
      return;
    }
    switch (name) {
      case "EventID" -> e.eventId(e.eventId() < 0 || e.eventId() == parseEventId(value) ? parseEventId(value) : -1);
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

  /** The first time field wins, except that the System time (or @timestamp) beats any other. */
  private void time(Event e, String name, String value) {
    boolean authoritative = name.equals("TimeCreated_SystemTime") || name.equals("@timestamp");
    if (timeField != null && !authoritative) {
      return;
    }
    long t = Timestamps.parse(value);
    if (t != Event.NO_TIME) {
      e.timestamp(t);
      timeField = name;
    }
  }

  /** A decimal EventID, or -1. */
  public static int parseEventId(String s) {
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
