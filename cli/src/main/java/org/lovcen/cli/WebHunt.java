package org.lovcen.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.ProblemSink;
import org.lovcen.ingest.EventSource;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.SigmaRule;
import org.lovcen.web.AccessLogFormat;
import org.lovcen.web.AccessLogSource;
import org.lovcen.web.Decision;
import org.lovcen.web.Request;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebDetector;

/*
 * How and why: the access-log part of hunt. Worker threads parse lines, run the Sigma rule set on
 * each (the SigmaHQ webserver rules match there) and keep each line's small Request plus the rule
 * matches; after the parallel phase everything is sorted by time and fed to one WebDetector, so
 * the result does not depend on how files were spread over threads. Sigma matches on access-log
 * lines become web alerts (detector = rule id) with a decision, not plain sigma alerts.
 */
/** Access-log handling inside {@code hunt}. Thread-safe for the workers' {@link #read} calls. */
final class WebHunt {
  private record Exploit(Request request, SigmaRule rule) {}

  private final WebConfig config;
  private final String institution;
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<Exploit> exploits = Collections.synchronizedList(new ArrayList<>());
  private List<Decision> decisions = List.of();
  private WebDetector.Stats stats;

  WebHunt(WebConfig config, String institution) {
    this.config = config;
    this.institution = institution;
  }

  /** Access logs inside the given folders that the event-log expansion leaves out ({@code *.log}, {@code *access*}). */
  static List<Path> logsInFolders(List<Path> roots, List<Path> already) {
    List<Path> out = new ArrayList<>();
    for (Path root : roots) {
      if (!java.nio.file.Files.isDirectory(root)) {
        continue;
      }
      try (java.util.stream.Stream<Path> s = java.nio.file.Files.walk(root)) {
        s.filter(java.nio.file.Files::isRegularFile).filter(p -> {
          String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
          return n.endsWith(".log") || n.endsWith(".log.gz") || n.contains("access");
        }).filter(p -> !already.contains(p)).sorted().forEach(out::add);
      } catch (java.io.IOException e) {
        throw new org.lovcen.core.InputException(root.toString(), "", "cannot list folder: " + e.getMessage());
      }
    }
    return out;
  }

  /** Opens the files that are access logs, leaving the others in {@code rest}. */
  static List<EventSource> open(List<Path> files, AccessLogFormat format, String institution, List<Path> rest) {
    List<EventSource> out = new ArrayList<>();
    for (Path f : files) {
      if (AccessLogSource.sniff(f, format)) {
        out.add(new AccessLogSource(f, f.toString(), format, institution));
      } else {
        rest.add(f);
      }
    }
    return out;
  }

  /** Reads one access log on the calling worker thread; returns the lines read. */
  long read(AccessLogSource.LogSplit split, Evaluator evaluator, Event event, ProblemSink problems) {
    List<Request> mine = new ArrayList<>();
    List<Exploit> hits = new ArrayList<>();
    long[] n = {0};
    split.source().readRecords(r -> {
      n[0]++;
      Request q = Request.of(r, config);
      mine.add(q);
      r.toEvent(event, split.source().institution());
      evaluator.evaluate(event, (rule, e) -> hits.add(new Exploit(q, rule)));
    }, problems);
    requests.addAll(mine);
    exploits.addAll(hits);
    return n[0];
  }

  /**
   * Runs the detector over everything read, in time order; returns its alerts, each with the extent
   * its attack reached (an alert reported again while its attack goes on replaces the earlier report,
   * as the server widens the stored alert).
   */
  List<Alert> detect() {
    List<Alert> out = new ArrayList<>();
    java.util.Map<Alert, Integer> at = new java.util.IdentityHashMap<>();
    WebDetector d = new WebDetector(config, institution, a -> {
      at.put(a, out.size());
      out.add(a);
    });
    d.onProgress((before, later) -> {
      Integer i = at.remove(before);
      if (i != null) {
        out.set(i, later);
        at.put(later, i);
      }
    });
    Comparator<Request> order = Comparator.comparingLong(Request::time).thenComparing(Request::source)
        .thenComparingLong(Request::line);
    List<Request> sorted = new ArrayList<>(requests);
    sorted.sort(order);
    List<Exploit> ex = new ArrayList<>(exploits);
    ex.sort(Comparator.comparing(Exploit::request, order).thenComparing(x -> x.rule().id()));
    int x = 0;
    for (Request r : sorted) {
      d.accept(r);
      for (; x < ex.size() && ex.get(x).request() == r; x++) {
        SigmaRule rule = ex.get(x).rule();
        d.exploit(r, rule.id(), rule.title(), rule.level(), rule.tags());
      }
    }
    d.flush();
    decisions = d.decisions();
    stats = d.stats();
    return out;
  }

  /** The decisions of the last {@link #detect}. */
  List<Decision> decisions() {
    return decisions;
  }

  /** Counters of the last {@link #detect}, or null. */
  WebDetector.Stats stats() {
    return stats;
  }

  boolean isEmpty() {
    return requests.isEmpty();
  }
}
