package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.intel.IndicatorMatcher;
import org.lovcen.sigma.CorrelationDetector;
import org.lovcen.sigma.CorrelationHit;
import org.lovcen.sigma.Correlations;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.SigmaAlerts;
import org.lovcen.sigma.SigmaRule;
import org.lovcen.store.AlertRow;

/*
 * How and why: the same detectors as hunt, fed by the store writer instead of files. One thread
 * evaluates stored events in id order with one Evaluator (the engine's per-thread state), feeds
 * correlation hits to one streaming CorrelationDetector per institution (state per group, with
 * bounded lateness), and matches indicators. One detector per institution because a detector's
 * watermark follows the latest event time it has seen: shared, one institution's clock (a host
 * an hour ahead, a shipper that catches up, one event dated 2030) would make every other
 * institution's hits "late" and drop them, so one tenant could silence another's correlations.
 * Alerts of a batch are written with the detection cursor in one transaction (AlertSink). The
 * engine snapshot is read once per batch: a reload takes effect at the next batch, and a new rule
 * set restarts correlation windows.
 *
 * Before detection, each event's source and record are set to "event" and its store id, so that
 * the evidence of correlation alerts points at stored events.
 */
/** Runs detection over stored events. Thread-safe to start, stop and swap the engine. */
public final class DetectionLoop implements AutoCloseable {
  /** Where observations go (metrics). */
  public interface Observer {
    void batch(int events, int alerts, long evaluateNanos, long storeNanos);

    /** Time from the ingest request's arrival to its alert being stored. */
    void alertLatency(long nanos);
  }

  private final AtomicReference<Engine> engine;
  private final AlertSink sink;
  private final BlockingQueue<List<StoreWriter.Stored>> input;
  private final long latenessMicros;
  private final Observer observer;
  private final Thread thread;
  private final Map<SigmaRule, SigmaAlerts.RuleInfo> infos = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private volatile long cursor;

  private Engine current;
  private Evaluator evaluator;
  private Map<String, Evaluator> filterEvaluators = new HashMap<>();
  private Correlations correlations;
  private final Map<String, CorrelationDetector> detectors = new HashMap<>();
  private IndicatorMatcher intel;
  private final List<AlertRow> out = new ArrayList<>();
  private final List<Long> latencies = new ArrayList<>();
  private StoreWriter.Stored item;
  private final Evaluator.Matches onMatch = this::match;
  private final Consumer<Alert> onIndicator = a -> out.add(AlertRows.single(a, item.id()));

  public DetectionLoop(AtomicReference<Engine> engine, AlertSink sink, BlockingQueue<List<StoreWriter.Stored>> input,
      long latenessMicros, long cursor, Observer observer) {
    this.engine = engine;
    this.sink = sink;
    this.input = input;
    this.latenessMicros = latenessMicros;
    this.cursor = cursor;
    this.observer = observer;
    this.thread = new Thread(this::run, "lovcen-detection");
    this.thread.setDaemon(true);
  }

  public DetectionLoop start() {
    thread.start();
    return this;
  }

  /** The id of the last event whose alerts are stored. */
  public long cursor() {
    return cursor;
  }

  /** Events handed over by the store writer and not yet detected (in batches). */
  public int backlog() {
    return input.size();
  }

  private void run() {
    while (running) {
      try {
        List<StoreWriter.Stored> batch = input.poll(200, TimeUnit.MILLISECONDS);
        if (batch != null) {
          process(batch);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // The store failed while writing alerts: keep the batch's events for a retry after a pause.
        pause();
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Detects one batch of stored events (in id order) and stores its alerts; used by the thread and,
   * at start-up, to replay events stored but not yet detected.
   */
  public void process(List<StoreWriter.Stored> batch) {
    Engine e = engine.get();
    if (e != current) {
      switchTo(e);
    }
    out.clear();
    latencies.clear();
    long t0 = System.nanoTime();
    for (StoreWriter.Stored s : batch) {
      item = s;
      Event ev = s.event();
      ev.source("event");
      ev.record(s.id());
      int before = out.size();
      evaluator.evaluate(ev, onMatch);
      intel.match(ev, onIndicator);
      if (out.size() > before && s.receivedNanos() > 0) {
        latencies.add(s.receivedNanos());
      }
    }
    long t1 = System.nanoTime();
    long last = batch.get(batch.size() - 1).id();
    while (true) {
      try {
        int stored = sink.write(out, last);
        long t2 = System.nanoTime();
        cursor = last;
        observer.batch(batch.size(), stored, t1 - t0, t2 - t1);
        for (long r : latencies) {
          observer.alertLatency(t2 - r);
        }
        return;
      } catch (RuntimeException ex) {
        if (!running) {
          throw ex;
        }
        pause(); // the store is unavailable: retry the same alerts (fingerprints make this safe)
      }
    }
  }

  private void switchTo(Engine e) {
    RuleSet rules = e.rules();
    if (current == null || current.rules() != rules) {
      evaluator = rules.evaluator();
      correlations = rules.correlations();
      detectors.clear();
    }
    filterEvaluators = new HashMap<>();
    e.filters().forEach((inst, set) -> filterEvaluators.put(inst, set.evaluator()));
    intel = e.indicators().matcher();
    current = e;
  }

  private void match(SigmaRule rule, Event e) {
    CorrelationHit h = correlations.hit(rule, e);
    if (h != null) {
      detector(e.institution()).accept(h);
    }
    if (correlations.hidden(rule) || current.disabled(e.institution(), rule.id()) || filteredOut(rule, e)) {
      return;
    }
    SigmaAlerts.RuleInfo info = infos.computeIfAbsent(rule, SigmaAlerts.RuleInfo::of);
    out.add(AlertRows.single(SigmaAlerts.sigma(info, e), item.id()));
  }

  /** The institution's own correlation detector (its own watermark), made on its first hit. */
  private CorrelationDetector detector(String institution) {
    String key = institution == null ? "" : institution;
    CorrelationDetector d = detectors.get(key);
    if (d == null) {
      d = correlations.detector(CorrelationDetector.Options.defaults().withLateness(latenessMicros))
          .onAlert(this::correlationAlert);
      detectors.put(key, d);
    }
    return d;
  }

  private void correlationAlert(Alert a) {
    if (!correlations.hidden(a.ruleId()) && !current.disabled(a.institution(), a.ruleId())) {
      out.add(AlertRows.correlation(a));
    }
  }

  /** True when the institution's filters cover the rule and the filtered rule no longer matches. */
  private boolean filteredOut(SigmaRule rule, Event e) {
    Evaluator f = filterEvaluators.get(e.institution());
    if (f == null) {
      return false;
    }
    RuleSet set = current.filters().get(e.institution());
    boolean[] covered = {false};
    for (SigmaRule r : set.rules()) {
      if (r.id().equals(rule.id())) {
        covered[0] = true;
        break;
      }
    }
    if (!covered[0]) {
      return false;
    }
    boolean[] still = {false};
    f.evaluate(e, (r, ev) -> {
      if (r.id().equals(rule.id())) {
        still[0] = true;
      }
    });
    return !still[0];
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
