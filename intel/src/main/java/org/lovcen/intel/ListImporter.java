package org.lovcen.intel;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads plain lists (one value per line, type inferred) and CSV (a header naming {@code type},
 * {@code value} and optionally {@code confidence}, {@code tlp}, {@code description}; or
 * {@code type,value} rows without header). Lines starting with {@code #} are comments.
 * Stateless; thread-safe.
 */
final class ListImporter {
  /**
   * Type column names: each type's name in lower case, with and without '_', and its STIX path;
   * the first type wins.
   */
  private static final Map<String, ObservableType> TYPES = types();
  private static final Map<Marking, List<String>> REFS = refs();

  private ListImporter() {}

  private static Map<String, ObservableType> types() {
    Map<String, ObservableType> m = new HashMap<>();
    for (ObservableType o : ObservableType.values()) {
      String name = o.name().toLowerCase(Locale.ROOT);
      m.putIfAbsent(name, o);
      m.putIfAbsent(o.stixPath(), o);
      m.putIfAbsent(name.replace("_", ""), o);
    }
    return Map.copyOf(m);
  }

  private static Map<Marking, List<String>> refs() {
    Map<Marking, List<String>> m = new EnumMap<>(Marking.class);
    for (Marking k : Marking.values()) {
      m.put(k, k == Marking.NONE ? List.of() : List.of(k.stixId()));
    }
    return m;
  }

  private record Columns(int type, int value, int confidence, int tlp, int description) {
    static final Columns NONE = new Columns(0, 1, -1, -1, -1);
  }

  static void read(BufferedReader in, Collector out, String sourceName) throws IOException {
    Source plain = new Source(sourceName, out.file, -1, Marking.NONE, -1);
    List<Source> shared = List.of(plain);
    Columns cols = null;
    String line;
    int n = 0;
    while ((line = in.readLine()) != null) {
      n++;
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (n == 1 || cols == null && l.toLowerCase(Locale.ROOT).startsWith("type,")) {
        Columns h = header(l);
        if (h != null) {
          cols = h;
          continue;
        }
      }
      try {
        out.add(line(l, cols, plain, shared, out));
      } catch (IntelException e) {
        out.reject("line " + n, e);
      }
    }
  }

  private static Columns header(String l) {
    List<String> h = split(l.toLowerCase(Locale.ROOT));
    int type = h.indexOf("type");
    int value = h.indexOf("value");
    if (value < 0) {
      return null;
    }
    int tlp = h.indexOf("tlp") >= 0 ? h.indexOf("tlp") : h.indexOf("marking");
    int desc = h.indexOf("description") >= 0 ? h.indexOf("description") : h.indexOf("comment");
    return new Columns(type, value, h.indexOf("confidence"), tlp, desc);
  }

  private static Indicator line(String l, Columns cols, Source plain, List<Source> shared, Collector out) {
    List<String> cells = l.indexOf(',') >= 0 || l.indexOf('"') >= 0 ? split(l) : List.of(l);
    if (cols == null) {
      if (cells.size() == 1 || Observables.infer(cells.get(0)) != null) {
        return new Indicator(null, "", "", List.of(List.of(Observable.of(infer(cells.get(0)), cells.get(0)))),
            Long.MIN_VALUE, Long.MAX_VALUE, false, List.of(), List.of(), List.of(), "", List.of(), "", shared);
      }
      cols = Columns.NONE;
    }
    String value = cell(cells, cols.value());
    if (value.isEmpty()) {
      throw new IntelException("line", "", "no value");
    }
    String type = cell(cells, cols.type());
    List<List<Observable>> clauses = type.isEmpty() ? List.of(List.of(Observable.of(infer(value), value)))
        : clauses(type, value);
    List<Source> sources = shared;
    if (cols.confidence() >= 0 || cols.tlp() >= 0) {
      sources = out.sources(new Source(plain.name(), plain.file(), confidence(cell(cells, cols.confidence())),
          marking(cell(cells, cols.tlp())), -1));
    }
    return new Indicator(null, "", cell(cells, cols.description()), clauses, Long.MIN_VALUE, Long.MAX_VALUE, false,
        List.of(), List.of(), List.of(), "", REFS.get(sources.get(0).marking()), "", sources);
  }

  private static ObservableType infer(String v) {
    ObservableType t = Observables.infer(v);
    if (t == null) {
      throw new IntelException("line", "", "cannot tell the type of '" + v + "'; give it in a type column");
    }
    return t;
  }

  private static List<List<Observable>> clauses(String type, String value) {
    String t = type.toLowerCase(Locale.ROOT);
    ObservableType o = TYPES.get(t);
    if (o != null) {
      return List.of(List.of(Observable.of(o, value)));
    }
    return switch (t) {
      case "ipv4-addr", "ip" -> List.of(List.of(Observable.of(
          value.indexOf(':') >= 0 ? ObservableType.IPV6 : ObservableType.IPV4, value)));
      case "ipv6-addr" -> List.of(List.of(Observable.of(ObservableType.IPV6, value)));
      case "domain-name" -> List.of(List.of(Observable.of(ObservableType.DOMAIN, value)));
      case "hash" -> List.of(List.of(Observable.of(infer(value), value)));
      default -> MispImporter.clauses(t, value);
    };
  }

  private static int confidence(String c) {
    if (c.isEmpty()) {
      return -1;
    }
    try {
      int v = Integer.parseInt(c);
      if (v >= 0 && v <= 100) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IntelException("line", "", "confidence '" + c + "' is not an integer from 0 to 100");
  }

  private static Marking marking(String m) {
    if (m.isEmpty()) {
      return Marking.NONE;
    }
    Marking t = Marking.ofLabel(m);
    if (t == null) {
      throw new IntelException("line", "", "unknown TLP marking '" + m + "'");
    }
    return t;
  }

  private static String cell(List<String> cells, int i) {
    return i < 0 || i >= cells.size() ? "" : cells.get(i).strip();
  }

  /** RFC 4180 cells of one line (quotes and doubled quotes). */
  static List<String> split(String l) {
    if (l.indexOf('"') < 0) {
      return plainCells(l);
    }
    List<String> out = new ArrayList<>();
    StringBuilder b = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < l.length(); i++) {
      char c = l.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < l.length() && l.charAt(i + 1) == '"') {
          b.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          b.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(b.toString());
        b.setLength(0);
      } else {
        b.append(c);
      }
    }
    out.add(b.toString());
    return out;
  }

  /** The cells of a line without quotes: substrings between commas. */
  private static List<String> plainCells(String l) {
    List<String> out = new ArrayList<>(6);
    int from = 0;
    for (int comma = l.indexOf(','); comma >= 0; comma = l.indexOf(',', from)) {
      out.add(l.substring(from, comma));
      from = comma + 1;
    }
    out.add(l.substring(from));
    return out;
  }
}
