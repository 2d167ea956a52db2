package org.lovcen.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.lovcen.core.Alert;
import org.lovcen.sigma.CorrelationDetector;
import org.lovcen.sigma.Correlations;

/*
 * How and why: the stateful half. All hits of an institution arrive in one task (the hits topic is
 * keyed by institution), which runs the same streaming CorrelationDetector as serve, one per
 * institution. The detector's whole state is written to a changelogged key-value store after
 * every hit that changed it, keyed by institution: the store is the truth and the in-memory
 * detectors only a cache of it for this task. With exactly-once processing the store update, the
 * alerts it produced and the input offset commit in one transaction, so a worker that dies
 * mid-window hands the window to whichever worker takes the partition over, which restores the
 * store from its changelog and continues as if nothing had happened: no alert lost, none twice.
 *
 * As in serve, an episode's first firing is emitted at once (an early alert) and the episode
 * again, with its final extent and events, when it closes on event time, or, when an
 * institution's hits have gone quiet for the idle-close interval (wall clock), by draining its
 * detector (hunt drains at the end of its input). Both alerts have the same rule, group and
 * first time, hence the same fingerprint in the server, which stores the first and completes it
 * with the second. The firing is part of the detector's state (its episode is open), so a worker
 * that takes the state over does not emit it again. A correlation the institution turned off
 * emits nothing for it. Hits computed under other rule texts than this worker's current ones are dropped
 * (their input indexes mean nothing here); after a rule change a restored snapshot of other
 * correlations is refused and the windows restart, as in serve.
 */
/** Runs correlation rules over an institution's hits with its state in a store. One per task. */
final class CorrelateProcessor implements Processor<String, byte[], String, byte[]> {
  static final String STORE = "correlation-state";
  static final String ALERTS = "correlation-alerts-out";
  private static final System.Logger LOG = System.getLogger("lovcen.kafka.correlation");

  private final RuleBook book;
  private final KafkaSettings settings;
  private final Map<String, CorrelationDetector> detectors = new HashMap<>();
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> store;
  private RuleBook.Snapshot snapshot;
  private Correlations correlations;
  private long lastHit;
  private boolean open;
  private long dropped;

  CorrelateProcessor(RuleBook book, KafkaSettings settings) {
    this.book = book;
    this.settings = settings;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    detectors.clear();
    lastHit = System.currentTimeMillis();
    open = true; // a restored store may hold open episodes
    long every = Math.max(100, Math.min(1000, settings.idleCloseMillis() / 2));
    context.schedule(Duration.ofMillis(every), PunctuationType.WALL_CLOCK_TIME, this::idle);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    current();
    HitCodec.Tagged t = HitCodec.decode(record.value());
    if (t.rules() != snapshot.rulesFingerprint()) {
      dropped++;
      if (Long.bitCount(dropped) == 1) {
        LOG.log(System.Logger.Level.WARNING, dropped + " correlation hits of other rules dropped (a rule update)");
      }
      return;
    }
    String institution = record.key();
    CorrelationDetector d = detector(institution);
    d.accept(t.hit());
    store.put(institution, d.snapshot());
    lastHit = System.currentTimeMillis();
    open = true;
  }

  /** Drains every institution's detector once hits have been quiet for the idle-close interval. */
  private void idle(long now) {
    if (!open || now - lastHit < settings.idleCloseMillis()) {
      return;
    }
    current();
    java.util.List<String> institutions = new java.util.ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        institutions.add(kv.key);
      }
    }
    for (String institution : institutions) {
      CorrelationDetector d = detector(institution);
      if (!d.settled()) {
        d.drain();
        store.put(institution, d.snapshot());
      }
    }
    open = false;
  }

  private void current() {
    RuleBook.Snapshot s = book.current();
    if (snapshot == null || s.rules() != snapshot.rules()) {
      detectors.clear();
      correlations = s.rules().correlations();
    }
    snapshot = s;
  }

  private CorrelationDetector detector(String institution) {
    CorrelationDetector d = detectors.get(institution);
    if (d != null) {
      return d;
    }
    d = correlations.detector(CorrelationDetector.Options.defaults().withLateness(settings.latenessMicros()))
        .onAlert(this::alert).onFiring(this::alert);
    byte[] state = store.get(institution);
    if (state != null && !d.restore(state)) {
      LOG.log(System.Logger.Level.INFO, "correlation windows of " + institution + " restart under new rules");
    }
    detectors.put(institution, d);
    return d;
  }

  private void alert(Alert a) {
    if (correlations.hidden(a.ruleId()) || snapshot.institutions().disabled(a.institution(), a.ruleId())) {
      return;
    }
    context.forward(new Record<>(a.institution() == null ? "" : a.institution(), AlertCodec.encode(a),
        System.currentTimeMillis()), ALERTS);
  }
}
