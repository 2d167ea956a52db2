package org.lovcen.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.EventRef;
import org.lovcen.core.Timestamps;

/**
 * Writes alerts as JSON lines (the versioned contract scripts read), CSV, or an aligned table.
 * Not thread-safe.
 */
final class AlertWriter {
  /** Output formats of {@code hunt}. */
  enum Format {
    TABLE,
    CSV,
    JSONL
  }

  /** Generators never close the writer they are given: it belongs to the caller. */
  static final JsonFactory JSON = JsonFactory.builder()
      .disable(com.fasterxml.jackson.core.StreamWriteFeature.AUTO_CLOSE_TARGET).build();

  private AlertWriter() {}

  static void write(List<Alert> alerts, Format format, Writer out, boolean color) {
    try {
      switch (format) {
        case JSONL -> {
          for (Alert a : alerts) {
            jsonLine(a, out);
          }
        }
        case CSV -> csv(alerts, out);
        case TABLE -> table(alerts, out, color);
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One alert as one JSON object on one line (contract: docs/OUTPUT.md). */
  static void jsonLine(Alert a, Writer out) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("kind", a.kind());
      writeTime(g, "timestamp", a.timestamp());
      g.writeStringField("rule_id", a.ruleId());
      g.writeStringField("rule_title", a.ruleTitle());
      g.writeStringField("level", a.level().label());
      g.writeStringField("author", a.author());
      g.writeArrayFieldStart("tags");
      for (String t : a.tags()) {
        g.writeString(t);
      }
      g.writeEndArray();
      g.writeStringField("institution", a.institution());
      g.writeStringField("host", a.host());
      g.writeStringField("channel", a.channel());
      if (a.eventId() >= 0) {
        g.writeNumberField("event_id", a.eventId());
      } else {
        g.writeNullField("event_id");
      }
      g.writeStringField("source", a.source());
      g.writeNumberField("record", a.record());
      g.writeObjectFieldStart("fields");
      for (Map.Entry<String, String> f : a.fields().entrySet()) {
        g.writeStringField(f.getKey(), f.getValue());
      }
      g.writeEndObject();
      if (a.kind().equals("web")) {
        writeWeb(g, a);
      } else if (a.kind().equals("indicator")) {
        writeIndicator(g, a.group());
      } else if (!a.group().isEmpty() || !a.events().isEmpty()) {
        g.writeObjectFieldStart("group");
        for (Map.Entry<String, String> f : a.group().entrySet()) {
          g.writeStringField(f.getKey(), f.getValue());
        }
        g.writeEndObject();
        writeTime(g, "first", a.timestamp());
        writeTime(g, "last", a.last());
        g.writeArrayFieldStart("events");
        for (EventRef r : a.events()) {
          g.writeStartObject();
          g.writeStringField("source", r.source());
          g.writeNumberField("record", r.record());
          writeTime(g, "timestamp", r.timestamp());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeEndObject();
    }
    out.write('\n');
  }

  /** Web detections: detector, sites, sources (a list, or their count when large), first, last. */
  private static void writeWeb(JsonGenerator g, Alert a) throws IOException {
    g.writeStringField("detector", a.ruleId());
    g.writeArrayFieldStart("sites");
    for (String s : a.group().getOrDefault("sites", "").split(",")) {
      if (!s.isEmpty()) {
        g.writeString(s);
      }
    }
    g.writeEndArray();
    String srcs = a.group().getOrDefault("sources", "");
    if (srcs.isEmpty()) {
      g.writeNumberField("sources", Long.parseLong(a.group().getOrDefault("source_count", "0")));
    } else {
      g.writeArrayFieldStart("sources");
      for (String s : srcs.split(",")) {
        g.writeString(s);
      }
      g.writeEndArray();
    }
    writeTime(g, "first", a.timestamp());
    writeTime(g, "last", a.last());
  }

  /** Proposed decisions: JSON lines of kind "decision" in jsonl; a short list in the other formats. */
  static void writeDecisions(List<org.lovcen.web.Decision> decisions, Format format, Writer out) throws IOException {
    if (format == Format.JSONL) {
      for (org.lovcen.web.Decision d : decisions) {
        decisionLine(d, out);
      }
    } else if (format == Format.TABLE && !decisions.isEmpty()) {
      out.write("\nProposed decisions: " + decisions.size() + "\n");
      for (org.lovcen.web.Decision d : decisions.subList(0, Math.min(20, decisions.size()))) {
        out.write("  " + d.action() + " " + d.scope() + " " + d.value() + " until " + Timestamps.format(d.until())
            + "  (" + d.detector() + ")\n");
      }
      if (decisions.size() > 20) {
        out.write("  ... and " + (decisions.size() - 20) + " more (use --format jsonl)\n");
      }
    }
    out.flush();
  }

  /** One decision as a JSON line (contract: docs/WEB.md). */
  static void decisionLine(org.lovcen.web.Decision d, Writer out) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("kind", "decision");
      g.writeStringField("action", d.action());
      g.writeStringField("scope", d.scope());
      g.writeStringField("value", d.value());
      writeTime(g, "since", d.since());
      writeTime(g, "until", d.until());
      g.writeStringField("reason", d.reason());
      g.writeStringField("detector", d.detector());
      g.writeStringField("site", d.site());
      g.writeEndObject();
    }
    out.write('\n');
  }

  /**
   * The indicator of a {@code kind: "indicator"} alert: id, type, value, the event field it
   * matched, its STIX pattern, marking (TLP label, null when unmarked), confidence (null when
   * unknown) and each source with its own confidence and marking.
   */
  private static void writeIndicator(JsonGenerator g, Map<String, String> i) throws IOException {
    g.writeObjectFieldStart("indicator");
    for (String k : List.of("indicator_id", "type", "value", "field", "pattern")) {
      g.writeStringField(k.equals("indicator_id") ? "id" : k, i.get(k));
    }
    String marking = i.getOrDefault("marking", "");
    g.writeStringField("marking", marking.isEmpty() ? null : marking);
    writeConfidence(g, i.getOrDefault("confidence", "-1"));
    g.writeArrayFieldStart("sources");
    for (String s : i.getOrDefault("sources", "").split(";")) {
      String[] p = s.split("\\|", -1);
      if (p[0].isEmpty() && p.length == 1) {
        continue;
      }
      g.writeStartObject();
      g.writeStringField("name", p[0]);
      writeConfidence(g, p.length > 1 ? p[1] : "-1");
      g.writeStringField("marking", p.length > 2 && !p[2].isEmpty() ? p[2].toUpperCase(Locale.ROOT) : null);
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void writeConfidence(JsonGenerator g, String c) throws IOException {
    int v = Integer.parseInt(c);
    if (v < 0) {
      g.writeNullField("confidence");
    } else {
      g.writeNumberField("confidence", v);
    }
  }

  private static void writeTime(JsonGenerator g, String name, long micros) throws IOException {
    if (micros == Event.NO_TIME) {
      g.writeNullField(name);
    } else {
      g.writeStringField(name, Timestamps.format(micros));
    }
  }

  private static void csv(List<Alert> alerts, Writer out) throws IOException {
    out.write("timestamp,level,rule_title,rule_id,tags,institution,host,channel,event_id,source,record,author,details\n");
    for (Alert a : alerts) {
      String[] cols = {Timestamps.format(a.timestamp()), a.level().label(), a.ruleTitle(), a.ruleId(),
          String.join(" ", a.tags()), nz(a.institution()), nz(a.host()), nz(a.channel()),
          a.eventId() < 0 ? "" : Integer.toString(a.eventId()), nz(a.source()), Long.toString(a.record()), a.author(),
          details(a.fields(), Integer.MAX_VALUE)};
      for (int i = 0; i < cols.length; i++) {
        if (i > 0) {
          out.write(',');
        }
        out.write(csvCell(cols[i]));
      }
      out.write('\n');
    }
  }

  static String csvCell(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /**
   * The timeline for a terminal: per detection one line (time, level, host, channel, EventID,
   * title, ATT&CK techniques) and one indented line (rule id, the rule's author as the Detection
   * Rule License requires, and key fields).
   */
  private static void table(List<Alert> alerts, Writer out, boolean color) throws IOException {
    for (Alert a : alerts) {
      String time = Timestamps.format(a.timestamp());
      if (time.length() > 20) {
        time = time.substring(0, 19) + "Z";
      }
      String level = pad(LEVELS[a.level().ordinal()], 4);
      if (color) {
        level = Colors.level(a.level()) + level + Colors.RESET;
      }
      String tags = String.join(",", Attack.shortTags(a.tags()));
      out.write(time + "  " + level + "  " + pad(nz(a.host()), 24) + "  " + pad(shortChannel(a.channel()), 12) + "  "
          + pad(a.eventId() < 0 ? "-" : Integer.toString(a.eventId()), 5) + "  " + a.ruleTitle()
          + (tags.isEmpty() ? "" : "  [" + tags + "]") + "\n");
      String d = details(a.fields(), 240);
      String by = a.author() == null || a.author().isEmpty() ? "" : " (" + a.author() + ")";
      out.write("    " + a.ruleId() + by + (d.isEmpty() ? "" : " | " + d) + "\n");
    }
  }

  private static final String[] LEVELS = {"INFO", "LOW", "MED", "HIGH", "CRIT"};

  /** {@code Microsoft-Windows-Sysmon/Operational} -> {@code Sysmon}. */
  static String shortChannel(String channel) {
    if (channel == null) {
      return "-";
    }
    String c = channel.startsWith("Microsoft-Windows-") ? channel.substring(18) : channel;
    return c.endsWith("/Operational") ? c.substring(0, c.length() - 12) : c;
  }

  private static String pad(String s, int n) {
    if (s.length() > n) {
      return s.substring(0, n - 1) + "~";
    }
    return s + " ".repeat(n - s.length());
  }

  static String details(Map<String, String> fields, int max) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> f : fields.entrySet()) {
      if (!b.isEmpty()) {
        b.append(" | ");
      }
      b.append(f.getKey()).append(": ").append(f.getValue().replace('\n', ' ').replace('\r', ' '));
      if (b.length() > max) {
        b.setLength(max - 3);
        b.append("...");
        break;
      }
    }
    return b.toString();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
