package org.lovcen.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.lovcen.core.Event;

/*
 * How and why: one JSON object becomes one flat Event whose field names are those Sigma rules
 * use, walking the parser's tokens without building a tree. The naming rules (evtx_dump,
 * Winlogbeat/ECS, plain nested JSON) are shared with the EVTX reader in FieldNames.
 */
/** Flattens one JSON object into an {@link Event}. One instance per reading thread. */
final class JsonFlattener {
  private final FieldNames names = new FieldNames();
  private final ReadOptions options;

  JsonFlattener(ReadOptions options) {
    this.options = options;
  }

  /** Reads the object the parser is positioned at (its START_OBJECT consumed) into {@code e}. */
  void flatten(JsonParser p, Event e) throws IOException {
    names.reset();
    walkObject(p, e, FieldNames.ROOT, "");
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
      int childCtx = FieldNames.childContext(ctx, prefix, key, v == JsonToken.START_OBJECT);
      String name = names.childName(ctx, prefix, key);
      if (childCtx == FieldNames.SKIP) {
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
    names.header(e, name, value);
  }

}
