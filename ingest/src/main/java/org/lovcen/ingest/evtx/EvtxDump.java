package org.lovcen.ingest.evtx;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;
import org.lovcen.core.ProblemSink;
import org.lovcen.core.Timestamps;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;

/**
 * Dumps an EVTX file as JSON lines: one object per record, in file order, holding the header
 * ({@code @record}, {@code @timestamp}, {@code @host}, {@code @channel}, {@code @provider},
 * {@code @eventId}) and then the flat fields with their JSON types (a field that occurs more
 * than once becomes an array). Stateless and thread-safe: each call uses its own reader.
 */
public final class EvtxDump {
  private static final JsonFactory JSON = new JsonFactory();

  private EvtxDump() {}

  /**
   * Writes every readable record of {@code file} to {@code out} (UTF-8, one line per record).
   * The stream is flushed, not closed.
   *
   * @param problems receives what could not be read
   * @return the number of records written
   * @throws IOException when writing to {@code out} fails
   * @throws org.lovcen.core.InputException when the file cannot be opened
   */
  public static long dump(Path file, OutputStream out, ProblemSink problems) throws IOException {
    EventSource source = new EvtxEventSource(file, file.toString(), ReadOptions.DEFAULT);
    long[] count = {0};
    JsonGenerator g = JSON.createGenerator(out);
    g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
    Event reuse = new Event();
    IOException[] failure = {null};
    for (EventSource.Split split : source.splits()) {
      split.read(reuse, e -> {
        if (failure[0] == null) {
          try {
            write(g, e);
            count[0]++;
          } catch (IOException x) {
            failure[0] = x;
          }
        }
      }, problems);
      if (failure[0] != null) {
        throw failure[0];
      }
    }
    g.flush();
    return count[0];
  }

  /** Dumps {@code file} to {@code out}, reporting problems on standard error. */
  public static long dump(Path file, OutputStream out) throws IOException {
    return dump(file, out, p -> System.err.println(p));
  }

  private static void write(JsonGenerator g, Event e) throws IOException {
    g.writeStartObject();
    g.writeNumberField("@record", e.record());
    if (e.timestamp() != Event.NO_TIME) {
      g.writeStringField("@timestamp", Timestamps.format(e.timestamp()));
    }
    optional(g, "@host", e.host());
    optional(g, "@channel", e.channel());
    optional(g, "@provider", e.provider());
    if (e.eventId() >= 0) {
      g.writeNumberField("@eventId", e.eventId());
    }
    Map<String, List<Integer>> byName = new LinkedHashMap<>();
    for (int i = 0; i < e.size(); i++) {
      byName.computeIfAbsent(e.name(i), k -> new ArrayList<>(1)).add(i);
    }
    for (Map.Entry<String, List<Integer>> f : byName.entrySet()) {
      g.writeFieldName(f.getKey());
      List<Integer> at = f.getValue();
      if (at.size() == 1) {
        value(g, e, at.get(0));
      } else {
        g.writeStartArray();
        for (int i : at) {
          value(g, e, i);
        }
        g.writeEndArray();
      }
    }
    g.writeEndObject();
    g.writeRaw('\n');
  }

  private static void optional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void value(JsonGenerator g, Event e, int i) throws IOException {
    String v = e.value(i);
    switch (e.type(i)) {
      case Event.NULL -> g.writeNull();
      case Event.BOOLEAN -> g.writeBoolean(Boolean.parseBoolean(v));
      case Event.NUMBER -> g.writeNumber(v);
      default -> g.writeString(v);
    }
  }
}
