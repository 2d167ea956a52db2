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
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.SigmaRule;

/*
 * How and why: hunt is the pipeline run over files. Every input is cut into splits (a JSON file
 * is one, an EVTX file a group of chunks each); a fixed pool of platform threads, one per core,
 * takes splits from a queue, and each thread owns one Evaluator and one reusable Event, so the
 * hot path shares nothing. Only matches are kept (as immutable Alerts), which bounds memory by
 * the number of detections, not by the input. The timeline is sorted at the end by event time,
 * then source and record, so output does not depend on thread scheduling.
 */
/** Runs a rule set over event sources on several threads. */
final class Hunt {
  /** Totals of one run. */
  record Result(List<Alert> alerts, long events, long bytes) {}

  private final RuleSet rules;
  private final int threads;
  private final ConcurrentHashMap<SigmaRule, AlertFactory.RuleInfo> infos = new ConcurrentHashMap<>();

  Hunt(RuleSet rules, int threads) {
    this.rules = rules;
    this.threads = Math.max(1, threads);
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
    AtomicLong events = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    ThreadLocal<Worker> workers = ThreadLocal.withInitial(() -> new Worker(rules.evaluator()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, named("lovcen-hunt"));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (EventSource.Split split : splits) {
        futures.add(pool.submit(() -> {
          Worker w = workers.get();
          long n = w.read(split, alerts, problems);
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
    sorted.sort(TIMELINE);
    return new Result(sorted, events.get(), bytes.get());
  }

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
    private long count;
    private final Evaluator.Matches onMatch = this::match;

    Worker(Evaluator evaluator) {
      this.evaluator = evaluator;
    }

    long read(EventSource.Split split, List<Alert> alerts, ProblemSink problems) {
      out = alerts;
      count = 0;
      split.read(event, e -> {
        count++;
        evaluator.evaluate(e, onMatch);
      }, problems);
      return count;
    }

    private void match(SigmaRule rule, Event e) {
      AlertFactory.RuleInfo info = infos.computeIfAbsent(rule, AlertFactory.RuleInfo::of);
      out.add(AlertFactory.sigma(info, e));
    }
  }
}
