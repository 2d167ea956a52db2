package org.lovcen.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/*
 * How and why: JSON access logs differ only in key names and nesting (nginx `log_format ...
 * escape=json` with flat keys, Caddy's nested `request.headers.User-Agent: [..]`, ECS's dotted
 * `http.request.method`), so one streaming pass flattens keys into dotted paths, keeps the first
 * element of an array, and maps each path to a record slot through Slots. Unknown keys are
 * skipped without building their values.
 */
/** Parser of JSON access-log lines (nginx json, Caddy, ECS). Per thread: not thread-safe. */
final class JsonLineParser implements LineParser {
  private static final JsonFactory JSON = new JsonFactory();
  private final StringBuilder path = new StringBuilder(64);
  private final Slots.ClfTime clf = new Slots.ClfTime();

  @Override
  public String parse(byte[] buf, int off, int len, AccessRecord r) {
    try (JsonParser p = JSON.createParser(buf, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return "not a JSON object";
      }
      path.setLength(0);
      String bad = object(p, r);
      if (bad != null) {
        return bad;
      }
      if (r.ip == null) {
        return "no client address field";
      }
      if (r.time == Long.MIN_VALUE) {
        return "no time field";
      }
      if (r.status == 0) {
        return "no status field";
      }
      return null;
    } catch (IOException e) {
      return "malformed JSON: " + firstLine(e.getMessage());
    }
  }

  private String object(JsonParser p, AccessRecord r) throws IOException {
    String bad = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      int mark = path.length();
      if (mark > 0) {
        path.append('.');
      }
      path.append(p.currentName());
      String b = value(p, p.nextToken(), r);
      bad = bad == null ? b : bad;
      path.setLength(mark);
    }
    return bad;
  }

  private String value(JsonParser p, JsonToken t, AccessRecord r) throws IOException {
    if (t == JsonToken.START_OBJECT) {
      return object(p, r);
    }
    if (t == JsonToken.START_ARRAY) {
      JsonToken first = p.nextToken();
      String bad = first == JsonToken.END_ARRAY ? null : value(p, first, r);
      if (first != JsonToken.END_ARRAY) {
        skipRest(p);
      }
      return bad;
    }
    if (t == null) {
      throw new IOException("truncated");
    }
    int slot = Slots.of(path.toString());
    if (slot == Slots.IGNORE || t == JsonToken.VALUE_NULL) {
      return null;
    }
    if (slot == Slots.REQ_SECONDS && t == JsonToken.VALUE_NUMBER_FLOAT) {
      r.requestMillis = (int) Math.min(Integer.MAX_VALUE, Math.round(p.getDoubleValue() * 1000));
      return null;
    }
    return Slots.set(r, slot, p.getText(), clf);
  }

  private static void skipRest(JsonParser p) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new IOException("truncated array");
      }
      if (t.isStructStart()) {
        depth++;
      } else if (t.isStructEnd()) {
        depth--;
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
