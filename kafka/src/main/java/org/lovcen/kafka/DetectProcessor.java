package org.lovcen.kafka;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.lovcen.core.Alert;
import org.lovcen.core.Event;
import org.lovcen.intel.IndicatorMatcher;
import org.lovcen.sigma.CorrelationHit;
import org.lovcen.sigma.Correlations;
import org.lovcen.sigma.Evaluator;
import org.lovcen.sigma.InstitutionRules;
import org.lovcen.sigma.SigmaAlerts;
import org.lovcen.sigma.SigmaRule;
import org.lovcen.web.Request;
import org.lovcen.web.WebConfig;
import org.lovcen.web.WebStream;

/*
 * How and why: the stateless half of detection, the same work a hunt thread does per event: one
 * Evaluator and one IndicatorMatcher (per task, on the task's stream thread), one reusable Event.
 * The rules uploaded through the server's API run beside the rules with their own evaluator, as in
 * serve. Rule matches become sigma alerts, unless the rule does not run for the event's
 * institution (turned off there, or uploaded for another) or one of its filters removes the event
 * (InstitutionRules, as in serve); matches of rules that
 * correlations reference also become hits (whatever the switches: the correlation's own switch
 * applies to its alert), re-keyed by institution so that all of an institution's hits meet in one
 * correlation task.
 * An access-log request (Request.isRequest) is evaluated as serve evaluates it: its matches are
 * exploit attempts for the website detectors, not Sigma alerts and not correlation hits. The
 * request (institution, site as logged, the detectors' view of it and those matches) goes to the
 * requests topic under one key, so that one web task sees every site.
 * The snapshot is read once per record; a swap builds a new evaluator.
 */
/** Evaluates events against the current rules and indicators. One per task; not thread-safe. */
final class DetectProcessor implements Processor<String, byte[], String, byte[]> {
  static final String ALERTS = "alerts-out";
  static final String HITS = "hits-out";
  static final String REQUESTS = "requests-out";

  private final RuleBook book;
  private final WebConfig web;
  private final List<WebStream.Exploit> exploits = new ArrayList<>();
  private final Codec.Writer requestBytes = new Codec.Writer();
  private final Evaluator.Matches onWebMatch = this::webMatch;
  private final Event event = new Event();
  private final Codec.Writer hitBytes = new Codec.Writer();
  private final Map<SigmaRule, SigmaAlerts.RuleInfo> infos = new IdentityHashMap<>();
  private final Evaluator.Matches onMatch = this::match;
  private final Consumer<Alert> onIndicator = this::indicator;
  private ProcessorContext<String, byte[]> context;
  private RuleBook.Snapshot snapshot;
  private Evaluator evaluator;
  /** The uploaded rules' evaluator, or null when none are uploaded. */
  private Evaluator uploadEvaluator;
  private IndicatorMatcher intel;
  private Correlations correlations;
  private InstitutionRules.Check institutions;
  private long time;

  DetectProcessor(RuleBook book, WebConfig web) {
    this.book = book;
    this.web = web;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RuleBook.Snapshot s = book.current();
    if (s != snapshot) {
      switchTo(s);
    }
    EventCodec.decode(record.value(), event);
    time = record.timestamp();
    if (Request.isRequest(event)) {
      request();
    } else {
      evaluator.evaluate(event, onMatch);
      if (uploadEvaluator != null) {
        uploadEvaluator.evaluate(event, onMatch);
      }
    }
    intel.match(event, onIndicator);
  }

  private void request() {
    exploits.clear();
    evaluator.evaluate(event, onWebMatch);
    if (uploadEvaluator != null) {
      uploadEvaluator.evaluate(event, onWebMatch);
    }
    String site = WebStream.siteOf(event);
    Request r = Request.of(event, site, web, event.source(), event.record());
    byte[] v = RequestCodec.encode(requestBytes, event.institution(), site, r, exploits);
    context.forward(new Record<>(WebProcessor.KEY, v, time), REQUESTS);
  }

  /** A Sigma match on an access-log request: an exploit attempt, unless hidden or not the institution's. */
  private void webMatch(SigmaRule rule, Event e) {
    if (!correlations.hidden(rule) && !institutions.suppressed(rule, e)) {
      exploits.add(new WebStream.Exploit(rule.id(), rule.title(), rule.level(), rule.tags()));
    }
  }

  private void switchTo(RuleBook.Snapshot s) {
    if (snapshot == null || snapshot.rules() != s.rules()) {
      evaluator = s.rules().evaluator();
      correlations = s.rules().correlations();
      infos.clear();
    }
    if (snapshot == null || snapshot.uploads().rules() != s.uploads().rules()) {
      uploadEvaluator = s.uploads().rules() == null ? null : s.uploads().rules().evaluator();
      infos.clear();
    }
    intel = s.indicators().matcher();
    institutions = s.institutions().check();
    snapshot = s;
  }

  private void match(SigmaRule rule, Event e) {
    CorrelationHit h = correlations.hit(rule, e);
    if (h != null) {
      byte[] v = HitCodec.encode(hitBytes, snapshot.rulesFingerprint(), h);
      context.forward(new Record<>(e.institution() == null ? "" : e.institution(), v, time), HITS);
    }
    if (correlations.hidden(rule) || institutions.suppressed(rule, e)) {
      return;
    }
    alert(SigmaAlerts.sigma(infos.computeIfAbsent(rule, SigmaAlerts.RuleInfo::of), e));
  }

  private void indicator(Alert a) {
    alert(a);
  }

  private void alert(Alert a) {
    context.forward(new Record<>(a.institution() == null ? "" : a.institution(), AlertCodec.encode(a), time), ALERTS);
  }
}
