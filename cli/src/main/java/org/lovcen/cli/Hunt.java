package org.lovcen.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.core.LovcenException;
import org.lovcen.core.ProblemSink;
import org.lovcen.ingest.EventSource;
import org.lovcen.intel.IndicatorMatcher;
import org.lovcen.intel.IndicatorSet;
import org.lovcen.sigma.CorrelationDetector;
import org.lovcen.sigma.CorrelationHit;
import org.lovcen.sigma.Correlations;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.SigmaAlerts;
import org.lovcen.sigma.SigmaRule;

/*
 * How and why: hunt is the pipeline run over files. Every input is cut into splits (a JSON file
 * is one, an EVTX file a group of chunks each); a fixed pool of platform threads, one per core,
 * takes splits from a queue, and each thread owns one Evaluator and one reusable Event, so the
 * hot path shares nothing. Only matches are kept (as immutable Alerts), which bounds memory by
 * the number of detections, not by the input. The timeline is sorted at the end by event time,
 * then source and record, so output does not depend on thread scheduling. Matches of rules that
 * correlations reference are also kept, as small hits; after the parallel phase they are sorted by
 * event time and fed to one CorrelationDetector, so correlation results do not depend on how the
 * input was split into files or threads.
 */
/** Runs a rule set over event sources on several threads. */
final class Hunt {
  /**
   * Totals of one run.
   *
   * @param cpuNanos CPU time of the reading and detecting threads and of the correlation phase
   */
  record Result(List<Alert> alerts, long events, long bytes, long cpuNanos, long detections) {}

  private final RuleSet rules;
  private final int threads;
  private final ConcurrentHashMap<SigmaRule, SigmaAlerts.RuleInfo> infos = new ConcurrentHashMap<>();
  private final AtomicLong detections = new AtomicLong();
  private IndicatorSet indicators = IndicatorSet.EMPTY;
  private WebHunt web;
  private boolean correlate = true;
  private boolean keepAlerts = true;

  Hunt(RuleSet rules, int threads) {
    this.rules = rules;
    this.threads = Math.max(1, threads);
  }

  /** Also matches every event against {@code set} (one matcher per worker). */
  Hunt indicators(IndicatorSet set) {
    this.indicators = set;
    return this;
  }

  /** Access logs among the sources are read and detected by {@code handler}; null when there are none. */
  Hunt web(WebHunt handler) {
    this.web = handler;
    return this;
  }

  /** Leaves correlation rules out (to measure what they cost). */
  Hunt withoutCorrelations() {
    this.correlate = false;
    return this;
  }

  /** Counts detections without keeping them (benchmarks: memory then depends on rules, not input). */
  Hunt countOnly() {
    keepAlerts = false;
    return this;
  }

  Result run(List<EventSource> sources, ProblemSink problems, LongConsumer progress) {
    List<EventSource.Split> splits = new ArrayList<>();
    for (EventSource s : sources) {
      try {
        splits.addAll(s.splits());
      } catch (LovcenException e) {
        problems.report(s.name(), "", e.getMessage());
      }
    }
    List<Alert> alerts = Collections.synchronizedList(new ArrayList<>());
    List<CorrelationHit> hits = Collections.synchronizedList(new ArrayList<>());
    AtomicLong events = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong cpu = new AtomicLong();
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    ThreadLocal<Worker> workers = ThreadLocal.withInitial(() -> new Worker(rules.evaluator()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, named("lovcen-hunt"));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (EventSource.Split split : splits) {
        futures.add(pool.submit(() -> {
          Worker w = workers.get();
          long c0 = mx.getCurrentThreadCpuTime();
          long n = w.read(split, alerts, hits, problems);
          cpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
          events.addAndGet(n);
          bytes.addAndGet(split.size());
          progress.accept(split.size());
        }));
      }
      for (Future<?> f : futures) {
        await(f);
      }
    } finally {
      pool.shutdownNow();
    }
    List<Alert> sorted = new ArrayList<>(alerts);
    long c0 = mx.getCurrentThreadCpuTime();
    if (correlate) {
      sorted.addAll(correlate(hits));
    }
    if (web != null) {
      sorted.addAll(web.detect());
    }
    cpu.addAndGet(mx.getCurrentThreadCpuTime() - c0);
    sorted.sort(TIMELINE);
    long found = detections.getAndSet(0) + sorted.size() - alerts.size();
    return new Result(sorted, events.get(), bytes.get(), cpu.get(), found);
  }

  /** Feeds the time-sorted hits of all threads to one detector; returns the alerts to output. */
  private List<Alert> correlate(List<CorrelationHit> hits) {
    Correlations corr = rules.correlations();
    if (corr.isEmpty()) {
      return List.of();
    }
    List<CorrelationHit> sorted = new ArrayList<>(hits);
    sorted.sort(Comparator.comparingLong(CorrelationHit::timestamp)
        .thenComparing(CorrelationHit::source, Comparator.nullsFirst(Comparator.naturalOrder()))
        .thenComparingLong(CorrelationHit::record).thenComparingInt(CorrelationHit::input));
    List<Alert> out = new ArrayList<>();
    CorrelationDetector d = corr.detector(CorrelationDetector.Options.defaults().withoutLateness())
        .onAlert(a -> {
          if (!corr.hidden(a.ruleId())) {
            out.add(a);
          }
        });
    sorted.forEach(d::accept);
    d.flush();
    lastStats = d.stats();
    return out;
  }

  /** Counters of the last run's correlation detector, or null when no correlation ran. */
  CorrelationDetector.Stats lastStats;

  /** Event time, then source, record and rule id: a stable order whatever the threads did. */
  static final Comparator<Alert> TIMELINE = Comparator.comparingLong(Alert::timestamp)
      .thenComparing(Alert::source, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparingLong(Alert::record)
      .thenComparing(Alert::ruleId);

  private static void await(Future<?> f) {
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LovcenException("interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new LovcenException("hunt failed: " + c, c);
    }
  }

  static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One thread's evaluator and reusable event. */
  private final class Worker {
    private final Evaluator evaluator;
    private final Event event = new Event();
    private List<Alert> out;
    private List<CorrelationHit> hits;
    private final Correlations correlations = rules.correlations();
    private long count;
    private final Evaluator.Matches onMatch = this::match;
    private final IndicatorMatcher intel = indicators.matcher();
    private final java.util.function.Consumer<Alert> onIndicator = a -> out.add(a);

    Worker(Evaluator evaluator) {
      this.evaluator = evaluator;
    }

    long read(EventSource.Split split, List<Alert> alerts, List<CorrelationHit> hitList, ProblemSink problems) {
      out = alerts;
      hits = hitList;
      count = 0;
      if (web != null && split instanceof org.lovcen.web.AccessLogSource.LogSplit log) {
        return web.read(log, evaluator, event, problems);
      }
      split.read(event, e -> {
        count++;
        evaluator.evaluate(e, onMatch);
        intel.match(e, onIndicator);
      }, problems);
      return count;
    }

    private void match(SigmaRule rule, Event e) {
      CorrelationHit h = correlate ? correlations.hit(rule, e) : null;
      if (h != null) {
        hits.add(h);
      }
      if (correlations.hidden(rule)) {
        return;
      }
      SigmaAlerts.RuleInfo info = infos.computeIfAbsent(rule, SigmaAlerts.RuleInfo::of);
      detections.incrementAndGet();
      if (keepAlerts) {
        out.add(SigmaAlerts.sigma(info, e));
      }
    }
  }
}
