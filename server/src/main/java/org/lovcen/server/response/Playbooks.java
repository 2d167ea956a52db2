package org.lovcen.server.response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/*
 * How and why: a playbook is a YAML file naming the ATT&CK techniques, rule tags or rule ids it
 * answers and the tasks it sets; a case gets the tasks of every playbook that matches what it is
 * about, in playbook order (file name), without repeating a task (same title and action) that an
 * earlier playbook set. A technique matches its sub-techniques (T1003 matches T1003.001). Every
 * problem of every file is collected with the file's name; a file with a problem is left out.
 */
/** The playbooks of the configured folders. Immutable and thread-safe. */
public final class Playbooks {
  /** What a task may do when run (docs/CASES.md). */
  public static final List<String> ACTIONS = List.of("block_sources", "share_indicators", "retro_hunt",
      "contain_host");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** One task a playbook sets. {@code action} is null for a task people do by hand. */
  public record Step(String title, String description, String action) {}

  /** One playbook. */
  public record Playbook(String id, String title, String description, List<String> techniques, List<String> tags,
      List<String> rules, List<Step> tasks, String file) {
    /** Whether it answers a case about these techniques, rule tags or rules. */
    public boolean matches(Collection<String> caseTechniques, Collection<String> caseTags, Collection<String> caseRules) {
      for (String t : techniques) {
        for (String c : caseTechniques) {
          if (c.equalsIgnoreCase(t) || c.toUpperCase(Locale.ROOT).startsWith(t.toUpperCase(Locale.ROOT) + ".")) {
            return true;
          }
        }
      }
      return caseTags.stream().anyMatch(x -> tags.stream().anyMatch(x::equalsIgnoreCase))
          || caseRules.stream().anyMatch(rules::contains);
    }
  }

  private final List<Playbook> playbooks;
  private final List<String> problems;

  private Playbooks(List<Playbook> playbooks, List<String> problems) {
    this.playbooks = List.copyOf(playbooks);
    this.problems = List.copyOf(problems);
  }

  /** Reads every {@code .yml} and {@code .yaml} file under the folders (missing folders are a problem). */
  public static Playbooks load(List<Path> folders) {
    List<Playbook> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Map<String, String> ids = new LinkedHashMap<>();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        problems.add(folder + ": no such folder");
        continue;
      }
      List<Path> files;
      try (Stream<Path> s = Files.walk(folder)) {
        files = s.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList();
      } catch (IOException e) {
        problems.add(folder + ": " + e.getMessage());
        continue;
      }
      for (Path f : files) {
        List<String> mine = new ArrayList<>();
        Playbook p = parse(f, mine);
        if (p != null && ids.containsKey(p.id())) {
          mine.add(f.getFileName() + ": id '" + p.id() + "' is used by " + ids.get(p.id()) + " too");
        }
        if (mine.isEmpty() && p != null) {
          ids.put(p.id(), f.getFileName().toString());
          out.add(p);
        }
        problems.addAll(mine);
      }
    }
    return new Playbooks(out, problems);
  }

  private static Playbook parse(Path f, List<String> problems) {
    String name = f.getFileName().toString();
    JsonNode n;
    try {
      n = YAML.readTree(f.toFile());
    } catch (IOException e) {
      problems.add(name + ": " + e.getMessage().lines().findFirst().orElse("not YAML"));
      return null;
    }
    if (n == null || !n.isObject()) {
      problems.add(name + ": a playbook is a mapping (id, title, match, tasks)");
      return null;
    }
    String id = n.path("id").asText("");
    if (!id.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
      problems.add(name + ": 'id' must be 1-64 of a-z 0-9 - _ (got '" + id + "')");
    }
    if (n.path("title").asText("").isBlank()) {
      problems.add(name + ": missing 'title'");
    }
    JsonNode match = n.path("match");
    List<String> techniques = strings(match.path("techniques"));
    List<String> tags = strings(match.path("tags"));
    List<String> rules = strings(match.path("rules"));
    if (techniques.isEmpty() && tags.isEmpty() && rules.isEmpty()) {
      problems.add(name + ": 'match' names no techniques, tags or rules");
    }
    for (String t : techniques) {
      if (!t.matches("(?i)T\\d{4}(\\.\\d{3})?")) {
        problems.add(name + ": '" + t + "' is not an ATT&CK technique id (T1003, T1003.001)");
      }
    }
    List<Step> steps = new ArrayList<>();
    JsonNode tasks = n.path("tasks");
    if (!tasks.isArray() || tasks.isEmpty()) {
      problems.add(name + ": 'tasks' must be a list of at least one task");
    } else {
      for (int i = 0; i < tasks.size(); i++) {
        JsonNode t = tasks.get(i);
        String title = t.path("title").asText("");
        String action = t.path("action").isMissingNode() || t.path("action").isNull() ? null : t.path("action").asText();
        if (title.isBlank()) {
          problems.add(name + ": task " + (i + 1) + " has no 'title'");
        }
        if (action != null && !ACTIONS.contains(action)) {
          problems.add(name + ": task " + (i + 1) + ": unknown action '" + action + "' (" + String.join(", ", ACTIONS)
              + ")");
        }
        steps.add(new Step(title, t.path("description").asText(""), action));
      }
    }
    return new Playbook(id, n.path("title").asText(""), n.path("description").asText(""), techniques, tags, rules,
        steps, name);
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(x -> out.add(x.asText()));
    } else if (n.isTextual()) {
      out.add(n.asText());
    }
    return out;
  }

  public List<Playbook> all() {
    return playbooks;
  }

  /** Problems found while loading, each naming its file. */
  public List<String> problems() {
    return problems;
  }

  /** The playbooks that answer a case about these techniques, tags and rules, in file order. */
  public List<Playbook> matching(Collection<String> techniques, Collection<String> tags, Collection<String> rules) {
    return playbooks.stream().filter(p -> p.matches(techniques, tags, rules)).toList();
  }

  public Playbook get(String id) {
    return playbooks.stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
  }
}
