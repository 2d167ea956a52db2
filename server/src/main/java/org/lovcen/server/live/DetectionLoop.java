package org.lovcen.server.live;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
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
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.RuleSet;
import org.lovcen.sigma.SigmaAlerts;
import org.lovcen.sigma.SigmaRule;
import org.lovcen.store.AlertRow;

/*
 * How and why: the same detectors as hunt, fed by the store writer instead of files. One thread
 * evaluates stored events in id order with one Evaluator (the engine's per-thread state), feeds
 * correlation hits to a streaming CorrelationDetector per institution (each institution's event
 * time, and so its lateness bound, advances on its own: one late-shipping institution does not
 * make another's hits late), and matches indicators. Alerts of a batch are written with the detection
 * cursor in one transaction (AlertSink). The engine snapshot is read once per batch: a reload
 * takes effect at the next batch, and a new rule set restarts correlation windows.
 *
 * Before detection, each event's source and record are set to "event" and its store id, so that
 * the evidence of correlation alerts points at stored events.
 *
 * Writing a batch's alerts waits for the store (on SQLite, for the store writer's transaction to
 * end), so it runs on a second thread, one batch behind: the rules run on the next batch
 * meanwhile. The hand-over holds at most two batches, and the cursor moves only when a batch's
 * alerts are committed, in batch order, so a crash still loses nothing.
 *
 * Access-log requests (Request.isRequest: no channel, a client address and a status; other
 * events are ruled out by their channel or one field lookup) also go through the WebLoop, in the
 * same id order; their Sigma matches are exploit attempts for the website detectors, as in hunt,
 * not plain Sigma alerts. What the WebLoop changes (decisions, site minutes) travels with the
 * batch's alerts into the same transaction.
 */
/** Runs detection over stored events. Thread-safe to start, stop and swap the engine. */
public final class DetectionLoop implements AutoCloseable {
  /** Where observations go (metrics). */
  public interface Observer {
    void batch(int events, int alerts, long evaluateNanos, long storeNanos);

    /** Time from the ingest request's arrival to its alert being stored. */
    void alertLatency(long nanos);
  }

  private static final System.Logger LOG = System.getLogger("lovcen.detection");
  /**
   * Correlation hits dated further ahead of the wall clock than this are not correlated: the
   * institution's correlation time follows its newest hit, so one host with a clock a year ahead
   * (or a forged timestamp) would otherwise make every later hit of the institution late.
   */
  static final long FUTURE_TOLERANCE_MILLIS = 15 * 60_000L;
  private final AtomicReference<Engine> engine;
  private final AlertSink sink;
  private final BlockingQueue<List<StoreWriter.Stored>> input;
  private final long latenessMicros;
  private final long idleCloseNanos;
  private final Observer observer;
  private final WebLoop web;
  private final List<SigmaRule> webMatches = new ArrayList<>();
  private final Evaluator.Matches onWebMatch = this::webMatch;
  private final Thread thread;
  private final Thread alertWriter;
  private final BlockingQueue<Detected> detected = new ArrayBlockingQueue<>(2);
  private final Map<SigmaRule, SigmaAlerts.RuleInfo> infos = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private volatile long cursor;
  private volatile long futureHits;
  private long notAfterMicros = Long.MAX_VALUE;
  private volatile Map<String, Long> topRules = Map.of();
  private long topRulesAt;

  private Engine current;
  private Evaluator evaluator;
  /** The uploaded rules' evaluator, or null when none are uploaded. */
  private Evaluator uploadEvaluator;
  private InstitutionRules.Check institutions;
  private Correlations correlations;
  /** One correlation detector per institution: each institution's event time advances on its own. */
  private final Map<String, CorrelationDetector> detectors = new HashMap<>();
  private IndicatorMatcher intel;
  private List<AlertRow> out = new ArrayList<>();
  private List<Long> latencies = new ArrayList<>();
  private StoreWriter.Stored item;
  private final Evaluator.Matches onMatch = this::match;
  private final Consumer<Alert> onIndicator = a -> out.add(AlertRows.single(a, item.id()));

  /**
   * @param latenessMicros how far behind the newest event a correlation hit may arrive
   * @param idleCloseMillis after this long without events, open correlation episodes are emitted
   * @param cursor the id of the last event already detected
   */
  public DetectionLoop(AtomicReference<Engine> engine, AlertSink sink, BlockingQueue<List<StoreWriter.Stored>> input,
      long latenessMicros, long idleCloseMillis, long cursor, Observer observer) {
    this(engine, sink, input, latenessMicros, idleCloseMillis, cursor, observer, null, null);
  }

  /**
   * The same with website detection: access-log requests run through one {@code WebDetector}
   * with {@code web}'s parameters; decisions are timed on {@code nowMicros}.
   */
  public DetectionLoop(AtomicReference<Engine> engine, AlertSink sink, BlockingQueue<List<StoreWriter.Stored>> input,
      long latenessMicros, long idleCloseMillis, long cursor, Observer observer, org.lovcen.web.WebConfig web,
      java.util.function.LongSupplier nowMicros) {
    this.web = web == null ? null : new WebLoop(web, nowMicros);
    this.engine = engine;
    this.sink = sink;
    this.input = input;
    this.latenessMicros = latenessMicros;
    this.idleCloseNanos = TimeUnit.MILLISECONDS.toNanos(idleCloseMillis);
    this.cursor = cursor;
    this.observer = observer;
    this.thread = new Thread(this::run, "lovcen-detection");
    this.thread.setDaemon(true);
    this.alertWriter = new Thread(this::writeAlerts, "lovcen-alert-writer");
    this.alertWriter.setDaemon(true);
  }

  /** The alerts of one evaluated batch on their way to the store; {@code last} -1: no cursor move. */
  private record Detected(List<AlertRow> alerts, long last, int events, List<Long> latencies, long evaluateNanos,
      WebChanges web) {}

  public DetectionLoop start() {
    alertWriter.start();
    thread.start();
    return this;
  }

  /** The id of the last event whose alerts are stored. */
  public long cursor() {
    return cursor;
  }

  /**
   * The rules fully evaluated most often since the rule set was loaded (their prefilter let the
   * event through), rule id to count: where detection time goes. Refreshed every few seconds.
   */
  public Map<String, Long> topRules() {
    return topRules;
  }

  private void refreshTopRules() {
    long now = System.nanoTime();
    if (now - topRulesAt < 5_000_000_000L || evaluator == null) {
      return;
    }
    topRulesAt = now;
    Map<String, Long> top = new java.util.LinkedHashMap<>();
    evaluator.evaluationsPerRule().entrySet().stream()
        .sorted(Map.Entry.<SigmaRule, Long>comparingByValue().reversed()).limit(20)
        .forEach(e -> top.put(e.getKey().id(), e.getValue()));
    topRules = java.util.Collections.unmodifiableMap(top);
  }

  /** Correlation hits left out because they were dated too far ahead of the wall clock. */
  public long futureHits() {
    return futureHits;
  }

  /** Events handed over by the store writer and not yet detected (in batches). */
  public int backlog() {
    return input.size();
  }

  private void run() {
    long lastBatch = System.nanoTime();
    boolean open = false;
    while (running) {
      try {
        List<StoreWriter.Stored> batch = input.poll(100, TimeUnit.MILLISECONDS);
        if (batch != null) {
          detected.put(evaluate(batch));
          lastBatch = System.nanoTime();
          open = true;
        } else if (open && System.nanoTime() - lastBatch >= idleCloseNanos) {
          Detected closed = closeEpisodes();
          if (closed != null) {
            detected.put(closed);
          }
          open = false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException | StackOverflowError e) {
        // A bug in a detector must not stop detection; the batch's events stay stored and are
        // detected again at the next start (their cursor was not moved).
        LOG.log(System.Logger.Level.ERROR, "detection failed on a batch: " + e, e);
        pause();
      }
    }
  }

  private void writeAlerts() {
    while (running || !detected.isEmpty()) {
      try {
        Detected d = detected.poll(200, TimeUnit.MILLISECONDS);
        if (d != null) {
          store(d);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        return; // stopping while the store is unavailable: the cursor stays, a restart re-detects
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
    store(evaluate(batch));
  }

  /** Runs the rules over one batch; returns its alerts. */
  private Detected evaluate(List<StoreWriter.Stored> batch) {
    Engine e = engine.get();
    if (e != current) {
      switchTo(e);
    }
    out = new ArrayList<>();
    latencies = new ArrayList<>();
    if (web != null) {
      web.batch(out);
    }
    notAfterMicros = (System.currentTimeMillis() + FUTURE_TOLERANCE_MILLIS) * 1000;
    long t0 = System.nanoTime();
    for (StoreWriter.Stored s : batch) {
      item = s;
      Event ev = s.event();
      ev.source("event");
      ev.record(s.id());
      int before = out.size();
      if (web != null && org.lovcen.web.Request.isRequest(ev)) {
        webMatches.clear();
        evaluator.evaluate(ev, onWebMatch);
        if (uploadEvaluator != null) {
          uploadEvaluator.evaluate(ev, onWebMatch);
        }
        web.accept(ev, s.id(), webMatches);
      } else {
        evaluator.evaluate(ev, onMatch);
        if (uploadEvaluator != null) {
          uploadEvaluator.evaluate(ev, onMatch);
        }
      }
      intel.match(ev, onIndicator);
      if (out.size() > before && s.receivedNanos() > 0) {
        latencies.add(s.receivedNanos());
      }
    }
    WebChanges changes = WebChanges.NONE;
    if (web != null) {
      changes = web.drain();
    }
    long t1 = System.nanoTime();
    refreshTopRules();
    return new Detected(out, batch.get(batch.size() - 1).id(), batch.size(), latencies, t1 - t0, changes);
  }

  /**
   * Stores a batch's alerts and moves the cursor past it (unless {@code last} is -1), retrying
   * while the store is unavailable (fingerprints make a retry safe).
   */
  private void store(Detected d) {
    while (true) {
      try {
        long t1 = System.nanoTime();
        int stored = sink.write(d.alerts(), d.web(), d.last());
        long t2 = System.nanoTime();
        if (d.last() >= 0) {
          cursor = d.last();
        }
        observer.batch(d.events(), stored, d.evaluateNanos(), t2 - t1);
        for (long r : d.latencies()) {
          observer.alertLatency(t2 - r);
        }
        return;
      } catch (RuntimeException ex) {
        if (!running) {
          throw ex;
        }
        LOG.log(System.Logger.Level.WARNING, "cannot store alerts, retrying: " + ex);
        pause();
      }
    }
  }

  /** The open correlation episodes, emitted because input has gone quiet; null when there are none. */
  private Detected closeEpisodes() {
    if (detectors.isEmpty()) {
      return null;
    }
    out = new ArrayList<>();
    detectors.values().forEach(CorrelationDetector::closeEpisodes);
    return out.isEmpty() ? null : new Detected(out, -1, 0, List.of(), 0, WebChanges.NONE);
  }

  private void switchTo(Engine e) {
    RuleSet rules = e.rules();
    if (current == null || current.rules() != rules) {
      evaluator = rules.evaluator();
      correlations = rules.correlations();
      detectors.clear();
      infos.clear(); // the replaced rules' alert texts
    }
    if (current == null || current.uploads().rules() != e.uploads().rules()) {
      uploadEvaluator = e.uploads().rules() == null ? null : e.uploads().rules().evaluator();
      infos.clear();
    }
    institutions = e.institutions().check();
    intel = e.indicators().matcher();
    current = e;
  }

  private void match(SigmaRule rule, Event e) {
    CorrelationHit h = correlations.hit(rule, e);
    if (h != null && e.timestamp() != Event.NO_TIME && e.timestamp() > notAfterMicros) {
      futureHits++; // a clock far ahead would make every later hit of the institution late
      h = null;
    }
    if (h != null) {
      detectors.computeIfAbsent(String.valueOf(e.institution()), k -> correlations.detector(
          CorrelationDetector.Options.defaults().withLateness(latenessMicros)).onAlert(this::correlationAlert)
          .onFiring(this::correlationAlert)).accept(h);
    }
    if (correlations.hidden(rule) || institutions.suppressed(rule, e)) {
      return;
    }
    SigmaAlerts.RuleInfo info = infos.computeIfAbsent(rule, SigmaAlerts.RuleInfo::of);
    out.add(AlertRows.single(SigmaAlerts.sigma(info, e), item.id()));
  }

  /** A Sigma match on an access-log request: an exploit attempt for the website detectors. */
  private void webMatch(SigmaRule rule, Event e) {
    if (!correlations.hidden(rule) && !institutions.suppressed(rule, e)) {
      webMatches.add(rule);
    }
  }

  private void correlationAlert(Alert a) {
    if (!correlations.hidden(a.ruleId()) && !current.disabled(a.institution(), a.ruleId())) {
      out.add(AlertRows.correlation(a));
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5000);
      alertWriter.join(5000); // drains what detection handed over
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    alertWriter.interrupt();
  }
}
