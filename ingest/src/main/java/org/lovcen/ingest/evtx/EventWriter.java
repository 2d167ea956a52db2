package org.lovcen.ingest.evtx;

import org.lovcen.core.Event;
import org.lovcen.ingest.FieldNames;
import org.lovcen.ingest.ReadOptions;

/*
 * How and why: the rendered XML of a record is turned into flat fields exactly as the JSON
 * reader flattens evtx_dump's JSON for the same record, without building either tree. The
 * evtx_dump mapping from XML to JSON is reproduced element by element:
 *
 *  - an element without (non-null) attributes, children or text is null;
 *  - one with only text is that value; one with attributes gets "#attributes" (null-valued
 *    attributes are dropped) and its text goes to "#text";
 *  - <Data Name="X">v</Data> becomes "X": v (other attributes dropped); <Data>v</Data> without
 *    a Name becomes "Data": {"#text": v}.
 *
 * and then the JSON reader's naming rules: System leaves joined with '_' without the markup
 * segments, EventData/UserData children by their own (dotted) names with UserData's wrapper
 * dropped, anything else as dotted paths. Elements repeated under one parent keep their name
 * each time (as the elements of a JSON array would). Header fields are taken from the
 * well-known names as fields are added, with the same precedence as the JSON reader.
 */
/** Receives the rendered elements of one record and fills an {@link Event}. One per reading thread. */
final class EventWriter {
  static final int MAX_DEPTH = 96;

  private static final int ROOT = FieldNames.ROOT;
  private static final int SKIP = FieldNames.SKIP;

  private static final int KIND_PLAIN = 0;
  private static final int KIND_NAMED_DATA = 1;
  private static final int KIND_UNNAMED_DATA = 2;

  private final FieldNames names = new FieldNames();
  private ReadOptions options;
  private String file;

  // per open element
  private final String[] element = new String[MAX_DEPTH + 1];
  private final int[] ctx = new int[MAX_DEPTH + 1];
  private final String[] name = new String[MAX_DEPTH + 1];
  private final int[] kind = new int[MAX_DEPTH + 1];
  private final boolean[] object = new boolean[MAX_DEPTH + 1];
  private final Text[] content = new Text[MAX_DEPTH + 1];
  private int depth;

  // attributes of the element whose start tag is open
  private String[] attrNames = new String[8];
  private Text[] attrValues = new Text[8];
  private int attrCount;

  private Event event;
  private int fieldBudget;

  EventWriter() {
    for (int i = 0; i < content.length; i++) {
      content[i] = new Text();
    }
    for (int i = 0; i < attrValues.length; i++) {
      attrValues[i] = new Text();
    }
    ctx[0] = ROOT;
    name[0] = "";
  }

  /** Sets the file and options for the records that follow. */
  void use(String file, ReadOptions options) {
    this.file = file;
    this.options = options;
  }

  /** Starts a record: {@code e} is cleared by the caller. */
  void begin(Event e, int maxFields) {
    event = e;
    depth = 0;
    attrCount = 0;
    names.reset();
    fieldBudget = maxFields;
  }

  /** Applies the reading options once the record is complete. */
  void end() {
    if (options.host() != null) {
      event.host(options.host());
    }
    event.institution(options.institution());
  }

  int depth() {
    return depth;
  }

  /** Opens the start tag of an element; returns false when nesting is too deep. */
  boolean open(String elementName) {
    if (depth == MAX_DEPTH) {
      return false;
    }
    depth++;
    element[depth] = elementName;
    content[depth].clear();
    attrCount = 0;
    return true;
  }

  /** Adds an attribute to the open start tag; returns the text to fill with its value. */
  Text attribute(String attrName) {
    if (attrCount == attrNames.length) {
      attrNames = java.util.Arrays.copyOf(attrNames, attrCount * 2);
      attrValues = java.util.Arrays.copyOf(attrValues, attrCount * 2);
      for (int i = attrCount; i < attrValues.length; i++) {
        attrValues[i] = new Text();
      }
    }
    attrNames[attrCount] = attrName;
    Text t = attrValues[attrCount++];
    t.clear();
    return t;
  }

  /** The text of the current element's content. */
  Text content() {
    return content[depth];
  }

  /** Closes the start tag: names the element and emits its attributes. */
  void closeStart() {
    int parentCtx = ctx[depth - 1];
    String parentName = name[depth - 1];
    object[depth - 1] = true;
    String el = element[depth];
    String key = el;
    int k = KIND_PLAIN;
    if (el.equals("Data")) {
      Text n = attr("Name");
      if (n != null) {
        key = n.count() == 0 ? "" : String.valueOf(n.value(0));
        k = KIND_NAMED_DATA;
      } else {
        k = KIND_UNNAMED_DATA;
      }
    }
    int c = FieldNames.childContext(parentCtx, parentName, key, true);
    String nm = parentCtx == SKIP ? "" : names.childName(parentCtx, parentName, key);
    ctx[depth] = parentCtx == SKIP ? SKIP : c;
    name[depth] = nm;
    kind[depth] = k;
    object[depth] = false;
    if (k == KIND_PLAIN) {
      attributes(c, nm);
    }
    attrCount = 0;
  }

  private Text attr(String attrName) {
    for (int i = 0; i < attrCount; i++) {
      if (attrNames[i].equals(attrName) && attrValues[i].present()) {
        return attrValues[i];
      }
    }
    return null;
  }

  private void attributes(int c, String nm) {
    boolean any = false;
    for (int i = 0; i < attrCount; i++) {
      any |= attrValues[i].present();
    }
    if (!any) {
      return;
    }
    object[depth] = true;
    int ac = FieldNames.childContext(c, nm, "#attributes", true);
    if (ac == SKIP || ctx[depth] == SKIP) {
      return;
    }
    String prefix = names.childName(c, nm, "#attributes");
    for (int i = 0; i < attrCount; i++) {
      Text v = attrValues[i];
      if (v.present()) {
        emit(names.childName(ac, prefix, attrNames[i]), v);
      }
    }
  }

  /** Ends the current element: emits its text, or null when it has nothing at all. */
  void endElement() {
    Text t = content[depth];
    int c = ctx[depth];
    if (c != SKIP) {
      String nm = name[depth];
      switch (kind[depth]) {
        case KIND_NAMED_DATA -> {
          if (t.present()) {
            emit(object[depth] ? names.childName(c, nm, "#text") : nm, t);
          } else if (!object[depth]) {
            emitNull(nm);
          }
        }
        case KIND_UNNAMED_DATA -> {
          if (t.present()) {
            emit(names.childName(c, nm, "#text"), t);
          }
        }
        default -> {
          if (t.present()) {
            emit(object[depth] ? names.childName(c, nm, "#text") : nm, t);
          } else if (!object[depth]) {
            emitNull(nm);
          }
        }
      }
    }
    t.clear();
    depth--;
  }

  private void emit(String fieldName, Text t) {
    String n = fieldName.isEmpty() ? "Data" : fieldName;
    int count = t.count();
    for (int i = 0; i < count; i++) {
      add(n, t.value(i), t.type(i));
    }
  }

  private void emitNull(String fieldName) {
    add(fieldName.isEmpty() ? "Data" : fieldName, null, Event.NULL);
  }

  private void add(String n, String value, byte type) {
    if (--fieldBudget < 0) {
      throw new EvtxFormatException(file, -1, "record has too many fields");
    }
    event.add(n, value, type);
    names.header(event, n, value);
  }
}
