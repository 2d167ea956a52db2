package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.SharedData;
import org.lovcen.demo.WebTrafficGenerator;
import org.lovcen.sigma.RuleSet;

/**
 * The website detectors' state written and restored: the election-day traffic of two institutions
 * through one {@link WebStream}, and through a chain of fresh ones each restored from the
 * previous one's snapshot every few thousand requests (what a Kafka worker taking a partition
 * over does), gives the same alerts and decision changes, field for field.
 */
class WebSnapshotTest {
  @TempDir static Path dir;

  /** One line of the day: its institution, site as logged, request and exploit attempts. */
  record Line(String institution, String site, Request request, List<WebStream.Exploit> exploits) {}

  static final List<Line> lines = new ArrayList<>();

  @BeforeAll
  static void read() throws Exception {
    WebTrafficGenerator.generate(dir, WebTrafficGenerator.Options.defaults().withScale(0.3));
    Path rules = SharedData.resolve("sigma/rules/web/webserver_generic");
    var evaluator = rules == null ? null : RuleSet.load(List.of(rules), RuleSet.Options.defaults()).evaluator();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().contains(".access.")).sorted().toList();
    }
    Event e = new Event();
    for (Path f : files) {
      new AccessLogSource(f, f.getFileName().toString(), AccessLogFormat.AUTO, null).readRecords(r -> {
        // the media sites belong to one institution, the state's to another: campaigns span both
        String institution = r.site.equals("vijesti") || r.site.equals("cdm") ? "mediji" : "drzava";
        List<WebStream.Exploit> exploits = new ArrayList<>();
        if (evaluator != null) {
          r.toEvent(e, institution);
          evaluator.evaluate(e, (rule, ev) -> exploits.add(new WebStream.Exploit(rule.id(), rule.title(),
              rule.level(), rule.tags())));
        }
        lines.add(new Line(institution, r.site, Request.of(r, WebConfig.DEFAULT), exploits));
      }, p -> {
        throw new AssertionError(p.toString());
      });
    }
    lines.sort(Comparator.comparingLong((Line l) -> l.request().time()).thenComparing(l -> l.request().source())
        .thenComparingLong(l -> l.request().line()));
  }

  /** Records every alert and decision change as text. */
  static final class Recorder implements WebStream.Output {
    final List<String> out = new ArrayList<>();

    @Override
    public void alert(Alert a) {
      out.add(a.toString());
    }

    @Override
    public void decision(WebStream.DecisionChange c) {
      out.add(c.toString().replaceAll("@[0-9a-f]+", ""));
    }
  }

  static byte[] snapshot(WebStream s) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    s.snapshot(bytes);
    return bytes.toByteArray();
  }

  @Test
  void restoredEveryFewThousandRequests_givesTheAlertsAndDecisionsOfOneRun() throws Exception {
    Recorder straight = new Recorder();
    WebStream one = new WebStream(WebConfig.DEFAULT, straight);
    lines.forEach(l -> one.accept(l.institution(), l.site(), l.request(), l.exploits()));
    assertThat(straight.out).anyMatch(x -> x.contains("ruleId=distributed_flood"))
        .anyMatch(x -> x.contains("ruleId=source_flood")).anyMatch(x -> x.contains("ruleId=outage"))
        .anyMatch(x -> x.contains("ruleId=campaign, ") && x.contains("institution=drzava"))
        .anyMatch(x -> x.contains("ruleId=campaign, ") && x.contains("institution=mediji"))
        .anyMatch(x -> x.startsWith("DecisionChange["));

    Recorder chained = new Recorder();
    WebStream current = new WebStream(WebConfig.DEFAULT, chained);
    int biggest = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (i > 0 && i % 7_919 == 0) {
        byte[] state = snapshot(current);
        biggest = Math.max(biggest, state.length);
        current = new WebStream(WebConfig.DEFAULT, chained);
        assertThat(current.restore(new ByteArrayInputStream(state))).isTrue();
      }
      Line l = lines.get(i);
      current.accept(l.institution(), l.site(), l.request(), l.exploits());
    }
    assertThat(chained.out).isEqualTo(straight.out);
    assertThat(current.stats()).isEqualTo(one.stats());
    assertThat(biggest).isGreaterThan(10_000);
  }

  @Test
  void snapshotOfAnotherConfiguration_isRefused_andTheStateStartsEmpty() throws Exception {
    WebStream s = new WebStream(WebConfig.DEFAULT, new Recorder());
    lines.subList(0, 1000).forEach(l -> s.accept(l.institution(), l.site(), l.request(), l.exploits()));
    byte[] state = snapshot(s);
    WebStream other = new WebStream(WebConfig.of(Map.of("site", Map.of("window_seconds", 20)), "test"),
        new Recorder());
    assertThat(other.restore(new ByteArrayInputStream(state))).isFalse();
    assertThat(other.stats().requests()).isZero();
    assertThat(other.watermark()).isEqualTo(Long.MIN_VALUE);
    WebStream same = new WebStream(WebConfig.DEFAULT, new Recorder());
    assertThat(same.restore(new ByteArrayInputStream(state))).isTrue();
    assertThat(same.stats()).isEqualTo(s.stats());
  }
}
