package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * YAML documents as plain values that keep their positions: {@link YMap}, {@link List} and
 * {@link Scalar}. Built on SnakeYAML Engine's composer (YAML 1.2 core schema), so a scalar keeps
 * the text it was written with ({@code 0x1010} stays {@code 0x1010}) next to its resolved type.
 * Stateless; thread-safe.
 */
final class Yaml {
  private Yaml() {}

  /** A scalar with its text, resolved kind and 1-based position. */
  record Scalar(String text, Kind kind, int line, int column) {
    @Override
    public String toString() {
      return text;
    }
  }

  /** What a scalar resolved to under the YAML 1.2 core schema. */
  enum Kind {
    STRING,
    INT,
    FLOAT,
    BOOL,
    NULL
  }

  /** A mapping that keeps key order, each key's position, and reports duplicate keys. */
  static final class YMap {
    final Map<String, Object> values = new LinkedHashMap<>();
    final Map<String, String> positions = new LinkedHashMap<>();
    final int line;

    YMap(int line) {
      this.line = line;
    }

    Object get(String key) {
      return values.get(key);
    }

    String position(String key) {
      return positions.getOrDefault(key, "line " + line);
    }
  }

  /** Parses every document of a YAML text. Problems (syntax, duplicate keys) go to {@code errors}. */
  static List<Object> parseAll(String text, List<String> errors) {
    LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(true).setMaxAliasesForCollections(50)
        .setCodePointLimit(8 << 20)
        .setSchema(new org.snakeyaml.engine.v2.schema.CoreSchema()).build();
    List<Object> docs = new ArrayList<>();
    try {
      for (Node n : new Compose(settings).composeAllFromString(text)) {
        docs.add(convert(n, errors, 0));
      }
    } catch (MarkedYamlEngineException e) {
      String where = e.getProblemMark().map(Yaml::where).orElse("");
      errors.add(where + (where.isEmpty() ? "" : ": ") + "YAML syntax: " + firstLine(e.getProblem()));
    } catch (YamlEngineException e) {
      errors.add("YAML: " + firstLine(e.getMessage()));
    }
    return docs;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid YAML";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  static String where(Mark m) {
    return "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1);
  }

  private static String where(Node n) {
    return n.getStartMark().map(Yaml::where).orElse("");
  }

  private static Object convert(Node n, List<String> errors, int depth) {
    if (depth > 64) {
      errors.add(where(n) + ": nesting deeper than 64 levels");
      return null;
    }
    if (n instanceof ScalarNode s) {
      int line = s.getStartMark().map(m -> m.getLine() + 1).orElse(0);
      int col = s.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
      return new Scalar(s.getValue(), kind(s), line, col);
    }
    if (n instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      for (Node item : seq.getValue()) {
        out.add(convert(item, errors, depth + 1));
      }
      return out;
    }
    MappingNode map = (MappingNode) n;
    YMap out = new YMap(map.getStartMark().map(m -> m.getLine() + 1).orElse(0));
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        errors.add(where(t.getKeyNode()) + ": mapping key is not a scalar");
        continue;
      }
      String key = k.getValue();
      if (out.values.containsKey(key)) {
        errors.add(where(k) + ": duplicate key '" + key + "'");
        continue;
      }
      out.values.put(key, convert(t.getValueNode(), errors, depth + 1));
      out.positions.put(key, where(k));
    }
    return out;
  }

  private static Kind kind(ScalarNode s) {
    if (s.isPlain()) {
      Tag tag = s.getTag();
      if (Tag.INT.equals(tag)) {
        return Kind.INT;
      } else if (Tag.FLOAT.equals(tag)) {
        return Kind.FLOAT;
      } else if (Tag.BOOL.equals(tag)) {
        return Kind.BOOL;
      } else if (Tag.NULL.equals(tag)) {
        return Kind.NULL;
      }
    }
    return Kind.STRING;
  }
}
