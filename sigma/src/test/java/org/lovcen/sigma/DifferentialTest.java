package org.lovcen.sigma;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Event;
import org.lovcen.ingest.EventSource;
import org.lovcen.ingest.ReadOptions;
import org.lovcen.ingest.Readers;
import org.lovcen.sigma.SigmaRule.DetectionItem;

/**
 * The optimised engine (routing buckets, prefilter automata, compiled trees) against the plain
 * {@link ReferenceEvaluator} and against itself with the prefilter off, over the SigmaHQ corpus,
 * on the regression events and on seeded random events built from the rules' own values (so
 * that rules actually match, and nearly match).
 */
class DifferentialTest {
  private static final long SEED = 20261125L;

  @Test
  void engine_agreesWithReferenceAndWithoutPrefilter() throws Exception {
    RuleSet fast = Corpus.rules();
    RuleSet plain = RuleSet.load(List.of(Corpus.rulesDir()), RuleSet.Options.defaults().withPrefilter(false));
    ReferenceEvaluator ref = new ReferenceEvaluator(fast.rules());
    List<Event> events = new ArrayList<>(regressionEvents());
    events.addAll(randomEvents(fast, new Random(SEED), 4000));
    Evaluator a = fast.evaluator();
    Evaluator b = plain.evaluator();
    List<String> diffs = new ArrayList<>();
    long matched = 0;
    for (Event e : events) {
      List<String> x = ids(a, e);
      List<String> y = ids(b, e);
      List<String> z = ref.matches(e);
      matched += x.size();
      if (!x.equals(y) || !x.equals(z)) {
        diffs.add("engine " + x + " / no prefilter " + y + " / reference " + z + " on " + e);
      }
    }
    System.out.println("differential: " + events.size() + " events, " + matched + " matches, "
        + (a.evaluated() * 100 / Math.max(1, b.evaluated())) + "% of rule evaluations left by the prefilter");
    assertThat(diffs).as("disagreements (first 5): " + diffs.stream().limit(5).toList()).isEmpty();
    assertThat(matched).as("the random events exercise matching").isGreaterThan(1000);
  }

  private static List<String> ids(Evaluator ev, Event e) {
    List<String> out = new ArrayList<>();
    ev.evaluate(e, (r, x) -> out.add(r.id()));
    return out;
  }

  static List<Event> regressionEvents() throws Exception {
    List<Event> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(Corpus.regressionDir())) {
      for (Path p : s.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        EventSource src = Readers.open(p, p.toString(), ReadOptions.DEFAULT);
        for (EventSource.Split split : src.splits()) {
          split.read(new Event(), e -> out.add(e.copy()), x -> {});
        }
      }
    }
    return out;
  }

  /** Events assembled from rule values: the fields of one rule's items plus some of others. */
  static List<Event> randomEvents(RuleSet set, Random rnd, int n) {
    List<RuleSet.Compiled> variants = set.compiled;
    List<Event> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RuleSet.Compiled c = variants.get(rnd.nextInt(variants.size()));
      Event e = new Event();
      LogsourceMapping.Route route = c.route;
      if (route.windows()) {
        e.channel(route.channels() == null ? "Security" : pick(rnd, new ArrayList<>(route.channels())));
        e.eventId(route.eventIds() == null ? rnd.nextInt(5000) : pick(rnd, new ArrayList<>(route.eventIds())));
        e.add("EventID", Integer.toString(e.eventId()), Event.NUMBER);
        e.add("Channel", e.channel(), Event.STRING);
        if (rnd.nextBoolean()) {
          e.add("EventType", rnd.nextBoolean() ? "CreateKey" : "SetValue", Event.STRING);
        }
      }
      addItems(e, c.rule, rnd, 1.0);
      for (int k = rnd.nextInt(3); k > 0; k--) {
        addItems(e, variants.get(rnd.nextInt(variants.size())).rule, rnd, 0.5);
      }
      headerAsReadersSetIt(e);
      out.add(e);
    }
    return out;
  }

  /** The EventID header as the readers set it: the decimal EventID value, -1 when absent or ambiguous. */
  private static void headerAsReadersSetIt(Event e) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (int i = 0; i < e.size(); i++) {
      if (e.name(i).equals("EventID")) {
        ids.add(e.value(i));
      }
    }
    String only = ids.size() == 1 ? ids.iterator().next() : null;
    e.eventId(only != null && only.matches("\\d{1,9}") ? Integer.parseInt(only) : -1);
  }

  private static void addItems(Event e, SigmaRule r, Random rnd, double share) {
    for (SigmaRule.SearchIdentifier si : r.detection().identifiers().values()) {
      if (si.groups().isEmpty()) {
        continue;
      }
      List<DetectionItem> g = si.groups().get(rnd.nextInt(si.groups().size()));
      for (DetectionItem item : g) {
        if (rnd.nextDouble() > share || item.values().isEmpty()) {
          continue;
        }
        SigmaValue v = item.values().get(rnd.nextInt(item.values().size()));
        String value = instance(v, rnd);
        if (value == null && !(v instanceof SigmaValue.Null)) {
          continue;
        }
        String field = item.field() == null ? "Payload" : item.field();
        if (field.equals("Image") && rnd.nextBoolean()) {
          e.add("NewProcessName", value, Event.STRING);
        }
        e.add(field, value, value == null ? Event.NULL : Event.STRING);
      }
    }
  }

  private static String instance(SigmaValue v, Random rnd) {
    return switch (v) {
      case SigmaValue.Str s -> {
        StringBuilder b = new StringBuilder();
        for (char ch : s.pattern().toCharArray()) {
          if (ch == SigmaValue.STAR) {
            b.append(noise(rnd));
          } else if (ch == SigmaValue.QUESTION) {
            b.append((char) ('a' + rnd.nextInt(26)));
          } else {
            b.append(rnd.nextInt(8) == 0 ? flip(ch) : ch);
          }
        }
        if (rnd.nextInt(10) == 0 && b.length() > 1) {
          b.deleteCharAt(rnd.nextInt(b.length())); // a near miss
        }
        yield b.toString();
      }
      case SigmaValue.Num num -> rnd.nextInt(4) == 0 ? Long.toString((long) num.value() + 1) : num.text();
      case SigmaValue.Bool b -> Boolean.toString(rnd.nextInt(4) == 0 != b.value());
      case SigmaValue.Null x -> null;
      case SigmaValue.Cidr c -> rnd.nextBoolean() ? "10." + rnd.nextInt(256) + ".1.2" : "192.168." + rnd.nextInt(256)
          + "." + rnd.nextInt(256);
      case SigmaValue.Compare c -> Long.toString((long) c.value() + rnd.nextInt(5) - 2);
      case SigmaValue.Re r -> RegexLiterals.required(r.regex()) == null ? "x" : noise(rnd)
          + RegexLiterals.required(r.regex()) + noise(rnd);
      case SigmaValue.FieldRef f -> "ref";
      case SigmaValue.TimePart t -> "2026-11-25T22:15:00Z";
      case SigmaValue.Exists x -> "present";
    };
  }

  private static char flip(char c) {
    return Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
  }

  private static String noise(Random rnd) {
    String[] bits = {"", "x", "C:\\Windows\\", " -a ", "\\", "AbC", "ž", "/"};
    return bits[rnd.nextInt(bits.length)];
  }

  private static <T> T pick(Random rnd, List<T> l) {
    return l.get(rnd.nextInt(l.size()));
  }
}
