package org.lovcen.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.lovcen.core.Event;
import org.lovcen.core.SharedData;
import org.lovcen.demo.WebTrafficGenerator;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.AccessLogSource;
import org.lovcen.web.Request;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebDetector;

/*
 * How and why: lines per second per core for the whole access-log path — parsing, the SigmaHQ
 * webserver rules through the Sigma evaluator, and every website detector — on one thread,
 * divided by that thread's CPU time. The input is the election-day demo traffic, written first so
 * that generation is not timed; each file (time-ordered) feeds its own detector.
 */
/** {@code lovcen bench --web}. */
final class WebBench {
  private WebBench() {}

  static int run(int repeat) throws Exception {
    Path dir = Files.createTempDirectory("lovcen-webbench");
    WebTrafficGenerator.generate(dir, WebTrafficGenerator.Options.defaults());
    Path rules = SharedData.resolve("sigma/rules/web/webserver_generic");
    RuleSet set = rules == null ? RuleSet.load(List.of(RuleSources.home().resolve("rules")), RuleSet.Options.defaults())
        : RuleSet.load(List.of(rules), RuleSet.Options.defaults());
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().contains(".access.")).sorted().toList();
    }
    long bytes = 0;
    for (Path f : files) {
      bytes += Files.size(f);
    }
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double best = 0;
    long lines = 0;
    for (int pass = 0; pass < Math.max(1, repeat); pass++) {
      long cpu0 = mx.getCurrentThreadCpuTime();
      lines = pass(files, set);
      double secs = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
      best = Math.max(best, lines / secs);
      System.out.printf(Locale.ROOT, "pass %d: %,d lines in %.2f s CPU: %,.0f lines/s per core, %.1f MB/s%n", pass + 1,
          lines, secs, lines / secs, bytes / 1e6 / secs);
    }
    System.out.printf(Locale.ROOT, "web: %,d lines, %d files, %d Sigma rules; best %,.0f lines/s per core%n", lines,
        files.size(), set.rules().size(), best);
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    return 0;
  }

  private static long pass(List<Path> files, RuleSet set) {
    Evaluator ev = set.evaluator();
    Event e = new Event();
    long[] n = {0};
    long[] alerts = {0};
    for (Path f : files) {
      WebDetector d = new WebDetector(WebConfig.DEFAULT, null, a -> alerts[0]++);
      new AccessLogSource(f, f.toString(), AccessLogFormat.AUTO, null).readRecords(r -> {
        n[0]++;
        Request q = Request.of(r, WebConfig.DEFAULT);
        d.accept(q);
        r.toEvent(e, null);
        ev.evaluate(e, (rule, x) -> d.exploit(q, rule.id(), rule.title(), rule.level(), rule.tags()));
      }, p -> { });
      d.flush();
    }
    return n[0];
  }
}
