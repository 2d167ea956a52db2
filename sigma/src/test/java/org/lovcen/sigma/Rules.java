package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lovcen.core.Event;

/** Test helpers: rules from detection snippets, events from key/value pairs. */
final class Rules {
  private Rules() {}

  /** A rule for a non-Windows log source with the given detection body (indented YAML). */
  static String rule(String detection) {
    return "title: t\nid: 00000000-0000-0000-0000-000000000001\nlogsource:\n  product: test\ndetection:\n"
        + detection.stripIndent().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n") + "level: high\n";
  }

  static RuleSet compile(String yaml, Map<String, List<String>> placeholders) {
    return RuleSet.of(RuleSet.parse("test.yml", yaml, placeholders), RuleSet.Options.defaults());
  }

  /** Events from alternating name/value pairs; a value of {@code null} adds a JSON null. */
  static Event event(String... kv) {
    Event e = new Event();
    for (int i = 0; i < kv.length; i += 2) {
      String v = kv[i + 1];
      e.add(kv[i], v, v == null ? Event.NULL : looksNumeric(v) ? Event.NUMBER : Event.STRING);
    }
    return e;
  }

  private static boolean looksNumeric(String v) {
    return !v.isEmpty() && v.chars().allMatch(Character::isDigit);
  }

  /** Ids of the rules that match the event. */
  static List<String> matches(RuleSet set, Event e) {
    List<String> out = new ArrayList<>();
    set.evaluator().evaluate(e, (r, ev) -> out.add(r.id()));
    return out;
  }

  static boolean matches(String detection, Event e) {
    return !matches(compile(rule(detection), Map.of()), e).isEmpty();
  }
}
