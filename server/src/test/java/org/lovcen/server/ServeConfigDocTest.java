package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/SERVE.md documents every configuration key, with its default and environment variable. */
class ServeConfigDocTest {
  /** A row of the key table: | `key` | `default` | `LOVCEN_…` | meaning |. */
  private static final Pattern ROW = Pattern.compile(
      "^\\| `([a-z_.]+)` \\| `([^`]*)` \\| `(LOVCEN_[A-Z_]+)` \\| (.+) \\|$", Pattern.MULTILINE);
  private static final Pattern VARIABLE = Pattern.compile("LOVCEN_[A-Z_]+");

  private static String serveMd() throws IOException {
    return Files.readString(TestServer.root().resolve("docs/SERVE.md"));
  }

  @Test
  void everyEnvironmentName_appearsInServeMd() throws IOException {
    String doc = serveMd();
    assertThat(ServeConfig.environmentNames()).isNotEmpty().allSatisfy(n -> assertThat(doc).contains("`" + n + "`"));
  }

  @Test
  void keyTable_oneRowPerKey_withItsDefaultAndVariable() throws IOException {
    Map<String, String> defaults = new TreeMap<>();
    leaves(new ObjectMapper(new YAMLFactory()).readTree(ServeConfig.DEFAULTS), "", defaults);
    Map<String, String> documented = new TreeMap<>();
    Matcher m = ROW.matcher(serveMd());
    while (m.find()) {
      assertThat(documented.put(m.group(1), m.group(2))).as("key %s documented twice", m.group(1)).isNull();
      assertThat(m.group(3)).as("variable of %s", m.group(1))
          .isEqualTo("LOVCEN_" + m.group(1).replace('.', '_').toUpperCase(Locale.ROOT));
      assertThat(m.group(4).strip()).as("meaning of %s", m.group(1)).hasSizeGreaterThan(10);
    }
    assertThat(documented).isEqualTo(defaults);
  }

  @Test
  void everyVariableNamedInServeMd_isAKeyOrKnown() throws IOException {
    TreeSet<String> known = new TreeSet<>(ServeConfig.environmentNames());
    known.add("LOVCEN_RULES"); // rule folders when rules.paths is empty (RuleSources)
    Matcher m = VARIABLE.matcher(serveMd());
    TreeSet<String> unknown = new TreeSet<>();
    while (m.find()) {
      if (!known.contains(m.group())) {
        unknown.add(m.group());
      }
    }
    assertThat(unknown).as("variables in docs/SERVE.md that configure nothing").isEmpty();
  }

  /** Every leaf of the defaults as key -> its value as the table shows it ({@code ""}, {@code []}, text). */
  private static void leaves(JsonNode node, String prefix, Map<String, String> out) {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    node.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
    fields.forEach((k, v) -> {
      String key = prefix + k;
      if (v.isObject()) {
        leaves(v, key + ".", out);
      } else if (v.isArray()) {
        out.put(key, v.isEmpty() ? "[]" : v.toString());
      } else {
        out.put(key, v.asText().isEmpty() ? "\"\"" : v.asText());
      }
    });
  }
}
